// What peers send each other over the "chat" data channel (JSON, one
// message per data-channel message), and the checks every one of them
// passes before anything uses it. docs/protocol-extensions.md lists them.

export const MAX_TEXT = 4000;
/** Largest data-channel message accepted or sent (bytes of JSON text). */
export const MAX_WIRE = 64 * 1024;
/** At most this many messages in one catch-up batch. */
export const MAX_BATCH = 100;
/** Per author, at most this many seq ranges in a summary. */
export const MAX_RANGES = 32;
/** At most this many authors in a summary. */
export const MAX_AUTHORS = 512;
/** Sequence numbers and Lamport times stay far from float precision loss. */
export const MAX_COUNTER = 2 ** 48;

/**
 * One chat message: the author's clientId plus a per-author sequence number
 * (from 1) make its id, `${clientId}:${seq}`, on every device; the Lamport
 * time orders it. `sig` is reserved for an author signature (private rooms)
 * and is passed on untouched.
 *
 * The contract's minimal chat message (an `id`, no `seq` or `lamport`: a
 * peer that is not this app) is taken too, with seq 0: it is placed at the
 * receiver's clock and not exchanged by catch-up. (A private room takes
 * only signed messages: chat/authors.ts.)
 */
export interface ChatMessage {
  type: "chat";
  id: string;
  clientId: string;
  seq: number;
  lamport: number;
  displayName: string;
  text: string;
  sentAt: number;
  /** The author's device key (32 bytes, base64url) and its Ed25519
   *  signature of the message (64 bytes, base64url): chat/authors.ts. */
  key?: string;
  sig?: string;
}

/** Per author, the sequence numbers held, as ascending [from, to] pairs
 *  flattened: { alice: [1, 40, 42, 45] } holds 1..40 and 42..45. */
export type Have = Record<string, number[]>;

/** Every message type a peer may send over the "chat" channel. */
export type PeerMessage =
  | ChatMessage
  /** Who is at the other end of the channel: name and device key. */
  | { type: "hello"; clientId: string; displayName: string; key?: string }
  | { type: "ping"; at: number }
  | { type: "pong"; at: number }
  /** What I hold; send me what I lack (not older than `floor`, a Lamport time). */
  | { type: "sync"; have: Have; floor: number }
  /** What I hold now (delivery receipts); asks for nothing. */
  | { type: "ack"; have: Have }
  /** Messages the peer lacked, in the room's order. */
  | { type: "batch"; messages: ChatMessage[] };

export const messageId = (m: Pick<ChatMessage, "id">): string => m.id;
export const sequencedId = (clientId: string, seq: number): string => `${clientId}:${seq}`;

const isString = (v: unknown, max: number, min = 0): v is string =>
  typeof v === "string" && v.length <= max && v.length >= min;
const isCounter = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 1 && (v as number) <= MAX_COUNTER;
const isTime = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

function parseChat(m: Record<string, unknown>): ChatMessage | null {
  if (!isString(m.id, 140, 1) || !isString(m.clientId, 64, 1) || !isString(m.displayName, 64) ||
      !isString(m.text, MAX_TEXT, 1) || !isTime(m.sentAt) || (m.sig !== undefined && !isString(m.sig, 512)) ||
      (m.key !== undefined && !isString(m.key, 64)))
    return null;
  const unsequenced = m.seq === undefined || m.seq === 0;
  if (unsequenced ? m.lamport !== undefined && !isCounter(m.lamport)
      : !isCounter(m.seq) || !isCounter(m.lamport) || m.id !== sequencedId(m.clientId, m.seq))
    return null;
  const c: ChatMessage = {
    type: "chat", id: m.id, clientId: m.clientId, seq: unsequenced ? 0 : (m.seq as number), lamport: (m.lamport as number | undefined) ?? 0,
    displayName: m.displayName, text: m.text, sentAt: m.sentAt,
  };
  if (m.key !== undefined) c.key = m.key as string;
  if (m.sig !== undefined) c.sig = m.sig as string;
  return c;
}

function parseHave(v: unknown): Have | null {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return null;
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length > MAX_AUTHORS) return null;
  const have: Have = Object.create(null) as Have;
  for (const [author, ranges] of entries) {
    if (!isString(author, 64, 1) || !Array.isArray(ranges) || ranges.length % 2 || ranges.length > 2 * MAX_RANGES) return null;
    let last = 0;
    for (let i = 0; i < ranges.length; i += 2) {
      const from: unknown = ranges[i];
      const to: unknown = ranges[i + 1];
      if (!isCounter(from) || !isCounter(to) || from > to || from <= last) return null;
      last = to;
    }
    have[author] = ranges as number[];
  }
  return have;
}

/** Parses one data-channel message; null for anything malformed. */
export function parsePeerMessage(data: unknown): PeerMessage | null {
  if (typeof data !== "string" || data.length > MAX_WIRE) return null;
  let v: unknown;
  try {
    v = JSON.parse(data);
  } catch {
    return null;
  }
  return parsePeerValue(v);
}

export function parsePeerValue(v: unknown): PeerMessage | null {
  if (typeof v !== "object" || v === null) return null;
  const m = v as Record<string, unknown>;
  switch (m.type) {
    case "chat":
      return parseChat(m);
    case "hello":
      if (!isString(m.clientId, 64, 1) || !isString(m.displayName, 64) || (m.key !== undefined && !isString(m.key, 64)))
        return null;
      return m.key === undefined
        ? { type: "hello", clientId: m.clientId, displayName: m.displayName }
        : { type: "hello", clientId: m.clientId, displayName: m.displayName, key: m.key as string };
    case "ping":
    case "pong":
      return isTime(m.at) ? { type: m.type, at: m.at } : null;
    case "sync": {
      const have = parseHave(m.have);
      return have && (m.floor === 0 || isCounter(m.floor)) ? { type: "sync", have, floor: m.floor as number } : null;
    }
    case "ack": {
      const have = parseHave(m.have);
      return have ? { type: "ack", have } : null;
    }
    case "batch": {
      if (!Array.isArray(m.messages) || m.messages.length > MAX_BATCH) return null;
      const messages: ChatMessage[] = [];
      for (const item of m.messages) {
        const c = typeof item === "object" && item !== null && (item as { type?: unknown }).type === "chat"
          ? parseChat(item as Record<string, unknown>) : null;
        if (!c) return null;
        messages.push(c);
      }
      return { type: "batch", messages };
    }
    default:
      return null;
  }
}

/** True when `seq` lies in one of the ranges. */
export function rangesHold(ranges: readonly number[] | undefined, seq: number): boolean {
  if (!ranges) return false;
  for (let i = 0; i < ranges.length; i += 2) if (seq >= ranges[i]! && seq <= ranges[i + 1]!) return true;
  return false;
}
