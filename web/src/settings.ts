// Tunables of the app, each with the default of the system we replace,
// overridable at build time (VITE_*) and per page by a query parameter
// (handy for a venue with odd networks, and for tests).
import type { Retention } from "./chat/room-log";

export interface Settings {
  /** RTCPeerConnection iceCandidatePoolSize (VITE_ICE_CANDIDATE_POOL_SIZE, ?icePool=). */
  iceCandidatePoolSize: number;
  /** A hidden tab lets go of signaling after this long (VITE_BACKGROUND_DISCONNECT_MS, ?background=). */
  backgroundDisconnectMs: number;
  /** Messages kept per room on this device (VITE_HISTORY_MESSAGES, ?history=). */
  historyMessages: number;
  /** Hours a message is kept (VITE_HISTORY_HOURS, ?historyHours=). */
  historyHours: number;
}

export const DEFAULT_SETTINGS: Settings = {
  // The system we replace pre-gathered 15. Not here: in Chromium 156 a
  // connection with any candidate pool that answers an offer at once (a
  // peer starting over, several links replaced together) sometimes gathers
  // no candidate at all, and an ICE restart does not mend it: 5 to 9 of 60
  // to 120 answerers with a pool of 1 or 15, none of 120 without one. On a
  // LAN a host candidate costs a millisecond anyway.
  iceCandidatePoolSize: 0,
  backgroundDisconnectMs: 60000,
  historyMessages: 2000,
  historyHours: 24,
};

function pick(query: string | null, build: string | undefined, fallback: number, max: number): number {
  for (const raw of [query, build]) {
    if (raw == null || raw === "") continue;
    const n = Number(raw);
    if (Number.isInteger(n) && n >= 0 && n <= max) return n;
  }
  return fallback;
}

export function loadSettings(search: string = location.search, env: Record<string, string | undefined> = import.meta.env): Settings {
  const q = new URLSearchParams(search);
  return {
    iceCandidatePoolSize: pick(q.get("icePool"), env.VITE_ICE_CANDIDATE_POOL_SIZE, DEFAULT_SETTINGS.iceCandidatePoolSize, 255),
    backgroundDisconnectMs: pick(q.get("background"), env.VITE_BACKGROUND_DISCONNECT_MS, DEFAULT_SETTINGS.backgroundDisconnectMs, 24 * 3600 * 1000),
    historyMessages: Math.max(1, pick(q.get("history"), env.VITE_HISTORY_MESSAGES, DEFAULT_SETTINGS.historyMessages, 100000)),
    historyHours: Math.max(1, pick(q.get("historyHours"), env.VITE_HISTORY_HOURS, DEFAULT_SETTINGS.historyHours, 24 * 365)),
  };
}

/** The history bounds the settings ask for; one author may hold a quarter. */
export function retentionOf(s: Settings): Retention {
  return { maxMessages: s.historyMessages, maxPerAuthor: Math.max(1, Math.ceil(s.historyMessages / 4)), maxAgeMs: s.historyHours * 3600 * 1000 };
}
