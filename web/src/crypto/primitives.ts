// The four primitives the private-room scheme needs, behind one interface
// with two implementations that must agree byte for byte (crypto.test.ts):
// WebCrypto where the page has crypto.subtle (a secure context: https or
// localhost), and the audited pure-JS noble libraries where it has not
// (the venue LAN on plain http). The noble code is loaded only when needed.
//   HKDF-SHA-256 (RFC 5869), AES-256-GCM (12-byte nonce, 16-byte tag),
//   Ed25519 (RFC 8032, pure; deterministic, so both agree on signatures).

export interface SigningKey {
  /** 32 bytes, RFC 8032 encoding. */
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Promise<Uint8Array>;
}

export interface Primitives {
  readonly name: "webcrypto" | "noble";
  hkdf(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Promise<Uint8Array>;
  /** AES-256-GCM: ciphertext followed by the 16-byte tag. */
  seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array>;
  /** null when the tag does not check out (wrong key, changed bytes or AAD). */
  open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Promise<Uint8Array | null>;
  /** The Ed25519 key whose RFC 8032 secret is `seed` (32 bytes). */
  signingKey(seed: Uint8Array): Promise<SigningKey>;
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

/** The subtle API if this page has one that does Ed25519 too. */
export async function webCryptoUsable(subtle: SubtleCrypto | null = globalThis.crypto?.subtle ?? null): Promise<boolean> {
  if (!subtle) return false;
  try {
    await subtle.importKey("raw", new Uint8Array(32), { name: "Ed25519" }, false, ["verify"]);
    return true;
  } catch {
    return false;
  }
}

let chosen: Promise<Primitives> | null = null;

/** WebCrypto when it can do everything, else noble (loaded now). */
export function primitives(): Promise<Primitives> {
  chosen ??= (async () => {
    if (await webCryptoUsable()) return (await import("./webcrypto")).webCrypto(globalThis.crypto.subtle);
    return (await import("./noble")).noble;
  })();
  // A failed load (the server gone before the chunk came) is tried again
  // by the next caller.
  chosen.catch(() => (chosen = null));
  return chosen;
}
