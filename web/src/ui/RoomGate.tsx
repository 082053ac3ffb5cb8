// Between a room link and the room: the room's keys are derived on this
// device (a typed code is stretched first, which takes a moment on a
// phone), and a damaged link says so instead of opening some other room.
import { useEffect, useState } from "preact/hooks";
import { openRoom, type RoomAccess } from "../chat/room-access";
import { roomRefKey, type LinkTarget } from "../chat/room-link";
import { RoomView } from "./RoomView";

export function RoomGate({ target, onLeave }: { target: NonNullable<LinkTarget>; onLeave: () => void }) {
  const [access, setAccess] = useState<RoomAccess | null>(null);
  const [failed, setFailed] = useState(false);
  const room = "room" in target ? target.room : null;
  // The room's identity, not the object: a re-render of the same link
  // must not open the room (and a new session) again.
  const key = room ? roomRefKey(room) : null;

  useEffect(() => {
    if (!room) return;
    let live = true;
    openRoom(room).then(
      (a) => live && setAccess(a),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [key]);

  if (!room || failed)
    return (
      <main class="landing">
        <h1>This room link is damaged</h1>
        <p role="alert" class="error">
          {room
            ? "This browser could not open the room's keys."
            : "Part of the link is missing or changed, so it names no room. Ask for the link or QR code again, or type the room code."}
        </p>
        <button type="button" class="primary" onClick={onLeave}>
          Back to the start
        </button>
      </main>
    );
  if (!access)
    return (
      <main class="landing" aria-busy="true">
        <h1>Opening the room…</h1>
        {room.kind === "code" && <p class="hint">Turning the code into the room's key takes a few seconds on a phone.</p>}
      </main>
    );
  return <RoomView room={room} access={access} onLeave={onLeave} />;
}
