// Who wrote what. Every chat message of a room is signed with its author's
// device key (Ed25519) and carries the public half; every receiver checks
// the signature before the message enters its log, whoever passed it on
// (the author, a peer catching us up, a tab). The first key seen for a
// clientId is kept; a message or hello naming that clientId with another
// key is not taken, and the change is shown. docs/private-rooms.md has the
// signed bytes.
import { fromBase64url, toBase64url } from "../crypto/bytes";
import { primitives, type Primitives, type SigningKey } from "../crypto/primitives";
import { framed } from "../crypto/room-keys";
import { loadDeviceSeed } from "../identity";
import type { ChatMessage } from "./messages";

export type Verdict = "ok" | "unsigned" | "bad-signature" | "key-changed";

export interface Signer {
  crypto: Primitives;
  key: SigningKey;
}

let device: Promise<Signer> | null = null;

/** This device's signing key (identity.ts keeps its seed), made once per page. */
export function deviceSigner(): Promise<Signer> {
  device ??= (async () => {
    const crypto = await primitives();
    return { crypto, key: await crypto.signingKey(loadDeviceSeed()) };
  })();
  device.catch(() => (device = null)); // the next caller tries again
  return device;
}

/** The bytes an author signs: the room, then every field of the message
 *  but the signature, and the key that signs. */
export function signedBytes(roomId: string, m: ChatMessage, publicKey: Uint8Array): Uint8Array {
  return framed("fc-chat v1", roomId, m.clientId, String(m.seq), String(m.lamport), m.displayName, m.text, String(m.sentAt), publicKey);
}

export class Authors {
  #pins = new Map<string, string>();
  #changed = new Set<string>();

  constructor(
    private readonly roomId: string,
    private readonly signer: Promise<Signer> = deviceSigner(),
  ) {}

  /** This device's public key, base64url. */
  async ownKey(): Promise<string> {
    return toBase64url((await this.signer).key.publicKey);
  }

  /** The message with this device's key and signature. */
  async sign(m: ChatMessage): Promise<ChatMessage> {
    const { key } = await this.signer;
    const signature = await key.sign(signedBytes(this.roomId, m, key.publicKey));
    const signed: ChatMessage = { ...m, key: toBase64url(key.publicKey), sig: toBase64url(signature) };
    this.pin(m.clientId, signed.key!);
    return signed;
  }

  /** Takes a clientId's key as known (from its hello, or from history this
   *  device checked before). False if another key was known for it. */
  pin(clientId: string, key: string): boolean {
    const known = this.#pins.get(clientId);
    if (known === undefined) {
      this.#pins.set(clientId, key);
      return true;
    }
    if (known === key) return true;
    this.#changed.add(clientId);
    return false;
  }

  /** clientIds for which a second key turned up. */
  get keyChanges(): readonly string[] {
    return [...this.#changed];
  }

  async verify(m: ChatMessage): Promise<Verdict> {
    if (m.sig === undefined || m.key === undefined || m.seq === 0 || !Number.isSafeInteger(m.sentAt)) return "unsigned";
    const publicKey = fromBase64url(m.key);
    const signature = fromBase64url(m.sig);
    if (publicKey?.length !== 32 || signature?.length !== 64) return "bad-signature";
    const { crypto } = await this.signer;
    if (!(await crypto.verify(publicKey, signedBytes(this.roomId, m, publicKey), signature))) return "bad-signature";
    return this.pin(m.clientId, m.key) ? "ok" : "key-changed";
  }
}
