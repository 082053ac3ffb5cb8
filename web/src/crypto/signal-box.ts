// Signals between members, sealed (docs/private-rooms.md): everything a
// member sends another through the server (offers, answers, candidates,
// and so the DTLS fingerprints in them) is encrypted and authenticated
// with the room's signal key. The sender's and recipient's peerIds are
// bound in, and each sender numbers what it sends each recipient, so the
// server can neither read, change, inject, redirect nor replay a signal:
// any of those opens as "tampered" or "replayed", never as a signal.
import { fromBase64url, fromUtf8, toBase64url, utf8 } from "./bytes";
import type { Primitives } from "./primitives";
import { framed } from "./room-keys";

/** The `type` of every sealed signal on the wire; the real one is inside. */
export const SEALED_TYPE = "sealed";

/** The payload on the wire: version, nonce, ciphertext with tag. */
export interface SealedPayload {
  v: 1;
  n: string;
  c: string;
}

export type Opened =
  | { ok: true; type: string; payload: unknown }
  | { ok: false; why: "malformed" | "tampered" | "replayed" };

export class SignalBox {
  #sent = new Map<string, number>(); // recipient peerId -> last seq
  #heard = new Map<string, number>(); // sender peerId -> last seq

  constructor(
    private readonly p: Primitives,
    private readonly key: Uint8Array,
    private readonly nonce: () => Uint8Array = () => crypto.getRandomValues(new Uint8Array(12)),
  ) {}

  async seal(from: string, to: string, type: string, payload: unknown): Promise<SealedPayload> {
    const seq = (this.#sent.get(to) ?? 0) + 1;
    this.#sent.set(to, seq);
    const nonce = this.nonce();
    const plain = utf8(JSON.stringify({ type, payload, seq }));
    const sealed = await this.p.seal(this.key, nonce, plain, aad(from, to));
    return { v: 1, n: toBase64url(nonce), c: toBase64url(sealed) };
  }

  /** `from` is who the server says sent it; `to` is our own peerId. */
  async open(from: string, to: string, wire: unknown): Promise<Opened> {
    const w = wire as Partial<SealedPayload> | null;
    if (!w || typeof w !== "object" || w.v !== 1 || typeof w.n !== "string" || typeof w.c !== "string")
      return { ok: false, why: "malformed" };
    const nonce = fromBase64url(w.n);
    const sealed = fromBase64url(w.c);
    if (!nonce || nonce.length !== 12 || !sealed || sealed.length < 16) return { ok: false, why: "malformed" };
    const plain = await this.p.open(this.key, nonce, sealed, aad(from, to));
    if (!plain) return { ok: false, why: "tampered" };
    let inner: { type?: unknown; payload?: unknown; seq?: unknown };
    try {
      inner = JSON.parse(fromUtf8(plain));
    } catch {
      return { ok: false, why: "tampered" }; // authentic but not ours: a bug or a forged key
    }
    if (typeof inner.type !== "string" || !Number.isSafeInteger(inner.seq) || (inner.seq as number) < 1)
      return { ok: false, why: "tampered" };
    const last = this.#heard.get(from) ?? 0;
    if ((inner.seq as number) <= last) return { ok: false, why: "replayed" };
    this.#heard.set(from, inner.seq as number);
    return { ok: true, type: inner.type, payload: inner.payload };
  }

  /** A peer's new connection (new peerId) starts its numbering afresh. */
  forget(peerId: string): void {
    this.#sent.delete(peerId);
    this.#heard.delete(peerId);
  }
}

function aad(from: string, to: string): Uint8Array {
  return framed("fc-signal v1", from, to);
}
