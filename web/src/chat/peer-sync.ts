// Anti-entropy over one open data channel. When the channel opens, both
// sides send a summary of what they hold ("sync"); each answers with what
// the other lacks, oldest first, in bounded batches that wait for the
// channel's send buffer to drain. Messages by anyone are passed on, so a
// phone that was away catches up from whoever it reaches. Receipts ("ack")
// tell an author who holds its messages. Every inbound rate is bounded.
import { MAX_BATCH, messageId, type ChatMessage, type Have, type PeerMessage } from "./messages";
import type { RoomLog } from "./room-log";

/** The data channel as sync needs it (rtc/peer-link.ts, rtc/direct-link.ts). */
export interface SyncLink {
  send(message: PeerMessage): boolean;
  readonly bufferedAmount: number;
  /** Calls back once the send buffer has drained below its low mark. */
  onDrain(callback: () => void): () => void;
}

/** Why inbound sync traffic was dropped. */
export type SyncDrop = "flood" | "summary-rate" | "duplicate" | "conflict" | "expired" | "too-old";

export interface SyncHost {
  readonly log: RoomLog;
  /** Adds messages from the peer to the room (and stores them); returns how many were new. */
  receive(messages: ChatMessage[], how: "live" | "catch-up"): Promise<number>;
  /** The peer told us what it holds. */
  peerHolds(have: Have): void;
  /** When this device first got the message (0: from its own store). */
  arrivedAt(id: string): number;
  dropped(why: SyncDrop, n?: number): void;
}

/** Stop sending batches while this much waits in the channel's buffer. */
export const HIGH_WATER = 128 * 1024;
/** ...and go on once it is below this (the channel's bufferedamountlow). */
export const LOW_WATER = 32 * 1024;
const BATCH_CHARS = 48 * 1024;
/** At most one summary answered per second per peer; later ones wait. */
const SUMMARY_INTERVAL_MS = 1000;
const ACK_DELAY_MS = 150;
/** A peer's state is compared with ours this often, to heal a partial mesh. */
export const GOSSIP_EVERY_MS = 10000;
/** On a receipt, messages this new are left to their author's own send. */
const SETTLE_MS = 2000;
/** Inbound messages per peer: a burst of a full history, then a steady rate. */
const INBOUND_RATE_PER_S = 50;

export class PeerSync {
  #queue: ChatMessage[] = [];
  /** Ids sent or queued on this channel: nothing goes twice. */
  #sent = new Set<string>();
  #floor = 0;
  #summaryAt = 0;
  #pendingSummary: { have: Have; floor: number | null } | null = null;
  #summaryTimer: ReturnType<typeof setTimeout> | undefined;
  #ackTimer: ReturnType<typeof setTimeout> | undefined;
  #gossip: ReturnType<typeof setInterval> | undefined;
  #peerHave = "";
  #tokens: number;
  #tokensAt = Date.now();
  #offDrain: (() => void) | null = null;
  #stopped = false;

  constructor(private readonly link: SyncLink, private readonly host: SyncHost) {
    this.#tokens = host.log.retention.maxMessages + 500;
  }

  /** The channel is open: tell the peer what we hold. */
  start(): void {
    this.#sendSummary();
    this.#gossip = setInterval(() => {
      if (JSON.stringify(this.host.log.summary()) !== this.#peerHave) this.#sendSummary();
    }, GOSSIP_EVERY_MS);
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#summaryTimer);
    clearTimeout(this.#ackTimer);
    clearInterval(this.#gossip);
    this.#offDrain?.();
    this.#queue = [];
  }

  /** A message composed here (or by a tab of this device), sent at once. */
  sendLive(m: ChatMessage): void {
    const id = messageId(m);
    this.#bound();
    if (this.#stopped || this.#sent.has(id)) return;
    if (this.link.send(m)) this.#sent.add(id);
  }

  /** Takes the sync messages among what the peer sent; false for others. */
  handle(m: PeerMessage): boolean {
    if (this.#stopped) return m.type === "chat" || m.type === "batch" || m.type === "sync" || m.type === "ack";
    switch (m.type) {
      case "chat":
        this.#inbound([m], "live");
        return true;
      case "batch":
        this.#inbound(m.messages, "catch-up");
        return true;
      case "sync":
        this.#summary(m.have, m.floor);
        return true;
      case "ack":
        this.#summary(m.have, null);
        return true;
      default:
        return false;
    }
  }

  #inbound(messages: ChatMessage[], how: "live" | "catch-up"): void {
    const now = Date.now();
    const cap = this.host.log.retention.maxMessages + 500;
    this.#tokens = Math.min(cap, this.#tokens + ((now - this.#tokensAt) / 1000) * INBOUND_RATE_PER_S);
    this.#tokensAt = now;
    let take = messages;
    if (messages.length > this.#tokens) {
      take = messages.slice(0, Math.floor(this.#tokens));
      this.host.dropped("flood", messages.length - take.length);
    }
    this.#tokens -= take.length;
    // What the peer sent us, it holds: no need to send it back.
    this.#bound();
    for (const m of take) this.#sent.add(messageId(m));
    if (take.length)
      void this.host.receive(take, how).then((added) => {
        if (added > 0 && !this.#stopped) this.#scheduleAck();
      });
  }

  #summary(have: Have, floor: number | null): void {
    const now = Date.now();
    if (now - this.#summaryAt < SUMMARY_INTERVAL_MS) {
      // Coalesce: only the newest summary counts; a request stays a request.
      if (this.#pendingSummary) this.host.dropped("summary-rate");
      const wasRequest = this.#pendingSummary?.floor != null;
      this.#pendingSummary = { have, floor: floor ?? (wasRequest ? this.#pendingSummary!.floor : null) };
      this.#summaryTimer ??= setTimeout(() => {
        this.#summaryTimer = undefined;
        const p = this.#pendingSummary;
        this.#pendingSummary = null;
        if (p && !this.#stopped) this.#answer(p.have, p.floor);
      }, SUMMARY_INTERVAL_MS - (now - this.#summaryAt));
      return;
    }
    this.#answer(have, floor);
  }

  #answer(have: Have, floor: number | null): void {
    this.#summaryAt = Date.now();
    this.#peerHave = JSON.stringify(have);
    this.host.peerHolds(have);
    if (floor !== null) this.#floor = floor;
    const settled = Date.now() - SETTLE_MS;
    for (const m of this.host.log.missingFor(have, this.#floor)) {
      const id = messageId(m);
      if (this.#sent.has(id)) continue;
      // A receipt is not a request: leave what is still on its way.
      if (floor === null && this.host.arrivedAt(id) > settled) continue;
      this.#sent.add(id);
      this.#queue.push(m);
    }
    this.#pump();
    // A request from a peer whose view of us is out of date: tell it what
    // we hold, so its next comparison finds nothing to ask for.
    if (floor !== null && JSON.stringify(this.host.log.summary()) !== this.#peerHave) this.#scheduleAck();
  }

  /** The set of ids sent lives as long as the channel: past a few windows
   *  it starts over (at worst a message goes twice, and is dropped there). */
  #bound(): void {
    if (this.#sent.size > 4 * this.host.log.retention.maxMessages) this.#sent.clear();
  }

  #pump(): void {
    if (this.#stopped || this.#offDrain) return;
    while (this.#queue.length) {
      if (this.link.bufferedAmount > HIGH_WATER) {
        this.#offDrain = this.link.onDrain(() => {
          this.#offDrain?.();
          this.#offDrain = null;
          this.#pump();
        });
        return;
      }
      const batch: ChatMessage[] = [];
      let chars = 0;
      while (this.#queue.length && batch.length < MAX_BATCH) {
        const size = JSON.stringify(this.#queue[0]).length + 1;
        if (batch.length && chars + size > BATCH_CHARS) break;
        chars += size;
        batch.push(this.#queue.shift()!);
      }
      if (!this.link.send({ type: "batch", messages: batch })) {
        // The channel closed under us: a new one starts over with a summary.
        this.stop();
        return;
      }
    }
  }

  #scheduleAck(): void {
    this.#ackTimer ??= setTimeout(() => {
      this.#ackTimer = undefined;
      if (!this.#stopped) this.link.send({ type: "ack", have: this.host.log.summary() });
    }, ACK_DELAY_MS);
  }

  #sendSummary(): void {
    if (!this.#stopped) this.link.send({ type: "sync", have: this.host.log.summary(), floor: this.host.log.floor });
  }
}
