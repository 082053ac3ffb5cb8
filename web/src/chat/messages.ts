// Chat messages as they travel over the data channels (the contract's JSON
// format) and the conversation a tab keeps: each message once, in arrival
// order, bounded, restorable after a reload.

import { randomUuid } from "../random";

export const MAX_TEXT = 4000;
export const MAX_KEPT = 500;

export interface ChatMessage {
  type: "chat";
  id: string;
  clientId: string;
  displayName: string;
  text: string;
  sentAt: number;
}

/** Every message type a peer may send over the "chat" channel. */
export type PeerMessage =
  | ChatMessage
  | { type: "hello"; clientId: string; displayName: string }
  | { type: "ping"; at: number }
  | { type: "pong"; at: number };

const isString = (v: unknown, max = 256): v is string => typeof v === "string" && v.length <= max;

/** Parses one data-channel message; null for anything malformed. */
export function parsePeerMessage(data: unknown): PeerMessage | null {
  if (typeof data !== "string" || data.length > 64 * 1024) return null;
  let v: unknown;
  try {
    v = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof v !== "object" || v === null) return null;
  const m = v as Record<string, unknown>;
  switch (m.type) {
    case "chat":
      if (isString(m.id, 64) && isString(m.clientId, 64) && isString(m.displayName, 64) &&
          isString(m.text, MAX_TEXT) && typeof m.sentAt === "number" && Number.isFinite(m.sentAt))
        return { type: "chat", id: m.id, clientId: m.clientId, displayName: m.displayName, text: m.text, sentAt: m.sentAt };
      return null;
    case "hello":
      if (isString(m.clientId, 64) && isString(m.displayName, 64))
        return { type: "hello", clientId: m.clientId, displayName: m.displayName };
      return null;
    case "ping":
    case "pong":
      return typeof m.at === "number" ? { type: m.type, at: m.at } : null;
    default:
      return null;
  }
}

export function newChatMessage(clientId: string, displayName: string, text: string, now = Date.now()): ChatMessage {
  return { type: "chat", id: randomUuid(), clientId, displayName, text: text.slice(0, MAX_TEXT), sentAt: now };
}

/** The conversation: de-duplicated by id, oldest first, at most MAX_KEPT. */
export class MessageLog {
  #messages: ChatMessage[] = [];
  #ids = new Set<string>();

  constructor(initial: readonly ChatMessage[] = []) {
    for (const m of initial) this.add(m);
  }

  /** False when the message was already there (delivered twice). */
  add(m: ChatMessage): boolean {
    if (this.#ids.has(m.id)) return false;
    this.#ids.add(m.id);
    this.#messages.push(m);
    if (this.#messages.length > MAX_KEPT) {
      const gone = this.#messages.splice(0, this.#messages.length - MAX_KEPT);
      for (const g of gone) this.#ids.delete(g.id);
    }
    return true;
  }

  has(id: string): boolean {
    return this.#ids.has(id);
  }

  get messages(): readonly ChatMessage[] {
    return this.#messages;
  }

  toJSON(): string {
    return JSON.stringify(this.#messages);
  }

  static fromJSON(text: string | null): MessageLog {
    if (!text) return new MessageLog();
    try {
      const list: unknown = JSON.parse(text);
      if (!Array.isArray(list)) return new MessageLog();
      const valid = list
        .map((m) => parsePeerMessage(JSON.stringify(m)))
        .filter((m): m is ChatMessage => m?.type === "chat");
      return new MessageLog(valid);
    } catch {
      return new MessageLog();
    }
  }
}
