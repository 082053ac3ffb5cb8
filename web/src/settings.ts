// Tunables of the app, each with the default of the system we replace,
// overridable at build time (VITE_*) and per page by a query parameter
// (handy for a venue with odd networks, and for tests).

export interface Settings {
  /** RTCPeerConnection iceCandidatePoolSize (VITE_ICE_CANDIDATE_POOL_SIZE, ?icePool=). */
  iceCandidatePoolSize: number;
  /** A hidden tab lets go of signaling after this long (VITE_BACKGROUND_DISCONNECT_MS, ?background=). */
  backgroundDisconnectMs: number;
}

export const DEFAULT_SETTINGS: Settings = { iceCandidatePoolSize: 15, backgroundDisconnectMs: 60000 };

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
  };
}
