// Same-device fallback: tabs of one browser find each other over a
// BroadcastChannel named for the room, with no server at all (demos,
// development, and a phone whose network is gone).
import { Emitter } from "../emitter";
import type { Identity } from "../identity";
import { parsePeerMessage, type ChatMessage } from "./messages";

export interface TabPeer {
  clientId: string;
  displayName: string;
}

type Wire =
  | { kind: "hello"; clientId: string; displayName: string; reply: boolean }
  | { kind: "bye"; clientId: string }
  | { kind: "chat"; message: string };

const ANNOUNCE_EVERY_MS = 5000;
const FORGET_AFTER_MS = 15000;

export class TabChannel extends Emitter<{ message: ChatMessage; tabs: TabPeer[] }> {
  #channel: BroadcastChannel | null = null;
  #tabs = new Map<string, TabPeer & { seen: number }>();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly roomId: string, private self: Identity) {
    super();
  }

  get tabs(): TabPeer[] {
    return [...this.#tabs.values()].map(({ clientId, displayName }) => ({ clientId, displayName }));
  }

  start(): void {
    if (typeof BroadcastChannel === "undefined") return;
    this.#channel = new BroadcastChannel(`fc.room.${this.roomId}`);
    this.#channel.onmessage = ({ data }) => this.#receive(data as Wire);
    this.#announce(false);
    this.#timer = setInterval(() => {
      this.#announce(false);
      const now = Date.now();
      let changed = false;
      for (const [id, t] of this.#tabs)
        if (now - t.seen > FORGET_AFTER_MS) changed = this.#tabs.delete(id) || changed;
      if (changed) this.emit("tabs", this.tabs);
    }, ANNOUNCE_EVERY_MS);
  }

  /** A new clientId or name; other tabs hear of it at once. */
  setIdentity(self: Identity): void {
    this.self = self;
    this.#announce(false);
  }

  send(message: ChatMessage): void {
    this.#post({ kind: "chat", message: JSON.stringify(message) });
  }

  stop(): void {
    this.#post({ kind: "bye", clientId: this.self.clientId });
    clearInterval(this.#timer);
    this.#channel?.close();
    this.#channel = null;
  }

  #announce(reply: boolean): void {
    this.#post({ kind: "hello", clientId: this.self.clientId, displayName: this.self.displayName, reply });
  }

  #post(w: Wire): void {
    try {
      this.#channel?.postMessage(w);
    } catch {
      // channel closed
    }
  }

  #receive(w: Wire): void {
    if (typeof w !== "object" || w === null) return;
    if (w.kind === "hello" && typeof w.clientId === "string" && w.clientId !== this.self.clientId) {
      const known = this.#tabs.get(w.clientId);
      const displayName = String(w.displayName).slice(0, 64);
      this.#tabs.set(w.clientId, { clientId: w.clientId, displayName, seen: Date.now() });
      if (!known && !w.reply) this.#announce(true); // so the newcomer learns of us at once
      if (!known || known.displayName !== displayName) this.emit("tabs", this.tabs);
    } else if (w.kind === "bye" && this.#tabs.delete(w.clientId)) {
      this.emit("tabs", this.tabs);
    } else if (w.kind === "chat") {
      const m = parsePeerMessage(w.message);
      if (m?.type === "chat") this.emit("message", m);
    }
  }
}
