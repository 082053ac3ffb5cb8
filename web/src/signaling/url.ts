// Where the signaling server is: the page's own origin by default,
// overridable at build time (VITE_SIGNALING_URL) and by ?signal=<url>.
export function signalingUrl(search: string = location.search, origin: string = location.origin): string {
  const fromQuery = new URLSearchParams(search).get("signal");
  if (fromQuery && /^https?:\/\//.test(fromQuery)) return fromQuery;
  const fromBuild = import.meta.env.VITE_SIGNALING_URL as string | undefined;
  return fromBuild || origin;
}
