// The room: a header (code, signaling state, Share, Leave), the people in
// it, the conversation and the input. Laid out for a phone first: the
// header and the folded member list take a bounded strip at the top, the
// input stays at the bottom, and the conversation gets the rest; Share
// and Leave open over it instead of pushing it down.
import { useEffect, useMemo, useState } from "preact/hooks";
import { forgetCodeSecret, type RoomAccess } from "../chat/room-access";
import type { RoomRef } from "../chat/room-link";
import { RoomSession, type RoomSnapshot } from "../chat/room-session";
import { loadIdentity } from "../identity";
import { loadSettings, retentionOf } from "../settings";
import { signalingUrl } from "../signaling/url";
import { LeaveDialog } from "./LeaveDialog";
import { MemberList } from "./MemberList";
import { MessageList } from "./MessageList";
import { SharePanel } from "./SharePanel";

/** What the room is called on this device: its code, or for a room
 *  opened by its link (whose secret no one reads aloud) "Private room". */
export const roomName = (room: RoomRef): string => (room.kind === "code" ? room.code : "Private room");

export function RoomView({ room, access, onLeave }: { room: RoomRef; access: RoomAccess; onLeave: () => void }) {
  const settings = useMemo(() => loadSettings(), []);
  const session = useMemo(
    () => new RoomSession(access, loadIdentity(), signalingUrl(), sessionStorage, {
        iceCandidatePoolSize: settings.iceCandidatePoolSize,
        retention: retentionOf(settings),
      }),
    [access, settings],
  );
  const name = roomName(room);
  const [snap, setSnap] = useState<RoomSnapshot>(session.snapshot);
  const [text, setText] = useState("");
  const [open, setOpen] = useState<"share" | "leave" | null>(null);

  useEffect(() => {
    const off = session.on("change", setSnap);
    session.start();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onVisibility = () => {
      clearTimeout(timer);
      // Backgrounded: let go of signaling after a while (data channels stay).
      if (document.hidden) timer = setTimeout(() => session.pause(), settings.backgroundDisconnectMs);
      else session.resume();
    };
    document.addEventListener("visibilitychange", onVisibility);
    // The tab closing or going into the back/forward cache: what arrived
    // in the last moments is saved now.
    const onPageHide = () => session.history.flush();
    window.addEventListener("pagehide", onPageHide);
    return () => {
      off();
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisibility);
      window.removeEventListener("pagehide", onPageHide);
      session.stop();
    };
  }, [session, settings]);

  const send = () => {
    if (session.send(text)) setText("");
  };

  return (
    <main class="room" data-room-id={session.roomId}>
      <header>
        <h1 class="room-code" aria-label={`Room ${name}`}>
          {name}
        </h1>
        <p class={`signaling ${snap.signaling}`} role="status">
          {snap.signaling === "online" ? "online" : snap.signaling === "connecting" ? "connecting…" : "offline: chatting peer-to-peer only"}
        </p>
        <div class="actions">
          <button type="button" onClick={() => setOpen("share")} aria-haspopup="dialog" aria-expanded={open === "share"}>
            Share
          </button>
          <button type="button" onClick={() => setOpen("leave")} aria-haspopup="dialog">
            Leave
          </button>
        </div>
      </header>
      {snap.error && (
        <p class="error" role="alert">
          {snap.error}
        </p>
      )}
      {snap.refused.count > 0 && (
        <p class="error" role="alert">
          {snap.refused.last === "replayed"
            ? "A connection was refused: an old connection request was sent again."
            : "A connection was refused: it was tampered with on its way (a request not made by a holder of this room's key, or changed in transit)."}{" "}
          Your messages go only to members who hold the key.
        </p>
      )}
      <MemberList selfName={snap.self.displayName} members={snap.members} onRename={(name) => session.rename(name)} />
      {snap.keyChanges.length > 0 && (
        <p class="error" role="alert">
          The device key of {snap.keyChanges.map((n) => `“${n}”`).join(", ")} changed: messages signed with the new key are not
          shown. Unless they reset their phone or browser, someone may be posing as them.
        </p>
      )}
      {snap.members.length === 0 && snap.messages.length === 0 && (
        <p class="hint empty-room">
          No one else is here yet. Share the link or QR code{room.kind === "code" ? " or the code" : ""}: a different
          {room.kind === "code" ? " code" : " link"} opens a different room.
        </p>
      )}
      <MessageList messages={snap.messages} awayMarker={snap.awayMarker} />
      <form
        class="composer"
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
      >
        <label for="message" class="visually-hidden">
          Message
        </label>
        <input
          id="message"
          aria-label="Message"
          autocomplete="off"
          enterkeyhint="send"
          placeholder="Write a message"
          value={text}
          maxLength={4000}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <button type="submit">Send</button>
      </form>
      {open === "share" && <SharePanel room={room} onClose={() => setOpen(null)} />}
      {open === "leave" && (
        <LeaveDialog
          roomName={name}
          onCancel={() => setOpen(null)}
          onLeave={onLeave}
          onForgetAndLeave={async () => {
            await session.forgetHistory();
            forgetCodeSecret();
            onLeave();
          }}
        />
      )}
    </main>
  );
}
