// The private-room scheme from the outside (docs/private-rooms.md), on
// Node's own crypto: tests sign chat messages as another device would,
// derive room ids from secrets and seal or open signals, independently of
// the web app's code, which checks the document as well as the app.
import { createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, hkdfSync, randomBytes, sign } from "node:crypto";

const PKCS8_ED25519 = Buffer.from("302e020100300506032b657004220420", "hex");
const HKDF_SALT = Buffer.from("festival-chat v1");

export const b64url = (b) => Buffer.from(b).toString("base64url");

/** label, then each part with its length (4 bytes, big-endian). */
export function framed(label, ...parts) {
  const chunks = [Buffer.from(label)];
  for (const p of parts) {
    const bytes = typeof p === "string" ? Buffer.from(p) : Buffer.from(p);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(bytes.length);
    chunks.push(len, bytes);
  }
  return Buffer.concat(chunks);
}

/** A device's Ed25519 key from a 32-byte seed (random unless given). */
export function deviceKey(seed = randomBytes(32)) {
  const priv = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: "der", type: "pkcs8" });
  const publicKey = Buffer.from(createPublicKey(priv).export({ format: "jwk" }).x, "base64url");
  return { publicKey, sign: (bytes) => sign(null, bytes, priv) };
}

/** A chat message signed by `key` for the room `roomId`. */
export function signChat(roomId, m, key) {
  const bytes = framed("fc-chat v1", roomId, m.clientId, String(m.seq), String(m.lamport), m.displayName, m.text, String(m.sentAt), key.publicKey);
  return { ...m, key: b64url(key.publicKey), sig: b64url(key.sign(bytes)) };
}

/** RFC 4648 base32, lower case, unpadded. */
export function base32(bytes) {
  const alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  let out = "";
  let bits = 0;
  let value = 0;
  for (const x of bytes) {
    value = (value << 8) | x;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return bits > 0 ? out + alphabet[(value << (5 - bits)) & 31] : out;
}

/** A room's id (what join-room says) and signal key from its secret. */
export function roomKeys(secret) {
  const hkdf = (info, n) => Buffer.from(hkdfSync("sha256", secret, HKDF_SALT, Buffer.from(info), n));
  return { roomId: base32(hkdf("room id", 16)), signalKey: hkdf("signal key", 32) };
}

/** A sealed signal's payload, as a member holding `signalKey` makes it. */
export function seal(signalKey, from, to, type, payload, seq) {
  const nonce = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", signalKey, nonce);
  c.setAAD(framed("fc-signal v1", from, to));
  const body = Buffer.concat([c.update(JSON.stringify({ type, payload, seq })), c.final(), c.getAuthTag()]);
  return { v: 1, n: b64url(nonce), c: b64url(body) };
}

/** The inner { type, payload, seq } of a sealed payload, or null. */
export function open(signalKey, from, to, sealed) {
  try {
    const body = Buffer.from(sealed.c, "base64url");
    const d = createDecipheriv("aes-256-gcm", signalKey, Buffer.from(sealed.n, "base64url"));
    d.setAAD(framed("fc-signal v1", from, to));
    d.setAuthTag(body.subarray(body.length - 16));
    return JSON.parse(Buffer.concat([d.update(body.subarray(0, body.length - 16)), d.final()]).toString());
  } catch {
    return null;
  }
}
