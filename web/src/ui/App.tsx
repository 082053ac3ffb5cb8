// Routes between the landing page and a room; the URL is the state, so a
// QR code of a room's link opens the room straight away. A room is named
// in the fragment (/r#k=… or /r#c=…, chat/room-link.ts), which never
// reaches a server.
import { lazy, Suspense } from "preact/compat";
import { useEffect, useState } from "preact/hooks";
import { roomFromLocation, roomPath, roomRefKey } from "../chat/room-link";
import { Landing } from "./Landing";
import { HttpsHelp } from "./NeedsHttps";
import { RoomGate } from "./RoomGate";

// The no-server pairing view (and its QR library) is a chunk of its own,
// fetched once the page is idle (preload.ts), so it is there when the
// server is not.
const DirectView = lazy(() => import("./DirectView").then((m) => ({ default: m.DirectView })));

const here = () => ({ path: location.pathname, hash: location.hash });

export function App() {
  const [at, setAt] = useState(here);
  useEffect(() => {
    const onMove = () => setAt(here());
    addEventListener("popstate", onMove);
    addEventListener("hashchange", onMove);
    return () => {
      removeEventListener("popstate", onMove);
      removeEventListener("hashchange", onMove);
    };
  }, []);
  const go = (to: string) => {
    history.pushState(null, "", to);
    setAt(here());
  };
  if (at.path === "/direct")
    return (
      <Suspense fallback={<p>Loading…</p>}>
        <DirectView onLeave={() => go("/")} />
      </Suspense>
    );
  if (at.path === "/help/https") return <HttpsHelp onBack={() => history.back()} />;
  const target = roomFromLocation(at.path, at.hash);
  if (target)
    return <RoomGate key={"room" in target ? roomRefKey(target.room) : "damaged"} target={target} onLeave={() => go("/")} />;
  return <Landing onJoin={(room) => go(roomPath(room))} onDirect={() => go("/direct")} />;
}
