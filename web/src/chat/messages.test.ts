import { describe, expect, it } from "vitest";
import { MAX_KEPT, MessageLog, newChatMessage, parsePeerMessage } from "./messages";

describe("peer messages", () => {
  it("parses the contract's chat message", () => {
    const m = newChatMessage("clientAA", "Ana", "hello", 1732450000000);
    expect(parsePeerMessage(JSON.stringify(m))).toEqual(m);
  });

  it("refuses malformed messages", () => {
    for (const bad of ["", "{", "null", "[]", '{"type":"chat"}', '{"type":"chat","id":1}', '{"type":"nope"}',
      JSON.stringify({ type: "chat", id: "x", clientId: "c", displayName: "d", text: "t".repeat(5000), sentAt: 1 })]) {
      expect(parsePeerMessage(bad)).toBeNull();
    }
    expect(parsePeerMessage(42)).toBeNull();
  });
});

describe("message log", () => {
  it("keeps each message once, in arrival order", () => {
    const log = new MessageLog();
    const a = newChatMessage("c1", "A", "one");
    const b = newChatMessage("c2", "B", "two");
    expect(log.add(a)).toBe(true);
    expect(log.add(b)).toBe(true);
    expect(log.add(a)).toBe(false);
    expect(log.messages.map((m) => m.text)).toEqual(["one", "two"]);
  });

  it("is bounded", () => {
    const log = new MessageLog();
    for (let i = 0; i < MAX_KEPT + 10; i++) log.add(newChatMessage("c", "A", String(i)));
    expect(log.messages).toHaveLength(MAX_KEPT);
    expect(log.messages[0]!.text).toBe("10");
  });

  it("survives a reload through JSON", () => {
    const log = new MessageLog();
    log.add(newChatMessage("c1", "A", "kept"));
    const restored = MessageLog.fromJSON(log.toJSON());
    expect(restored.messages).toEqual(log.messages);
    expect(MessageLog.fromJSON("garbage").messages).toEqual([]);
    expect(MessageLog.fromJSON(null).messages).toEqual([]);
  });
});
