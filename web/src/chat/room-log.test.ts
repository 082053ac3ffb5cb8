import { describe, expect, it } from "vitest";
import { messageId, type ChatMessage } from "./messages";
import { RoomLog } from "./room-log";

const NOW = 1_800_000_000_000;
const msg = (clientId: string, seq: number, lamport: number, text = `${clientId}${seq}`): ChatMessage => ({
  type: "chat", id: `${clientId}:${seq}`, clientId, seq, lamport, displayName: clientId, text, sentAt: NOW,
});

describe("room log", () => {
  it("orders by Lamport time, then author, wherever a message arrives from", () => {
    const a = new RoomLog();
    const b = new RoomLog();
    const all = [msg("bob", 1, 1), msg("ann", 1, 1), msg("ann", 2, 2), msg("cy", 1, 5), msg("bob", 2, 3)];
    for (const m of all) a.add(m, NOW);
    for (const m of [...all].reverse()) b.add(m, NOW);
    const order = ["ann:1", "bob:1", "ann:2", "bob:2", "cy:1"];
    expect(a.messages.map(messageId)).toEqual(order);
    expect(b.messages.map(messageId)).toEqual(order);
    expect(a.clock).toBe(5);
  });

  it("keeps each message once and notices a forged copy", () => {
    const log = new RoomLog();
    expect(log.add(msg("ann", 1, 1), NOW).added).toBe(true);
    expect(log.add(msg("ann", 1, 1), NOW)).toEqual({ added: false, why: "duplicate" });
    expect(log.add(msg("ann", 1, 1, "something else"), NOW)).toEqual({ added: false, why: "conflict" });
    expect(log.messages.map((m) => m.text)).toEqual(["ann1"]);
  });

  it("composes after everything seen, never reusing a sequence number", () => {
    const log = new RoomLog();
    log.add(msg("bob", 1, 7), NOW);
    const m1 = log.compose("me", "Me", "one", NOW);
    expect([m1.seq, m1.lamport]).toEqual([1, 8]);
    log.add(m1, NOW);
    expect(log.compose("me", "Me", "two", NOW).seq).toBe(2);
    const restored = new RoomLog();
    restored.restoreCounters(3, { me: 9 });
    const m = restored.compose("me", "Me", "after a reload", NOW);
    expect([m.seq, m.lamport]).toEqual([10, 4]);
  });

  it("is bounded by count: the oldest go, and older ones are refused once full", () => {
    const log = new RoomLog({ maxMessages: 3, maxAgeMs: 1e12 });
    for (let i = 1; i <= 4; i++) log.add(msg("ann", i, i * 10), NOW);
    expect(log.messages.map((m) => m.seq)).toEqual([2, 3, 4]);
    expect(log.floor).toBe(20);
    expect(log.add(msg("bob", 1, 5), NOW)).toEqual({ added: false, why: "too-old" });
    const r = log.add(msg("bob", 1, 25), NOW);
    expect(r.added && r.evicted.map(messageId)).toEqual(["ann:2"]);
  });

  it("is bounded by age", () => {
    const log = new RoomLog({ maxMessages: 10, maxAgeMs: 1000 });
    expect(log.add({ ...msg("ann", 1, 1), sentAt: NOW - 5000 }, NOW)).toEqual({ added: false, why: "expired" });
    log.add({ ...msg("ann", 2, 2), sentAt: NOW }, NOW);
    expect(log.expire(NOW + 2000).map(messageId)).toEqual(["ann:2"]);
    expect(log.size).toBe(0);
  });

  it("summarises what it holds as ranges, and finds what a peer lacks", () => {
    const log = new RoomLog();
    for (const s of [1, 2, 3, 5, 6, 9]) log.add(msg("ann", s, s), NOW);
    log.add(msg("bob", 1, 4), NOW);
    expect(log.summary()).toEqual({ ann: [1, 3, 5, 6, 9, 9], bob: [1, 1] });
    const lacks = log.missingFor({ ann: [1, 5] }, 0);
    expect(lacks.map(messageId)).toEqual(["bob:1", "ann:6", "ann:9"]);
    expect(log.missingFor({ ann: [1, 5] }, 6).map(messageId)).toEqual(["ann:6", "ann:9"]);
  });

  it("keeps a summary bounded when an author has many gaps", () => {
    const log = new RoomLog();
    for (let s = 1; s <= 200; s += 2) log.add(msg("ann", s, s), NOW);
    const ranges = log.summary().ann!;
    expect(ranges.length).toBe(64);
    expect(ranges.at(-1)).toBe(199);
  });

  it("places a message without a sequence number (another implementation's) at this device's clock", () => {
    const log = new RoomLog();
    log.add(msg("ann", 1, 7), NOW);
    const r = log.add({ type: "chat", id: "uuid-1", clientId: "native", seq: 0, lamport: 0, displayName: "Bot", text: "hi", sentAt: NOW }, NOW);
    expect(r.added && r.message.lamport).toBe(8);
    expect(log.add({ ...log.messages[1]!, text: "again" }, NOW)).toEqual({ added: false, why: "duplicate" });
    expect(log.summary()).toEqual({ ann: [7, 7].map(() => 1) });
    expect(log.missingFor({}, 0).map(messageId)).toEqual(["ann:1"]);
  });

  it("bounds each author: a flood pushes out the flooder's own history, not the others'", () => {
    const log = new RoomLog({ maxMessages: 100, maxPerAuthor: 10, maxAgeMs: 1e12 });
    log.add(msg("ann", 1, 1), NOW);
    for (let i = 1; i <= 50; i++) log.add(msg("evil", i, i + 1), NOW);
    expect(log.size).toBe(11);
    expect(log.messages[0]!.text).toBe("ann1");
    expect(log.messages.filter((m) => m.clientId === "evil").map((m) => m.seq)).toEqual([41, 42, 43, 44, 45, 46, 47, 48, 49, 50]);
    expect(log.add(msg("evil", 3, 4), NOW)).toEqual({ added: false, why: "too-old" });
    expect(log.summary().evil).toEqual([41, 50]);
  });
});

