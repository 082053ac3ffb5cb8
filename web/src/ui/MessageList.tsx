// The conversation: messages in the room's order, a divider above what came
// in while this device was away, delivery marks on one's own messages. It
// follows the newest message while the reader is at the bottom and leaves
// the view alone while they read further up ("↓ New messages" brings them
// back). Long histories render only the rows around the viewport.
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { Delivery, ShownMessage } from "../chat/room-session";
import { rowWindow } from "./row-window";

/** Up to this many messages every one is in the DOM (find-in-page works,
 *  and a few hundred rows cost nothing); above it only those near the view. */
export const RENDER_ALL_UP_TO = 200;
/** Rendered beyond each edge of the view, so a fling meets rows, not blank space. */
const OVERSCAN_PX = 800;
/** Closer than this to the bottom counts as "reading the newest". */
const NEAR_BOTTOM_PX = 48;
/** The list's row gap (.room .messages in styles.css). */
const GAP_PX = 8;
/** A row's height before it has been measured: one short message. */
const FIRST_ESTIMATE_PX = 64;

const DELIVERY: Record<Delivery, { glyph: string; label: string }> = {
  pending: { glyph: "◷", label: "not sent yet" },
  some: { glyph: "✓", label: "sent to some" },
  all: { glyph: "✓✓", label: "sent to everyone" },
};

type Row = { key: string; message: ShownMessage } | { key: "away"; message: null };

export function MessageList({ messages, awayMarker }: { messages: readonly ShownMessage[]; awayMarker: string | null }) {
  const list = useRef<HTMLOListElement>(null);
  // Follow the newest message: true while the reader is at the bottom.
  const stick = useRef(true);
  // The away divider still has to be brought into view (it may not be
  // rendered yet when the list is windowed): tries left.
  const revealAway = useRef(0);
  const heights = useRef(new Map<string, number>());
  const [unseen, setUnseen] = useState(false);
  const [view, setView] = useState({ top: 0, height: 0 });
  const [, setMeasured] = useState(0);

  // Rebuilt every render (a few thousand entries at most): the snapshot's
  // array may be the same one, grown or reordered in place.
  const rows: Row[] = [];
  for (const m of messages) {
    if (m.id === awayMarker) rows.push({ key: "away", message: null });
    rows.push({ key: m.id, message: m });
  }

  const windowed = messages.length > RENDER_ALL_UP_TO;
  // Rows not measured yet are taken to be as tall as the average measured one.
  const known = [...heights.current.values()];
  const estimate = known.length ? known.reduce((a, b) => a + b, 0) / known.length : FIRST_ESTIMATE_PX;
  const heightOf = (key: string) => heights.current.get(key) ?? estimate;
  let win = { start: 0, end: rows.length, before: 0, after: 0 };
  if (windowed) {
    win = rowWindow(
      rows.map((r) => heightOf(r.key)),
      GAP_PX,
      // Following the newest: render the end whatever scrollTop said last.
      { top: stick.current ? Infinity : view.top, height: view.height || window.innerHeight, overscan: OVERSCAN_PX },
    );
  }

  const toBottom = () => {
    const el = list.current;
    if (el) el.scrollTop = el.scrollHeight;
  };

  const showAway = (): boolean => {
    const el = list.current;
    const divider = el?.querySelector<HTMLElement>('[role="separator"]');
    if (!el) return false;
    if (!divider) {
      // Windowed and out of range: jump to where it should be; the scroll
      // renders it and the next layout pass places it exactly.
      const at = rows.findIndex((r) => r.key === "away");
      if (at >= 0 && windowed) {
        let top = 0;
        // The same sums the window is cut by, so the scroll renders it.
        for (let i = 0; i < at; i++) top += heightOf(rows[i].key) + GAP_PX;
        el.scrollTop = top;
        setView({ top: el.scrollTop, height: el.clientHeight });
      }
      return false;
    }
    el.scrollTop += divider.getBoundingClientRect().top - el.getBoundingClientRect().top - GAP_PX;
    stick.current = atBottom(el);
    setUnseen(!stick.current);
    return true;
  };

  // Every render: measure what is on screen, and keep following the newest.
  useLayoutEffect(() => {
    const el = list.current;
    if (!el) return;
    let changed = false;
    for (const child of el.children) {
      const key = (child as HTMLElement).dataset.key;
      if (!key) continue;
      const h = (child as HTMLElement).offsetHeight;
      if (Math.abs((heights.current.get(key) ?? -1) - h) > 0.5) {
        heights.current.set(key, h);
        changed = true;
      }
    }
    if (revealAway.current > 0 && showAway()) revealAway.current = 0;
    else if (revealAway.current > 0) revealAway.current--;
    else if (stick.current) toBottom();
    // Re-render with the true heights (the spacers follow); this settles,
    // since a row's height does not depend on the spacers around it.
    if (changed && windowed) setMeasured((v) => v + 1);
  });

  // A new newest message (keyed on its id: the log is capped, so its length
  // stops changing once full).
  const lastId = messages.at(-1)?.id;
  const lastOwn = messages.at(-1)?.own ?? false;
  useLayoutEffect(() => {
    if (!lastId) return;
    if (stick.current || lastOwn) {
      // Following, or one's own message just sent: show it.
      stick.current = true;
      setUnseen(false);
      toBottom();
    } else {
      setUnseen(true);
    }
  }, [lastId]);

  // What arrived while away: bring its divider into view, once per marker.
  useLayoutEffect(() => {
    if (!awayMarker) return;
    stick.current = false;
    revealAway.current = 3;
    if (showAway()) revealAway.current = 0;
  }, [awayMarker]);

  // The list's own size changes (member list opened, keyboard, rotation):
  // keep the newest in view if following, and window for the new height.
  useEffect(() => {
    const el = list.current;
    if (!el) return;
    const resized = new ResizeObserver(() => {
      if (stick.current) toBottom();
      setView({ top: el.scrollTop, height: el.clientHeight });
    });
    resized.observe(el);
    return () => resized.disconnect();
  }, []);

  const onScroll = () => {
    const el = list.current;
    if (!el) return;
    stick.current = atBottom(el);
    if (stick.current) setUnseen(false);
    if (windowed) setView({ top: el.scrollTop, height: el.clientHeight });
  };

  return (
    <div class="conversation">
      <ol
        class="messages"
        ref={list}
        // Windowed, rows come and go as one scrolls: announcing those would
        // read old messages aloud.
        aria-live={windowed ? "off" : "polite"}
        onScroll={onScroll}
      >
        {win.before > 0 && <Spacer height={win.before - GAP_PX} />}
        {rows.slice(win.start, win.end).map((r) =>
          r.message ? (
            <MessageRow key={r.key} m={r.message} />
          ) : (
            <li key="away" data-key="away" role="separator" class="away-marker">
              New since you were away
            </li>
          ),
        )}
        {win.after > 0 && <Spacer height={win.after - GAP_PX} />}
      </ol>
      {unseen && (
        <button
          type="button"
          class="to-newest"
          onClick={() => {
            stick.current = true;
            setUnseen(false);
            toBottom();
          }}
        >
          ↓ New messages
        </button>
      )}
    </div>
  );
}

/** Stands in for the rows not rendered. Not padding on the list: a scroller's
 *  padding counts towards its own height, so it would stretch the list past
 *  the screen instead of scrolling. Its own gap is taken off its height. */
function Spacer({ height }: { height: number }) {
  return <li class="spacer" aria-hidden="true" style={{ height: `${Math.max(0, height)}px` }} />;
}

function MessageRow({ m }: { m: ShownMessage }) {
  const sent = new Date(m.sentAt);
  const mark = m.own && m.delivery ? DELIVERY[m.delivery] : null;
  return (
    <li data-id={m.id} data-key={m.id} class={m.own ? "own" : "other"}>
      <span class="author">{m.own ? "You" : m.displayName}</span>
      <time dateTime={sent.toISOString()}>{sent.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}</time>
      {mark && (
        <span class={`delivery ${m.delivery}`} title={mark.label}>
          <span aria-hidden="true">{mark.glyph}</span>
          <span class="visually-hidden">{mark.label}</span>
        </span>
      )}
      <p class="text">{m.text}</p>
    </li>
  );
}

function atBottom(el: HTMLElement): boolean {
  return el.scrollHeight - el.scrollTop - el.clientHeight <= NEAR_BOTTOM_PX;
}
