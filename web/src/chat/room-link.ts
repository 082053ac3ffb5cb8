// Where a room is named: the link's fragment, which browsers never send to
// a server (docs/private-rooms.md). A new room's link carries its secret
// (/r#k=<base64url>); a room with a code carries the code (/r#c=<code>),
// which every device stretches into the secret. /r/<name>, the links of
// the app before private rooms (and printed QR codes), still opens: the
// name is taken as a code.
import { fromBase64url, toBase64url } from "../crypto/bytes";
import { canonicalCode, SECRET_BYTES } from "../crypto/room-keys";
import { normaliseRoomCode } from "./room-code";

export type RoomRef =
  /** The secret itself: 16 random bytes (or a code's 32, stretched). */
  | { kind: "secret"; secret: Uint8Array }
  /** A code a person can type or read aloud, in its display form. */
  | { kind: "code"; code: string };

/** What a link names: a room, nothing, or a room link that is damaged. */
export type LinkTarget = { room: RoomRef } | { damaged: true } | null;

export function roomFromLocation(pathname: string, hash: string): LinkTarget {
  if (pathname === "/r" || pathname === "/r/") {
    const params = new URLSearchParams(hash.replace(/^#/, ""));
    const k = params.get("k");
    if (k !== null) {
      const secret = fromBase64url(k);
      return secret && (secret.length === SECRET_BYTES || secret.length === 32) ? { room: { kind: "secret", secret } } : { damaged: true };
    }
    const c = params.get("c");
    if (c !== null) {
      const code = normaliseRoomCode(c);
      return canonicalCode(code) ? { room: { kind: "code", code } } : { damaged: true };
    }
    return { damaged: true };
  }
  const legacy = /^\/r\/([^/?#]+)/.exec(pathname);
  if (!legacy) return null;
  let name: string;
  try {
    name = normaliseRoomCode(decodeURIComponent(legacy[1]!));
  } catch {
    return { damaged: true };
  }
  return canonicalCode(name) ? { room: { kind: "code", code: name } } : { damaged: true };
}

/** The app path (with fragment) that opens a room. */
export function roomPath(room: RoomRef): string {
  return room.kind === "secret" ? `/r#k=${toBase64url(room.secret)}` : `/r#c=${encodeURIComponent(room.code)}`;
}

/** One string per room, the same for every link to it that is spelt
 *  differently ("K7QF m2xp" and "k7qf-m2xp"). */
export function roomRefKey(room: RoomRef): string {
  return room.kind === "secret" ? `k:${toBase64url(room.secret)}` : `c:${canonicalCode(room.code)}`;
}
