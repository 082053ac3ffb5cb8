// What a page served over plain http at a LAN address (a venue without a
// certificate) cannot do: browsers keep the camera and clipboard writes
// for secure contexts. Said in one line where the feature would be, with
// what to do instead, rather than a button that silently does nothing.
export function NeedsHttps({ what, instead }: { what: string; instead: string }) {
  return (
    <p class="hint needs-https">
      {what} needs a secure (https://) address; {instead}. <a href="/help/https">Why, and how to serve HTTPS</a>
    </p>
  );
}

/** The short version of the README's HTTPS section, served by the app itself (it works offline). */
export function HttpsHelp({ onBack }: { onBack: () => void }) {
  return (
    <main class="help">
      <h1>HTTPS at the venue</h1>
      <p>
        Phones allow the camera (to scan a code) and copying to the clipboard only on a secure address: https://, or
        the phone's own localhost. Chatting, joining by code and pairing by pasting codes work on plain http too.
      </p>
      <p>
        To serve HTTPS, the organiser starts the server with a certificate:{" "}
        <code>scripts/run --port 443 --tls-cert cert.pem --tls-key key.pem --public-url https://10.0.0.5/</code>. A
        self-signed certificate makes every phone click through a warning; one from your own CA installed on staff
        phones, or a public one for a DNS name that points at the LAN address, does not.
      </p>
      <button type="button" onClick={onBack}>
        Back
      </button>
    </main>
  );
}
