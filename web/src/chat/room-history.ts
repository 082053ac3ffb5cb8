// A room's history on this device and everything that feeds it: the log
// (room-log.ts), loaded from and written back to the store (log-store.ts),
// the per-channel sync (peer-sync.ts), what each peer has told us it holds
// (for "sent to everyone"), and the "new since you were away" marker.
// Nothing enters the log unsigned: one's own messages are signed as they
// are written, and others' are checked before they are taken (authors.ts).
// The room session and the direct-pairing view both use one.
import { Emitter } from "../emitter";
import type { Authors, Verdict } from "./authors";
import type { LogStore } from "./log-store";
import { messageId, rangesHold, type ChatMessage, type Have } from "./messages";
import { PeerSync, type SyncDrop, type SyncHost, type SyncLink } from "./peer-sync";
import { compareOrder, RoomLog, type Retention } from "./room-log";

const SAVE_DELAY_MS = 50;

/** Why inbound messages were not taken. */
export type Drop = SyncDrop | "malformed" | Exclude<Verdict, "ok">;
const EXPIRE_EVERY_MS = 60000;

export class RoomHistory extends Emitter<{ change: void }> {
  readonly log: RoomLog;
  /** Resolves once the stored history is in the log (or could not be read). */
  readonly ready: Promise<void>;
  #arrived = new Map<string, number>();
  #holds = new Map<string, Have>();
  #syncs = new Map<string, { link: SyncLink; sync: PeerSync }>();
  #marker: ChatMessage | null = null;
  #unsaved: { add: Map<string, ChatMessage>; remove: Map<string, ChatMessage> } = { add: new Map(), remove: new Map() };
  #saveTimer: ReturnType<typeof setTimeout> | undefined;
  #saving: Promise<void> = Promise.resolve();
  #expiry: ReturnType<typeof setInterval> | undefined;
  #dropped: Partial<Record<Drop, number>> = {};
  #closed = false;

  constructor(
    readonly roomId: string,
    private readonly store: LogStore,
    readonly authors: Authors,
    retention?: Retention,
  ) {
    super();
    this.log = new RoomLog(retention);
    this.ready = this.#load();
    this.#expiry = setInterval(() => this.#forget(this.log.expire()), EXPIRE_EVERY_MS);
  }

  async #load(): Promise<void> {
    try {
      const stored = await this.store.load(this.roomId);
      this.log.restoreCounters(stored.clock, stored.ownSeq);
      const evicted: ChatMessage[] = [];
      for (const m of stored.messages) {
        // Checked when it came in: its key stands for its author.
        if (m.key) this.authors.pin(m.clientId, m.key);
        const r = this.log.add(m);
        if (r.added) evicted.push(...r.evicted);
        else if (r.why === "expired" || r.why === "too-old") evicted.push(m);
      }
      this.#forget(evicted);
    } catch (e) {
      console.warn("history could not be read; this room's messages live only as long as the page", e);
    }
    this.emit("change", undefined);
  }

  /** The first message that came in by catch-up since the marker was last
   *  cleared, when there was already history to come back to. */
  get awayMarker(): string | null {
    return this.#marker ? messageId(this.#marker) : null;
  }

  clearMarker(): void {
    if (!this.#marker) return;
    this.#marker = null;
    this.emit("change", undefined);
  }

  /** How many inbound messages were dropped, and why. */
  get dropped(): Readonly<Partial<Record<Drop, number>>> {
    return this.#dropped;
  }

  /** Whether a peer told us it holds this message. */
  holds(clientId: string, m: ChatMessage): boolean {
    return rangesHold(this.#holds.get(clientId)?.[m.clientId], m.seq);
  }

  /** Whether any peer ever told us it holds this message. */
  heldByAnyone(m: ChatMessage): boolean {
    for (const have of this.#holds.values()) if (rangesHold(have[m.clientId], m.seq)) return true;
    return false;
  }

  /** A message written here: into the log, the store, and every open channel. */
  async compose(clientId: string, displayName: string, text: string): Promise<ChatMessage> {
    await this.ready;
    const m = await this.authors.sign(this.log.compose(clientId, displayName, text));
    this.#marker = null;
    const r = this.log.add(m);
    this.#arrived.set(messageId(m), Date.now());
    this.#accept([m], r.added ? r.evicted : []);
    // One's own words go to disk at once: a tab closed right after sending
    // would otherwise take the last message with it (others may never have
    // received it).
    this.flush();
    for (const { sync } of this.#syncs.values()) sync.sendLive(m);
    return m;
  }

  /** A channel to a peer opened (or came back after a silence): start
   *  comparing histories over it. Replaces any older channel of the peer. */
  attach(peer: string, link: SyncLink): PeerSync {
    // A channel heard again after a silence starts over too: a fresh
    // summary, and whatever went missing meanwhile is sent again.
    this.#syncs.get(peer)?.sync.stop();
    const sync = new PeerSync(link, this.#hostFor(peer));
    this.#syncs.set(peer, { link, sync });
    void this.ready.then(() => {
      if (this.#syncs.get(peer)?.sync === sync && !this.#closed) sync.start();
    });
    return sync;
  }

  detach(peer: string, link: SyncLink): void {
    const known = this.#syncs.get(peer);
    if (known?.link !== link) return;
    known.sync.stop();
    this.#syncs.delete(peer);
  }

  syncFor(peer: string, link: SyncLink): PeerSync | undefined {
    const known = this.#syncs.get(peer);
    return known?.link === link ? known.sync : undefined;
  }

  /** Messages from a same-device tab (they share the store). */
  receiveFromTab(m: ChatMessage): void {
    void this.ready.then(() => this.receive([m], "live"));
  }

  countMalformed(): void {
    this.#count("malformed", 1);
  }

  /** Adds messages from a peer or a tab once their signatures check out;
   *  resolves to how many were new. */
  async receive(messages: ChatMessage[], how: "live" | "catch-up"): Promise<number> {
    // A message held already is not checked again (a copy that differs is
    // a conflict, refused by the log).
    const verdicts = await Promise.all(
      messages.map((m): Promise<Verdict> | Verdict => (this.log.has(messageId(m)) ? "ok" : this.authors.verify(m))),
    );
    const checked = messages.filter((_m, i) => {
      const v = verdicts[i]!;
      if (v !== "ok") this.#count(v, 1);
      return v === "ok";
    });
    if (this.#closed) return 0;
    return this.#add(checked, how);
  }

  #add(messages: ChatMessage[], how: "live" | "catch-up"): number {
    const hadHistory = this.log.size > 0;
    const added: ChatMessage[] = [];
    const evicted: ChatMessage[] = [];
    const now = Date.now();
    for (const m of messages) {
      const r = this.log.add(m, now);
      if (r.added) {
        added.push(r.message);
        evicted.push(...r.evicted);
        this.#arrived.set(messageId(m), now);
      } else if (r.why !== "duplicate") {
        this.#count(r.why, 1);
      }
    }
    for (const e of evicted) this.#arrived.delete(messageId(e));
    if (how === "catch-up" && hadHistory) {
      for (const m of added)
        if (this.log.has(messageId(m)) && (!this.#marker || compareOrder(m, this.#marker) < 0)) this.#marker = m;
    }
    if (added.length || evicted.length) this.#accept(added, evicted);
    return added.length;
  }

  arrivedAt(id: string): number {
    return this.#arrived.get(id) ?? 0;
  }

  #hostFor(peer: string): SyncHost {
    return {
      log: this.log,
      receive: (messages, how) => this.receive(messages, how),
      peerHolds: (have) => {
        this.#holds.set(peer, have);
        this.emit("change", undefined);
      },
      arrivedAt: (id) => this.arrivedAt(id),
      dropped: (why, n) => this.#count(why, n ?? 1),
    };
  }

  #count(why: Drop, n: number): void {
    this.#dropped[why] = (this.#dropped[why] ?? 0) + n;
  }

  /** Leaves the room for good on this device: its history is deleted. */
  async forget(): Promise<void> {
    this.close();
    this.log.clear();
    await this.#saving;
    await this.store.forget(this.roomId);
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#expiry);
    for (const { sync } of this.#syncs.values()) sync.stop();
    this.#syncs.clear();
    this.flush();
  }

  /** Starts saving whatever is not saved yet, now instead of after
   *  SAVE_DELAY_MS (one's own message; a page going away). */
  flush(): void {
    if (this.#saveTimer) {
      clearTimeout(this.#saveTimer);
      this.#saveTimer = undefined;
    }
    if (this.#unsaved.add.size || this.#unsaved.remove.size) this.#save();
  }

  #accept(added: ChatMessage[], evicted: ChatMessage[] = []): void {
    for (const m of added) {
      this.#unsaved.add.set(messageId(m), m);
      this.#unsaved.remove.delete(messageId(m));
    }
    this.#forget(evicted, false);
    this.emit("change", undefined);
  }

  #forget(gone: ChatMessage[], notify = true): void {
    for (const m of gone) {
      const id = messageId(m);
      if (!this.#unsaved.add.delete(id)) this.#unsaved.remove.set(id, m);
      if (this.#marker && messageId(this.#marker) === id) this.#marker = null;
    }
    this.#scheduleSave();
    if (gone.length && notify) this.emit("change", undefined);
  }

  #scheduleSave(): void {
    if (this.#closed || this.#saveTimer) return;
    this.#saveTimer = setTimeout(() => {
      this.#saveTimer = undefined;
      this.#save();
    }, SAVE_DELAY_MS);
  }

  #save(): void {
    const change = {
      add: [...this.#unsaved.add.values()],
      remove: [...this.#unsaved.remove.values()],
      clock: this.log.clock,
      ownSeq: this.log.ownSeq,
    };
    this.#unsaved = { add: new Map(), remove: new Map() };
    // One save at a time, in order; a failed save loses nothing in memory.
    this.#saving = this.#saving
      .then(() => this.store.save(this.roomId, change))
      .catch((e: unknown) => console.warn("history could not be saved", e));
  }
}
