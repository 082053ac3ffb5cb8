// From a room link to the room's keys: a secret is derived at once; a code
// is stretched first (scrypt, seconds on a phone), and what that gave is
// kept for the tab's life, so a reload does not pay for it again.
import { fromBase64url, toBase64url } from "../crypto/bytes";
import { primitives, type Primitives } from "../crypto/primitives";
import { canonicalCode, codeSecret, deriveRoomKeys, type RoomKeys } from "../crypto/room-keys";
import type { RoomRef } from "./room-link";

const CODE_CACHE_KEY = "fc.codeSecret";

export interface RoomAccess {
  keys: RoomKeys;
  crypto: Primitives;
}

export async function openRoom(room: RoomRef, storage: Storage = sessionStorage): Promise<RoomAccess> {
  const crypto = await primitives();
  const secret = room.kind === "secret" ? room.secret : await stretched(room.code, storage);
  return { keys: await deriveRoomKeys(crypto, secret), crypto };
}

async function stretched(code: string, storage: Storage): Promise<Uint8Array> {
  const canonical = canonicalCode(code);
  try {
    const kept = JSON.parse(storage.getItem(CODE_CACHE_KEY) ?? "null") as { code?: unknown; secret?: unknown } | null;
    if (kept?.code === canonical && typeof kept.secret === "string") {
      const secret = fromBase64url(kept.secret);
      if (secret?.length === 32) return secret;
    }
  } catch {
    // unreadable: stretch again
  }
  const secret = await codeSecret(canonical);
  try {
    storage.setItem(CODE_CACHE_KEY, JSON.stringify({ code: canonical, secret: toBase64url(secret) }));
  } catch {
    // storage full or denied: the next reload stretches again
  }
  return secret;
}

/** Drops the stretched code this tab kept (on leaving a room for good). */
export function forgetCodeSecret(storage: Storage = sessionStorage): void {
  storage.removeItem(CODE_CACHE_KEY);
}
