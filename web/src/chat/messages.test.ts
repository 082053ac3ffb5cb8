import { describe, expect, it } from "vitest";
import { MAX_BATCH, MAX_TEXT, parsePeerMessage, rangesHold, type ChatMessage } from "./messages";

const chat = (over: Partial<ChatMessage> = {}): ChatMessage => {
  const m = { type: "chat", id: "", clientId: "clientAA", seq: 1, lamport: 1, displayName: "Ana", text: "hello", sentAt: 1732450000000, ...over } as ChatMessage;
  if (!over.id) m.id = `${m.clientId}:${m.seq}`;
  return m;
};

describe("peer messages", () => {
  it("parses a chat message, keeping a signature but nothing unknown", () => {
    expect(parsePeerMessage(JSON.stringify(chat()))).toEqual(chat());
    expect(parsePeerMessage(JSON.stringify({ ...chat(), sig: "abc", extra: 1 }))).toEqual({ ...chat(), sig: "abc" });
  });

  it("refuses malformed chat messages", () => {
    const bad: unknown[] = [
      "", "{", "null", "[]", '{"type":"chat"}', '{"type":"nope"}',
      { ...chat(), text: "t".repeat(MAX_TEXT + 1) }, { ...chat(), text: "" }, { ...chat(), clientId: "" },
      { ...chat(), seq: 1.5 }, { ...chat(), id: "clientAA:2" }, { ...chat(), id: undefined }, { ...chat(), lamport: undefined }, { ...chat(), seq: "1" }, { ...chat(), seq: 2 ** 49 },
      { ...chat(), lamport: -1 }, { ...chat(), sentAt: null }, { ...chat(), sig: 5 }, { ...chat(), displayName: "x".repeat(65) },
    ];
    for (const b of bad) expect(parsePeerMessage(typeof b === "string" ? b : JSON.stringify(b))).toBeNull();
    expect(parsePeerMessage(42)).toBeNull();
    expect(parsePeerMessage("x".repeat(70 * 1024))).toBeNull();
  });

  it("takes the contract's minimal chat message, unsequenced", () => {
    const minimal = { type: "chat", id: "0c6a3f", clientId: "native1", displayName: "Bot", text: "hi", sentAt: 5 };
    expect(parsePeerMessage(JSON.stringify(minimal))).toEqual({ ...minimal, seq: 0, lamport: 0 });
  });

  it("parses summaries and refuses malformed ones", () => {
    expect(parsePeerMessage(JSON.stringify({ type: "sync", have: { a: [1, 4, 6, 6] }, floor: 0 }))).toEqual({
      type: "sync", have: { a: [1, 4, 6, 6] }, floor: 0,
    });
    expect(parsePeerMessage(JSON.stringify({ type: "ack", have: {} }))).toEqual({ type: "ack", have: {} });
    for (const have of [[], null, { a: [1] }, { a: [3, 2] }, { a: [1, 4, 4, 5] }, { a: [0, 1] }, { a: "1-2" }, { "": [1, 1] },
      { a: Array.from({ length: 66 }, (_, i) => i * 2 + 1) }, Object.fromEntries(Array.from({ length: 513 }, (_, i) => [`c${i}`, [1, 1]]))])
      expect(parsePeerMessage(JSON.stringify({ type: "sync", have, floor: 0 }))).toBeNull();
    expect(parsePeerMessage(JSON.stringify({ type: "sync", have: {}, floor: -1 }))).toBeNull();
    // A prototype key is data, not a way into the object model.
    const m = parsePeerMessage('{"type":"ack","have":{"__proto__":[1,2]}}');
    expect(m?.type === "ack" && Object.getPrototypeOf(m.have)).toBeNull();
  });

  it("parses batches, all or nothing", () => {
    expect(parsePeerMessage(JSON.stringify({ type: "batch", messages: [chat(), chat({ seq: 2 })] }))).toEqual({
      type: "batch", messages: [chat(), chat({ seq: 2 })],
    });
    expect(parsePeerMessage(JSON.stringify({ type: "batch", messages: [chat(), { ...chat(), seq: -1 }] }))).toBeNull();
    expect(parsePeerMessage(JSON.stringify({ type: "batch", messages: [{ type: "ping", at: 1 }] }))).toBeNull();
    expect(parsePeerMessage(JSON.stringify({ type: "batch", messages: Array.from({ length: MAX_BATCH + 1 }, (_, i) => chat({ seq: i + 1, text: "x" })) }))).toBeNull();
  });

  it("tells whether ranges hold a sequence number", () => {
    expect(rangesHold([1, 3, 7, 7], 2)).toBe(true);
    expect(rangesHold([1, 3, 7, 7], 7)).toBe(true);
    expect(rangesHold([1, 3, 7, 7], 5)).toBe(false);
    expect(rangesHold(undefined, 1)).toBe(false);
  });
});
