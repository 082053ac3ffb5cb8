// Room codes: what a person types becomes a room id of the contract
// (1-64 of [a-z0-9_-], starting with a letter or digit), and memorable new
// codes and display names.

const ROOM_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** Trim, lower-case, spaces to "-", drop what the contract does not allow. */
export function normaliseRoomCode(typed: string): string {
  return typed
    .trim()
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "") // "café" -> "cafe"
    .replace(/\s+/g, "-")
    .replace(/[^a-z0-9_-]/g, "")
    .replace(/^[-_]+/, "")
    .slice(0, 64);
}

export function isValidRoomCode(id: string): boolean {
  return ROOM_ID.test(id);
}

const COLOURS = ["blue", "red", "green", "gold", "pink", "teal", "amber", "lime", "coral", "violet", "silver", "indigo"];
const ANIMALS = ["tiger", "otter", "falcon", "panda", "fox", "lynx", "heron", "koala", "whale", "gecko", "bison", "raven"];

function pick<T>(list: readonly T[], random: () => number): T {
  return list[Math.floor(random() * list.length) % list.length]!;
}

/** A memorable code such as "blue-tiger-42". */
export function generateRoomCode(random: () => number = Math.random): string {
  return `${pick(COLOURS, random)}-${pick(ANIMALS, random)}-${Math.floor(random() * 90) + 10}`;
}

/** A memorable display name such as "Teal Otter". */
export function generateDisplayName(random: () => number = Math.random): string {
  const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);
  return `${cap(pick(COLOURS, random))} ${cap(pick(ANIMALS, random))}`;
}

/** The room id in a path like /r/blue-tiger-42, if any. */
export function roomFromPath(pathname: string): string | null {
  const m = /^\/r\/([^/?#]+)/.exec(pathname);
  if (!m) return null;
  const id = normaliseRoomCode(decodeURIComponent(m[1]!));
  return isValidRoomCode(id) ? id : null;
}
