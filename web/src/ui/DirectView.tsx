// No server: pair two phones directly. One shows an invite (QR code and
// text), the other scans or pastes it and shows its answer back; then they
// chat over the data channel. Loaded only when asked for.
import { useEffect, useRef, useState } from "preact/hooks";
import QRCode from "qrcode";
import { IndexedDbLogStore, MemoryLogStore } from "../chat/log-store";
import { messageId, type ChatMessage } from "../chat/messages";
import { Authors } from "../chat/authors";
import { RoomHistory } from "../chat/room-history";
import { loadIdentity } from "../identity";
import { DirectLink } from "../rtc/direct-link";
import { NeedsHttps } from "./NeedsHttps";
import { scanQr, type Scan } from "./qr-scanner";

type Step = "start" | "inviting" | "answering" | "chatting";

/** The stored conversation of direct pairings, and the one peer of a pairing. */
const DIRECT_ROOM = "~direct";
const PEER = "direct-peer";

function CodeBox({ label, code }: { label: string; code: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const id = `code-${label.toLowerCase().replace(/\W+/g, "-")}`;
  useEffect(() => {
    if (canvas.current) void QRCode.toCanvas(canvas.current, code, { errorCorrectionLevel: "L", margin: 4, width: 320 });
  }, [code]);
  return (
    <div class="code-box">
      <canvas ref={canvas} class="pair-qr" role="img" aria-label={`QR code of ${label.toLowerCase()}`} />
      <label for={id}>{label}</label>
      <textarea id={id} readOnly rows={4} value={code} onFocus={(e) => e.currentTarget.select()} />
      {navigator.clipboard ? (
        <button type="button" onClick={() => void navigator.clipboard.writeText(code).catch(() => {})}>
          Copy
        </button>
      ) : (
        <NeedsHttps what="Copying" instead="select the code above and copy it by hand" />
      )}
    </div>
  );
}

/** A camera button that fills a code field from a scanned QR code. */
function ScanButton({ onCode }: { onCode: (code: string) => void }) {
  const video = useRef<HTMLVideoElement>(null);
  const [scan, setScan] = useState<Scan | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => () => scan?.stop(), [scan]);
  if (!navigator.mediaDevices?.getUserMedia)
    return <NeedsHttps what="Scanning with the camera" instead="paste the code below" />;
  return (
    <div class="scan">
      <button
        type="button"
        onClick={() => {
          if (scan) {
            scan.stop();
            setScan(null);
            return;
          }
          setError(null);
          const s = scanQr(video.current!);
          setScan(s);
          s.result
            .then(onCode)
            .catch((e: Error) => e.message !== "stopped" && setError("The camera could not be used: " + e.message))
            .finally(() => setScan(null));
        }}
      >
        {scan ? "Stop camera" : "Scan with camera"}
      </button>
      <video ref={video} class={scan ? "scanner" : "scanner hidden"} muted aria-label="Camera view" />
      {error && <p class="error">{error}</p>}
    </div>
  );
}

export function DirectView({ onLeave }: { onLeave: () => void }) {
  const self = useRef(loadIdentity()).current;
  const [step, setStep] = useState<Step>("start");
  const [link, setLink] = useState<DirectLink | null>(null);
  const [myCode, setMyCode] = useState("");
  const [theirCode, setTheirCode] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [messages, setMessages] = useState<readonly ChatMessage[]>([]);
  const [text, setText] = useState("");
  // Two phones paired directly keep their conversation like a room, under a
  // name of its own: pairing again later catches both up.
  const history = useRef(new RoomHistory(DIRECT_ROOM, typeof indexedDB === "undefined" ? new MemoryLogStore() : new IndexedDbLogStore(), new Authors(DIRECT_ROOM))).current;
  useEffect(() => {
    const off = history.on("change", () => setMessages([...history.log.messages]));
    return () => {
      off();
      history.close();
    };
  }, []);

  useEffect(() => {
    if (!link) return;
    const offs = [
      link.on("open", () => {
        history.attach(PEER, link);
        setStep("chatting");
      }),
      link.on("message", (m) => {
        if (!history.syncFor(PEER, link)?.handle(m) && m.type === "chat") history.receive([m], "live");
      }),
      link.on("closed", () => history.detach(PEER, link)),
    ];
    return () => offs.forEach((off) => off());
  }, [link]);
  useEffect(() => () => link?.close(), [link]);

  const run = async (work: () => Promise<void>) => {
    setError(null);
    try {
      await work();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  const send = () => {
    const t = text.trim();
    if (!t || !link) return;
    void history.compose(self.clientId, self.displayName, t);
    setText("");
  };

  return (
    <main class="pairing">
      <header>
        <h1>Pair directly</h1>
        <button type="button" onClick={onLeave}>
          Back
        </button>
      </header>
      <p class="lede">No network to a server? Two phones can still talk: one shows an invite, the other answers it.</p>
      {error && <p class="error" role="alert">{error}</p>}
      {step === "start" && (
        <div class="pair-start">
          <button
            class="primary"
            type="button"
            onClick={() =>
              run(async () => {
                const { link: l, code } = await DirectLink.invite();
                setLink(l);
                setMyCode(code);
                setStep("inviting");
              })
            }
          >
            Create an invite
          </button>
          <ScanButton onCode={setTheirCode} />
          <label for="invite-in">Or paste an invite</label>
          <textarea id="invite-in" rows={4} value={theirCode} onInput={(e) => setTheirCode(e.currentTarget.value)} />
          <button
            type="button"
            disabled={!theirCode.trim()}
            onClick={() =>
              run(async () => {
                const { link: l, code } = await DirectLink.answer(theirCode);
                setLink(l);
                setMyCode(code);
                setTheirCode("");
                setStep("answering");
              })
            }
          >
            Answer the invite
          </button>
        </div>
      )}
      {step === "inviting" && (
        <div class="pair-step">
          <CodeBox label="Your invite" code={myCode} />
          <ScanButton onCode={setTheirCode} />
          <label for="answer-in">Paste their answer</label>
          <textarea id="answer-in" rows={4} value={theirCode} onInput={(e) => setTheirCode(e.currentTarget.value)} />
          <button type="button" disabled={!theirCode.trim()} onClick={() => run(() => link!.complete(theirCode))}>
            Connect
          </button>
        </div>
      )}
      {step === "answering" && (
        <div class="pair-step">
          <CodeBox label="Your answer" code={myCode} />
          <p role="status">Show this answer to the one who invited you. The chat opens when they have it.</p>
        </div>
      )}
      {step === "chatting" && (
        <>
          <p class="signaling online" role="status">
            connected directly
          </p>
          <ol class="messages">
            {messages.map((m) => (
              <li key={messageId(m)} data-id={messageId(m)} class={m.clientId === self.clientId ? "own" : "other"}>
                <span class="author">{m.clientId === self.clientId ? "You" : m.displayName}</span>
                <p class="text">{m.text}</p>
              </li>
            ))}
          </ol>
          <form
            class="composer"
            onSubmit={(e) => {
              e.preventDefault();
              send();
            }}
          >
            <input id="message" aria-label="Message" autocomplete="off" value={text} onInput={(e) => setText(e.currentTarget.value)} />
            <button type="submit">Send</button>
          </form>
        </>
      )}
    </main>
  );
}
