// One room as the UI sees it: the signaling connection, the mesh, the
// same-device tabs, and the room's history (room-history.ts), which every
// open channel keeps in step with the peer at its other end. The room is
// private: the server knows it only by an id derived from its secret, and
// every signal between members is sealed (room-access.ts, crypto/).
import { SignalBox } from "../crypto/signal-box";
import { Emitter } from "../emitter";
import { renewClientId, saveDisplayName, type Identity } from "../identity";
import { Mesh, type Member, type Refusal } from "../rtc/mesh";
import { SignalingClient, type SignalingState } from "../signaling/signaling-client";
import { IndexedDbLogStore, MemoryLogStore, type LogStore } from "./log-store";
import { Authors, type Signer } from "./authors";
import type { ChatMessage, PeerMessage } from "./messages";
import type { RoomAccess } from "./room-access";
import { RoomHistory } from "./room-history";
import type { Retention } from "./room-log";
import { TabChannel } from "./tab-channel";

/** Whether one's own message has reached the others present: no one yet
 *  (it waits in the outbox), some of them, or everyone. */
export type Delivery = "pending" | "some" | "all";

/** A message as the room view shows it, in the room's one order. */
export interface ShownMessage extends ChatMessage {
  own: boolean;
  /** For one's own messages; null for others'. */
  delivery: Delivery | null;
}

export interface RoomSnapshot {
  roomId: string;
  signaling: SignalingState;
  members: Member[];
  messages: readonly ShownMessage[];
  /** The id of the first message that arrived while this device was away
   *  (caught up from peers); the view puts "new since you were away" above
   *  it. Null when there is nothing to mark. */
  awayMarker: string | null;
  self: Identity;
  error: string | null;
  /** Signals refused since the room opened (forged, changed or replayed
   *  on their way through the server), and the last one's reason. */
  refused: { count: number; last: Refusal | null };
  /** Members (their names, or clientIds when unnamed) for whom a second
   *  device key turned up: their messages under it are not shown. */
  keyChanges: string[];
}

export interface RoomOptions {
  iceCandidatePoolSize?: number;
  /** How much history this device keeps per room (room-log.ts). */
  retention?: Retention;
  /** Where it keeps it (IndexedDB unless given). */
  store?: LogStore;
  /** What signs this device's messages (its device key unless given). */
  signer?: Promise<Signer>;
}

export class RoomSession extends Emitter<{ change: RoomSnapshot }> {
  readonly signaling: SignalingClient;
  readonly mesh: Mesh;
  readonly tabs: TabChannel;
  readonly history: RoomHistory;
  #error: string | null = null;
  /** Every clientId this tab has written as (a renewal starts a new one). */
  #ownIds = new Set<string>();
  #notify = false;
  #othersShown = new WeakMap<ChatMessage, ShownMessage>();
  #lastRefusal: Refusal | null = null;
  #ownKey: string | undefined;
  readonly roomId: string;

  constructor(
    access: RoomAccess,
    private self: Identity,
    signalingUrl: string,
    private readonly storage: Storage = sessionStorage,
    { iceCandidatePoolSize, retention, store = defaultStore(), signer }: RoomOptions = {},
  ) {
    super();
    const roomId = (this.roomId = access.keys.roomId);
    this.#ownIds.add(self.clientId);
    this.history = new RoomHistory(roomId, store, new Authors(roomId, signer), retention);
    this.history.on("change", () => this.#changed());
    this.signaling = new SignalingClient(signalingUrl, roomId, self);
    this.mesh = new Mesh(this.signaling, new SignalBox(access.crypto, access.keys.signalKey), iceCandidatePoolSize);
    this.tabs = new TabChannel(roomId, self);
    this.tabs.on("tabs", () => this.#changed());
    this.tabs.on("message", (m) => this.history.receiveFromTab(m));
    this.signaling.on("state", () => this.#changed());
    this.signaling.on("error", (e) => {
      this.#error = e.message;
      this.#changed();
    });
    this.signaling.on("joined", () => {
      this.#error = null;
      this.#changed();
    });
    this.signaling.on("replaced", () => {
      // Another tab took our clientId (a duplicated tab copies
      // sessionStorage, token and all): become someone new and join again.
      this.#renewIdentity();
      this.signaling.rejoin();
    });
    this.signaling.on("client-id-taken", () => {
      // Someone holds our clientId under another token (or it is kept for
      // someone who lost their connection): the signaling client retries
      // once with the identity we give it here.
      this.#renewIdentity();
    });
    this.mesh.on("members", () => this.#changed());
    void this.history.authors.ownKey().then((key) => {
      this.#ownKey = key;
      this.mesh.broadcast(this.#hello());
    });
    this.mesh.on("open", ({ clientId, link }) => {
      // Who we are, said only here: the server is never told our name.
      link.send(this.#hello());
      this.history.attach(clientId, link);
    });
    this.mesh.on("key", ({ clientId, key }) => {
      if (!this.history.authors.pin(clientId, key)) this.#changed();
    });
    this.mesh.on("closed", ({ clientId, link }) => this.history.detach(clientId, link));
    this.mesh.on("rejected", () => this.history.countMalformed());
    this.mesh.on("refused", ({ why }) => {
      this.#lastRefusal = why;
      this.#changed();
    });
    // A silent peer: if our own signaling answers, the fault is elsewhere and
    // ICE can look for a new path now; if not, the signaling client
    // reconnects, and the rejoin kicks the links.
    this.mesh.on("silent", () => void this.signaling.probe().then((alive) => alive && this.mesh.kick()));
    this.mesh.on("message", ({ from, link, message }) => {
      const sync = this.history.syncFor(from.clientId, link);
      if (sync?.handle(message)) return;
      // A chat message before the channel's sync started (it is attached
      // on open, so only in a race): taken as it is.
      if (message.type === "chat") this.history.receive([message], "live");
    });
  }

  #hello(): PeerMessage {
    const { clientId, displayName } = this.self;
    return this.#ownKey ? { type: "hello", clientId, displayName, key: this.#ownKey } : { type: "hello", clientId, displayName };
  }

  #renewIdentity(): void {
    this.self = { ...this.self, ...renewClientId(this.storage) };
    this.#ownIds.add(this.self.clientId);
    this.signaling.setIdentity(this.self);
    this.tabs.setIdentity(this.self);
    this.#changed();
  }

  get snapshot(): RoomSnapshot {
    const members = this.#members();
    return {
      roomId: this.roomId,
      signaling: this.signaling.state,
      members,
      messages: this.#shown(members),
      awayMarker: this.history.awayMarker,
      self: this.self,
      error: this.#error,
      refused: { count: this.mesh.refused, last: this.#lastRefusal },
      keyChanges: this.history.authors.keyChanges.map((id) => this.#nameOf(id, members)),
    };
  }

  start(): void {
    this.tabs.start();
    this.signaling.start();
  }

  stop(): void {
    this.signaling.stop();
    this.mesh.close();
    this.tabs.stop();
    this.history.close();
  }

  /** Deletes this room's history on this device (on leaving for good). */
  async forgetHistory(): Promise<void> {
    this.stop();
    await this.history.forget();
  }

  #nameOf(clientId: string, members: Member[]): string {
    const member = members.find((m) => m.clientId === clientId && m.displayName);
    if (member) return member.displayName;
    const written = this.history.log.messages.filter((m) => m.clientId === clientId).at(-1);
    return written?.displayName || clientId;
  }

  /** Mesh peers, plus tabs of this browser that only the tab channel knows. */
  #members(): Member[] {
    const mesh = this.mesh.members;
    const known = new Set(mesh.filter((m) => m.state !== "lost").map((m) => m.clientId));
    const local: Member[] = this.tabs.tabs
      .filter((t) => !known.has(t.clientId))
      .map((t) => ({ peerId: "", clientId: t.clientId, displayName: t.displayName, state: "same-device" }));
    return [...mesh, ...local];
  }

  /** The log as shown: own messages with how far they got. Same-device
   *  tabs share the store, so they hold everything. */
  #shown(members: Member[]): ShownMessage[] {
    const present = members.filter((m) => m.state !== "lost" && m.state !== "same-device").map((m) => m.clientId);
    return this.history.log.messages.map((m) => {
      if (!this.#ownIds.has(m.clientId)) {
        // Others' messages never change: one shown object each, so a
        // snapshot costs little and the view can tell what is new.
        let shown = this.#othersShown.get(m);
        if (!shown) this.#othersShown.set(m, (shown = { ...m, own: false, delivery: null }));
        return shown;
      }
      return { ...m, own: true, delivery: this.#delivery(m, present) };
    });
  }

  #delivery(m: ChatMessage, present: string[]): Delivery {
    const holders = present.filter((c) => this.history.holds(c, m)).length;
    if (holders === present.length && (holders > 0 || this.history.heldByAnyone(m))) return "all";
    return holders > 0 || this.history.heldByAnyone(m) ? "some" : "pending";
  }

  pause(): void {
    this.signaling.pause();
  }

  resume(): void {
    this.signaling.resume();
  }

  /** A new display name: remembered, told to every peer and tab at once,
   *  and carried by the next join. False for an empty name. */
  rename(name: string): boolean {
    const displayName = name.trim().slice(0, 64);
    if (!displayName) return false;
    if (displayName === this.self.displayName) return true;
    this.self = { ...this.self, displayName };
    saveDisplayName(displayName);
    this.signaling.setIdentity(this.self);
    this.tabs.setIdentity(this.self);
    this.mesh.broadcast(this.#hello());
    this.#changed();
    return true;
  }

  /** Writes a message: shown at once, sent to every open channel and tab,
   *  and kept in the outbox (the log) for peers not reachable now: each
   *  gets it when its channel opens. False for an empty text. */
  send(text: string): boolean {
    const trimmed = text.trim();
    if (!trimmed) return false;
    const { clientId, displayName } = this.self;
    void this.history.compose(clientId, displayName, trimmed).then((m) => this.tabs.send(m));
    return true;
  }

  #changed(): void {
    // Many changes in one task (a catch-up batch, a burst of receipts)
    // make one snapshot.
    if (this.#notify) return;
    this.#notify = true;
    queueMicrotask(() => {
      this.#notify = false;
      this.emit("change", this.snapshot);
    });
  }
}

function defaultStore(): LogStore {
  return typeof indexedDB === "undefined" ? new MemoryLogStore() : new IndexedDbLogStore();
}
