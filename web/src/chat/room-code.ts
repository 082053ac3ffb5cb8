// Room codes as people type and read them, and memorable display names.
// A code is a room's secret (stretched, crypto/room-keys.ts); this is only
// its display form.

/** Trim, lower-case, accents and punctuation dropped, spaces to "-":
 *  " K7QF M2XP  th9r" reads "k7qf-m2xp-th9r". */
export function normaliseRoomCode(typed: string): string {
  return typed
    .trim()
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "") // "café" -> "cafe"
    .replace(/\s+/g, "-")
    .replace(/[^a-z0-9-]/g, "")
    .replace(/-+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 64);
}

/** Below this many letters and digits a code is easy to guess: the app
 *  says so (codes it makes have 12). */
export const WEAK_CODE_LENGTH = 10;

const COLOURS = ["blue", "red", "green", "gold", "pink", "teal", "amber", "lime", "coral", "violet", "silver", "indigo"];
const ANIMALS = ["tiger", "otter", "falcon", "panda", "fox", "lynx", "heron", "koala", "whale", "gecko", "bison", "raven"];

function pick<T>(list: readonly T[], random: () => number): T {
  return list[Math.floor(random() * list.length) % list.length]!;
}

/** A memorable display name such as "Teal Otter". */
export function generateDisplayName(random: () => number = Math.random): string {
  const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);
  return `${cap(pick(COLOURS, random))} ${cap(pick(ANIMALS, random))}`;
}
