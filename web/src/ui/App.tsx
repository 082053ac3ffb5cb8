// Routes between the landing page and a room; the URL is the state, so a
// QR code of /r/<room> opens the room straight away.
import { lazy, Suspense } from "preact/compat";
import { useEffect, useState } from "preact/hooks";
import { roomFromPath } from "../chat/room-code";
import { Landing } from "./Landing";
import { HttpsHelp } from "./NeedsHttps";
import { RoomView } from "./RoomView";

// The no-server pairing view (and its QR library) is a chunk of its own,
// fetched once the page is idle (preload.ts), so it is there when the
// server is not.
const DirectView = lazy(() => import("./DirectView").then((m) => ({ default: m.DirectView })));

export function App() {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const onPop = () => setPath(location.pathname);
    addEventListener("popstate", onPop);
    return () => removeEventListener("popstate", onPop);
  }, []);
  const go = (to: string) => {
    history.pushState(null, "", to);
    setPath(to);
  };
  if (path === "/direct")
    return (
      <Suspense fallback={<p>Loading…</p>}>
        <DirectView onLeave={() => go("/")} />
      </Suspense>
    );
  if (path === "/help/https") return <HttpsHelp onBack={() => history.back()} />;
  const room = roomFromPath(path);
  return room ? (
    <RoomView key={room} roomId={room} onLeave={() => go("/")} />
  ) : (
    <Landing onJoin={(r) => go(`/r/${r}`)} onDirect={() => go("/direct")} />
  );
}
