// The room: a header (code, signaling state, Share, Leave), the people in
// it, the conversation and the input. Laid out for a phone first: the
// header and the folded member list take a bounded strip at the top, the
// input stays at the bottom, and the conversation gets the rest; Share
// and Leave open over it instead of pushing it down.
import { useEffect, useMemo, useState } from "preact/hooks";
import { RoomSession, type RoomSnapshot } from "../chat/room-session";
import { loadIdentity } from "../identity";
import { loadSettings, retentionOf } from "../settings";
import { signalingUrl } from "../signaling/url";
import { LeaveDialog } from "./LeaveDialog";
import { MemberList } from "./MemberList";
import { MessageList } from "./MessageList";
import { SharePanel } from "./SharePanel";

export function RoomView({ roomId, onLeave }: { roomId: string; onLeave: () => void }) {
  const settings = useMemo(() => loadSettings(), []);
  const session = useMemo(
    () => new RoomSession(roomId, loadIdentity(), signalingUrl(), sessionStorage, {
        iceCandidatePoolSize: settings.iceCandidatePoolSize,
        retention: retentionOf(settings),
      }),
    [roomId, settings],
  );
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
    <main class="room">
      <header>
        <h1 class="room-code" aria-label={`Room ${roomId}`}>
          {roomId}
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
      <MemberList selfName={snap.self.displayName} members={snap.members} onRename={(name) => session.rename(name)} />
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
      {open === "share" && <SharePanel roomId={roomId} onClose={() => setOpen(null)} />}
      {open === "leave" && (
        <LeaveDialog
          roomId={roomId}
          onCancel={() => setOpen(null)}
          onLeave={onLeave}
          onForgetAndLeave={async () => {
            await session.forgetHistory();
            onLeave();
          }}
        />
      )}
    </main>
  );
}
