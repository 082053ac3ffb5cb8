// A room's history as this device holds it: every message once, in the one
// order every device agrees on (Lamport time, then author, then sequence
// number), bounded by count and age. Pure and synchronous; persisting it
// (log-store.ts) and exchanging it with peers (peer-sync.ts) are elsewhere.
import { MAX_COUNTER, MAX_RANGES, MAX_TEXT, messageId, rangesHold, sequencedId, type ChatMessage, type Have } from "./messages";

export interface Retention {
  /** Newest messages kept per room. */
  maxMessages: number;
  /** Newest messages kept per author: one flooding member pushes out its
   *  own history, not everyone's. */
  maxPerAuthor?: number;
  /** Older messages (by their author's clock) are dropped. */
  maxAgeMs: number;
}

export const DEFAULT_RETENTION: Retention = { maxMessages: 2000, maxPerAuthor: 500, maxAgeMs: 24 * 60 * 60 * 1000 };

/** Why a message was not added. */
export type Rejection = "duplicate" | "conflict" | "expired" | "too-old";

/** `message`: as stored (a message without a seq gets a Lamport time here). */
export type AddResult = { added: true; message: ChatMessage; evicted: ChatMessage[] } | { added: false; why: Rejection };

export function compareOrder(a: ChatMessage, b: ChatMessage): number {
  if (a.lamport !== b.lamport) return a.lamport - b.lamport;
  if (a.clientId !== b.clientId) return a.clientId < b.clientId ? -1 : 1;
  return a.seq - b.seq;
}

const sameContent = (a: ChatMessage, b: ChatMessage): boolean =>
  a.lamport === b.lamport && a.text === b.text && a.displayName === b.displayName && a.sentAt === b.sentAt && a.sig === b.sig && a.key === b.key;

export class RoomLog {
  #ordered: ChatMessage[] = [];
  #byId = new Map<string, ChatMessage>();
  #perAuthor = new Map<string, number>();
  #clock = 0;
  /** Highest seq each of this device's identities has used, kept even
   *  when retention dropped the messages, so a seq is never reused. */
  #ownSeq = new Map<string, number>();
  #version = 0;
  #summary: { version: number; have: Have } | null = null;

  constructor(readonly retention: Retention = DEFAULT_RETENTION) {}

  get messages(): readonly ChatMessage[] {
    return this.#ordered;
  }

  get size(): number {
    return this.#ordered.length;
  }

  get clock(): number {
    return this.#clock;
  }

  /** Changes with every added or dropped message. */
  get version(): number {
    return this.#version;
  }

  has(id: string): boolean {
    return this.#byId.has(id);
  }

  get(id: string): ChatMessage | undefined {
    return this.#byId.get(id);
  }

  /** Restores counters kept beside the messages (log-store.ts). */
  restoreCounters(clock: number, ownSeq: Record<string, number>): void {
    this.#clock = Math.max(this.#clock, Math.min(clock, MAX_COUNTER));
    for (const [id, seq] of Object.entries(ownSeq)) this.#ownSeq.set(id, Math.max(this.#ownSeq.get(id) ?? 0, seq));
  }

  get ownSeq(): Record<string, number> {
    return Object.fromEntries(this.#ownSeq);
  }

  /** A new message by this device, after everything it has seen. */
  compose(clientId: string, displayName: string, text: string, now = Date.now()): ChatMessage {
    let seq = this.#ownSeq.get(clientId) ?? 0;
    for (const m of this.#ordered) if (m.clientId === clientId && m.seq > seq) seq = m.seq;
    seq += 1;
    this.#ownSeq.set(clientId, seq);
    const m: ChatMessage = {
      type: "chat", id: sequencedId(clientId, seq), clientId, seq, lamport: Math.min(this.#clock + 1, MAX_COUNTER), displayName,
      text: text.slice(0, MAX_TEXT), sentAt: now,
    };
    return m;
  }

  /** Adds one message where it belongs in the order. */
  add(m: ChatMessage, now = Date.now()): AddResult {
    const id = messageId(m);
    const known = this.#byId.get(id);
    if (known) return { added: false, why: m.seq === 0 || sameContent(known, m) ? "duplicate" : "conflict" };
    // A message without a sequence number (another implementation's) goes
    // where this device's clock is.
    if (m.seq === 0 && m.lamport === 0) m = { ...m, lamport: Math.min(this.#clock + 1, MAX_COUNTER) };
    if (m.sentAt < now - this.retention.maxAgeMs) return { added: false, why: "expired" };
    const full = this.#ordered.length >= this.retention.maxMessages;
    if (full && compareOrder(m, this.#ordered[0]!) < 0) return { added: false, why: "too-old" };
    const mine = this.#perAuthor.get(m.clientId) ?? 0;
    const perAuthor = this.retention.maxPerAuthor ?? Infinity;
    if (mine >= perAuthor && compareOrder(m, this.#oldestBy(m.clientId)!) < 0) return { added: false, why: "too-old" };
    this.#clock = Math.max(this.#clock, m.lamport);
    this.#byId.set(id, m);
    this.#perAuthor.set(m.clientId, mine + 1);
    this.#ordered.splice(this.#insertionPoint(m), 0, m);
    this.#version++;
    const evicted: ChatMessage[] = [];
    if (mine + 1 > perAuthor) {
      const oldest = this.#oldestBy(m.clientId)!;
      this.#ordered.splice(this.#ordered.indexOf(oldest), 1);
      evicted.push(oldest);
    }
    if (this.#ordered.length > this.retention.maxMessages)
      evicted.push(...this.#ordered.splice(0, this.#ordered.length - this.retention.maxMessages));
    for (const e of evicted) this.#removed(e);
    return { added: true, message: m, evicted };
  }

  /** Drops what has aged out; returns it (for the store to delete). */
  expire(now = Date.now()): ChatMessage[] {
    const cutoff = now - this.retention.maxAgeMs;
    const gone = this.#ordered.filter((m) => m.sentAt < cutoff);
    if (!gone.length) return gone;
    this.#ordered = this.#ordered.filter((m) => m.sentAt >= cutoff);
    for (const g of gone) this.#removed(g);
    this.#version++;
    return gone;
  }

  clear(): void {
    this.#ordered = [];
    this.#byId.clear();
    this.#perAuthor.clear();
    this.#version++;
  }

  /** The Lamport time below which this device wants nothing (it would
   *  drop it at once): the oldest message kept once the log is full. */
  get floor(): number {
    return this.#ordered.length >= this.retention.maxMessages ? this.#ordered[0]!.lamport : 0;
  }

  /** Per author, the sequence numbers held, as ranges (messages.ts Have).
   *  An author with more gaps than a summary may carry keeps its newest
   *  ranges: the older gaps are then asked for again later. */
  summary(): Have {
    if (this.#summary?.version === this.#version) return this.#summary.have;
    const seqs = new Map<string, number[]>();
    for (const m of this.#ordered) {
      if (m.seq === 0) continue;
      const list = seqs.get(m.clientId);
      if (list) list.push(m.seq);
      else seqs.set(m.clientId, [m.seq]);
    }
    const have: Have = {};
    for (const [author, list] of seqs) {
      list.sort((a, b) => a - b);
      const ranges: number[] = [];
      for (const s of list) {
        if (ranges.length && ranges[ranges.length - 1] === s - 1) ranges[ranges.length - 1] = s;
        else ranges.push(s, s);
      }
      have[author] = ranges.length > 2 * MAX_RANGES ? ranges.slice(ranges.length - 2 * MAX_RANGES) : ranges;
    }
    this.#summary = { version: this.#version, have };
    return have;
  }

  /** What a peer holding `have` lacks, in order, not older than its floor. */
  missingFor(have: Have, floor: number): ChatMessage[] {
    const out: ChatMessage[] = [];
    for (const m of this.#ordered) {
      if (m.lamport < floor || m.seq === 0) continue;
      const ranges = have[m.clientId];
      if (!rangesHold(ranges, m.seq)) out.push(m);
    }
    return out;
  }

  #oldestBy(clientId: string): ChatMessage | undefined {
    return this.#ordered.find((m) => m.clientId === clientId);
  }

  #removed(m: ChatMessage): void {
    this.#byId.delete(messageId(m));
    const n = (this.#perAuthor.get(m.clientId) ?? 1) - 1;
    if (n > 0) this.#perAuthor.set(m.clientId, n);
    else this.#perAuthor.delete(m.clientId);
  }

  #insertionPoint(m: ChatMessage): number {
    // Nearly always at the end; otherwise a binary search.
    const list = this.#ordered;
    if (!list.length || compareOrder(list[list.length - 1]!, m) < 0) return list.length;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareOrder(list[mid]!, m) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
