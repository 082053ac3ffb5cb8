// A private room's secret and what is derived from it (docs/private-rooms.md).
// The secret never leaves the devices: the server sees only the room id,
// an HKDF output it cannot invert; signals between peers are sealed with
// another. A code a person types is stretched with scrypt first, so that a
// server trying codes against a room id pays for every guess.
import { concat, toBase32, utf8 } from "./bytes";
import type { Primitives } from "./primitives";

/** Bytes of a new room's secret: 128 bits. */
export const SECRET_BYTES = 16;
/** scrypt cost for typed codes: N = 2^15, r = 8, p = 1 (32 MiB, 2^20 block mixes). */
export const CODE_KDF = { N: 2 ** 15, r: 8, p: 1, dkLen: 32 } as const;
export const CODE_SALT = "festival-chat room code v1";
const HKDF_SALT = utf8("festival-chat v1");

export interface RoomKeys {
  /** What join-room carries: 26 characters of base32 (128 bits). */
  roomId: string;
  /** AES-256-GCM key for signals between members (signal-box.ts). */
  signalKey: Uint8Array;
}

export function newRoomSecret(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(SECRET_BYTES));
}

// Generated codes: 12 characters from an alphabet without look-alikes
// (no 0/o, 1/i/l, u), read aloud in three groups of four: 58.9 bits.
const CODE_ALPHABET = "23456789abcdefghjkmnpqrstvwxyz";
export const CODE_LENGTH = 12;

export function generateRoomCode(): string {
  const out: string[] = [];
  // Rejection sampling: 256 is not a multiple of 30.
  const limit = 256 - (256 % CODE_ALPHABET.length);
  while (out.length < CODE_LENGTH) {
    for (const x of crypto.getRandomValues(new Uint8Array(16)))
      if (x < limit && out.length < CODE_LENGTH) out.push(CODE_ALPHABET[x % CODE_ALPHABET.length]!);
  }
  return [out.slice(0, 4), out.slice(4, 8), out.slice(8)].map((g) => g.join("")).join("-");
}

/** What scrypt is given for a typed code: lower case, accents, spaces and
 *  punctuation dropped, so "K7QF M2XP TH9R" and "k7qf-m2xp-th9r" agree. */
export function canonicalCode(typed: string): string {
  return typed
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "");
}

/** The secret of a typed code: scrypt(canonical code, CODE_SALT), 32 bytes.
 *  Slow on purpose (see CODE_KDF); yields to the page while it runs. */
export async function codeSecret(typed: string): Promise<Uint8Array> {
  const code = canonicalCode(typed);
  if (!code) throw new Error("empty room code");
  const { scryptAsync } = await import("@noble/hashes/scrypt.js");
  return scryptAsync(utf8(code), utf8(CODE_SALT), { ...CODE_KDF, asyncTick: 20 });
}

export async function deriveRoomKeys(p: Primitives, secret: Uint8Array): Promise<RoomKeys> {
  if (secret.length < SECRET_BYTES) throw new Error("a room secret is at least 16 bytes");
  const id = await p.hkdf(secret, HKDF_SALT, utf8("room id"), 16);
  const signalKey = await p.hkdf(secret, HKDF_SALT, utf8("signal key"), 32);
  return { roomId: toBase32(id), signalKey };
}

/** Domain-separated bytes to sign or authenticate: label, then each part
 *  prefixed by its length (4 bytes, big-endian), so no two lists collide. */
export function framed(label: string, ...parts: (string | Uint8Array)[]): Uint8Array {
  const chunks: Uint8Array[] = [utf8(label)];
  for (const part of parts) {
    const bytes = typeof part === "string" ? utf8(part) : part;
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, bytes.length);
    chunks.push(len, bytes);
  }
  return concat(...chunks);
}
