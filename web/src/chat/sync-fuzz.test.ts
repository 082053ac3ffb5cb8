// Random and mutated input for the peer message parser and the sync engine:
// nothing throws, and whatever gets through leaves the log ordered, without
// duplicates and within its bounds. Seeded, so a failure repeats.
import { describe, expect, it } from "vitest";
import { MemoryLogStore } from "./log-store";
import { messageId, parsePeerMessage, type ChatMessage } from "./messages";
import { compareOrder } from "./room-log";
import { RoomHistory } from "./room-history";
import { testAuthors } from "../testing/signers";

function rng(seed: number) {
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
}

const valid = [
  '{"type":"chat","id":"ann:1","clientId":"ann","seq":1,"lamport":1,"displayName":"A","text":"hi","sentAt":1}',
  '{"type":"sync","have":{"ann":[1,3,5,9]},"floor":0}',
  '{"type":"ack","have":{"bob":[2,2]}}',
  '{"type":"batch","messages":[{"type":"chat","id":"bob:2","clientId":"bob","seq":2,"lamport":4,"displayName":"B","text":"yo","sentAt":2}]}',
  '{"type":"hello","clientId":"ann","displayName":"Ann"}',
  '{"type":"chat","id":"u-1","clientId":"native","displayName":"N","text":"contract only","sentAt":3}',
];
const pieces = ['"', "{", "}", "[", "]", ",", ":", "0", "-1", "1e400", "null", "true", '"__proto__"', '"seq"', '"lamport"', "9007199254740993", "\\u0000", "𝄞"];

function mutate(s: string, r: () => number): string {
  const chars = [...s];
  const n = 1 + Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(r() * (chars.length + 1));
    const op = r();
    if (op < 0.4) chars.splice(at, 1);
    else if (op < 0.8) chars.splice(at, 0, pieces[Math.floor(r() * pieces.length)]!);
    else chars.splice(at, 1, String.fromCharCode(Math.floor(r() * 128)));
  }
  return chars.join("");
}

describe("fuzz", () => {
  it("the parser never throws on mutated messages", () => {
    const r = rng(1);
    let parsed = 0;
    for (let i = 0; i < 20000; i++) {
      const m = parsePeerMessage(mutate(valid[i % valid.length]!, r));
      if (m) parsed++;
    }
    expect(parsed).toBeGreaterThan(100); // the mutations do reach past the checks
  });

  it("random traffic keeps the log ordered, unique and bounded", async () => {
    const r = rng(7);
    const h = new RoomHistory("R", new MemoryLogStore(), testAuthors("R"), { maxMessages: 50, maxPerAuthor: 20, maxAgeMs: 1e13 });
    await h.ready;
    const sync = h.attach("peer", { send: () => true, bufferedAmount: 0, onDrain: () => () => {} });
    const authors = ["ann", "bob", "cy", "dee"];
    // Each author signs as its device would (dee with two devices: the
    // second key is refused), so what reaches the log got past the checks.
    const signers = Object.fromEntries(authors.map((a) => [a, testAuthors("R")]));
    const impostor = testAuthors("R");
    for (let i = 0; i < 1200; i++) {
      const clientId = authors[Math.floor(r() * authors.length)]!;
      const seq = 1 + Math.floor(r() * 60);
      const sign = async (m: ChatMessage) => (clientId === "dee" && r() < 0.3 ? impostor : signers[clientId]!).sign(m);
      const chat = await sign({ type: "chat", id: `${clientId}:${seq}`, clientId, seq, lamport: 1 + Math.floor(r() * 200), displayName: clientId, text: `t${Math.floor(r() * 3)}`, sentAt: Date.now() });
      const next = await sign({ ...chat, seq: seq + 1, id: `${clientId}:${seq + 1}` });
      const wire = r() < 0.3 ? JSON.stringify({ type: "batch", messages: [chat, next] })
        : r() < 0.5 ? JSON.stringify(chat) : mutate(JSON.stringify(chat), r);
      const m = parsePeerMessage(wire);
      if (m) sync.handle(m);
      if (i % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 0)); // let checks finish
      if (i % 7 === 0) await h.compose("me", "Me", `mine ${i}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    const list = h.log.messages;
    expect(list.filter((m) => m.clientId !== "me").length).toBeGreaterThan(10); // signed traffic got in
    expect(h.dropped["bad-signature"] ?? 0).toBeGreaterThan(0); // and mutated signatures did not
    expect(h.dropped["key-changed"] ?? 0).toBeGreaterThan(0);
    expect(list.length).toBeLessThanOrEqual(50);
    expect(new Set(list.map(messageId)).size).toBe(list.length);
    for (let i = 1; i < list.length; i++) expect(compareOrder(list[i - 1]!, list[i]!)).toBeLessThan(0);
    const perAuthor = new Map<string, number>();
    for (const m of list) perAuthor.set(m.clientId, (perAuthor.get(m.clientId) ?? 0) + 1);
    for (const n of perAuthor.values()) expect(n).toBeLessThanOrEqual(20);
    h.close();
  }, 60000);
});
