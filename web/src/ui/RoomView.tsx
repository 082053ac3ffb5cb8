// The room: messages, the input, members with their connection state, the
// signaling state, and the share panel (QR, copy link, Web Share).
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { RoomSession, type RoomSnapshot } from "../chat/room-session";
import { loadIdentity } from "../identity";
import type { LinkState } from "../rtc/peer-link";
import { loadSettings } from "../settings";
import { signalingUrl } from "../signaling/url";
import { NeedsHttps } from "./NeedsHttps";

const STATE_LABEL: Record<LinkState, string> = {
  connecting: "connecting",
  direct: "direct",
  relayed: "relayed via TURN",
  reconnecting: "reconnecting",
  lost: "lost",
  "same-device": "this device",
};

export function RoomView({ roomId, onLeave }: { roomId: string; onLeave: () => void }) {
  const settings = useMemo(() => loadSettings(), []);
  const session = useMemo(
    () => new RoomSession(roomId, loadIdentity(), signalingUrl(), sessionStorage, settings.iceCandidatePoolSize),
    [roomId, settings],
  );
  const [snap, setSnap] = useState<RoomSnapshot>(session.snapshot);
  const [text, setText] = useState("");
  const [sharing, setSharing] = useState(false);
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState("");
  const list = useRef<HTMLOListElement>(null);

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
    return () => {
      off();
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisibility);
      session.stop();
    };
  }, [session, settings]);

  useEffect(() => {
    list.current?.lastElementChild?.scrollIntoView({ block: "end" });
  }, [snap.messages.length]);

  const link = `${location.origin}/r/${roomId}`;
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
          <button type="button" onClick={() => setSharing(!sharing)} aria-expanded={sharing}>
            Share
          </button>
          <button type="button" onClick={onLeave}>
            Leave
          </button>
        </div>
      </header>
      {snap.error && <p class="error" role="alert">{snap.error}</p>}
      {sharing && (
        <section class="share" aria-label="Share this room">
          <img src={`/qr.svg?text=${encodeURIComponent(link)}`} alt={`QR code for ${link}`} width={220} height={220} />
          <p class="link">{link}</p>
          {navigator.clipboard ? (
            <button type="button" onClick={() => void navigator.clipboard.writeText(link).catch(() => {})}>
              Copy link
            </button>
          ) : (
            <NeedsHttps what="Copying" instead="show the QR code, or select the link and copy it by hand" />
          )}
          {"share" in navigator && (
            <button type="button" onClick={() => void navigator.share({ title: "Festival Chat", url: link }).catch(() => {})}>
              Share…
            </button>
          )}
        </section>
      )}
      <section class="members" aria-label="People in this room">
        <ul>
          <li class="me">
            {renaming ? (
              <form
                class="rename"
                onSubmit={(e) => {
                  e.preventDefault();
                  if (session.rename(name)) setRenaming(false);
                }}
              >
                <label for="display-name" class="visually-hidden">
                  Your name
                </label>
                <input
                  id="display-name"
                  aria-label="Your name"
                  autocomplete="nickname"
                  maxLength={64}
                  value={name}
                  ref={(el) => el?.focus()}
                  onInput={(e) => setName(e.currentTarget.value)}
                  onKeyDown={(e) => e.key === "Escape" && setRenaming(false)}
                />
                <button type="submit">Save</button>
              </form>
            ) : (
              <>
                {snap.self.displayName} (you){" "}
                <button
                  type="button"
                  class="link-button"
                  onClick={() => {
                    setName(snap.self.displayName);
                    setRenaming(true);
                  }}
                >
                  Change name
                </button>
              </>
            )}
          </li>
          {snap.members.map((m) => (
            <li key={m.clientId} class={`peer ${m.state}`}>
              {m.displayName || "Someone"} <span class="state">{STATE_LABEL[m.state]}</span>
            </li>
          ))}
        </ul>
      </section>
      <ol class="messages" ref={list} aria-live="polite">
        {snap.messages.map((m) => (
          <li key={m.id} class={m.clientId === snap.self.clientId ? "own" : "other"}>
            <span class="author">{m.clientId === snap.self.clientId ? "You" : m.displayName}</span>
            <time dateTime={new Date(m.sentAt).toISOString()}>
              {new Date(m.sentAt).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}
            </time>
            <p class="text">{m.text}</p>
          </li>
        ))}
      </ol>
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
        <input id="message" aria-label="Message" autocomplete="off" value={text} maxLength={4000} onInput={(e) => setText(e.currentTarget.value)} />
        <button type="submit">Send</button>
      </form>
    </main>
  );
}
