import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MemoryLogStore } from "./log-store";
import { messageId, parsePeerMessage, type ChatMessage, type PeerMessage } from "./messages";
import { HIGH_WATER, LOW_WATER, type SyncLink } from "./peer-sync";
import { RoomHistory } from "./room-history";
import { testAuthors } from "../testing/signers";

/** Two ends of a data channel: JSON on the wire, delivered a little later,
 *  with a send buffer that fills and drains as a real one does. */
class Wire implements SyncLink {
  bufferedAmount = 0;
  maxBuffered = 0;
  sent: PeerMessage[] = [];
  up = true;
  #drain = new Set<() => void>();
  constructor(private readonly deliver: (m: PeerMessage) => void) {}
  send(message: PeerMessage): boolean {
    if (!this.up) return false;
    const text = JSON.stringify(message);
    this.sent.push(message);
    this.bufferedAmount += text.length;
    this.maxBuffered = Math.max(this.maxBuffered, this.bufferedAmount);
    setTimeout(() => {
      const before = this.bufferedAmount;
      this.bufferedAmount -= text.length;
      if (before > LOW_WATER && this.bufferedAmount <= LOW_WATER) for (const d of [...this.#drain]) d();
      if (!this.up) return;
      const parsed = parsePeerMessage(text);
      expect(parsed).not.toBeNull();
      this.deliver(parsed!);
    }, 1);
    return true;
  }
  onDrain(callback: () => void): () => void {
    this.#drain.add(callback);
    return () => this.#drain.delete(callback);
  }
}

function device(room = "ROOM") {
  return new RoomHistory(room, new MemoryLogStore(), testAuthors(room));
}

/** Opens a channel between two devices, as the mesh does. */
function connect(a: RoomHistory, aId: string, b: RoomHistory, bId: string) {
  const toB = new Wire((m) => handle(b, aId, toA, m));
  const toA = new Wire((m) => handle(a, bId, toB, m));
  a.attach(bId, toB);
  b.attach(aId, toA);
  return { toA, toB, cut: () => { toA.up = false; toB.up = false; a.detach(bId, toB); b.detach(aId, toA); } };
}

function handle(h: RoomHistory, from: string, link: SyncLink, m: PeerMessage) {
  if (!h.syncFor(from, link)?.handle(m) && m.type === "chat") h.receive([m], "live");
}

const texts = (h: RoomHistory) => h.log.messages.map((m) => m.text);
const ids = (h: RoomHistory) => h.log.messages.map(messageId);

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

async function settle(ms = 5000) {
  await vi.advanceTimersByTimeAsync(ms);
}

describe("catch-up between two devices", () => {
  it("exchanges what each lacks, and both end in the same order", async () => {
    const ann = device();
    const bob = device();
    await Promise.all([ann.ready, bob.ready]);
    for (let i = 0; i < 250; i++) await ann.compose("ann", "Ann", `a${i}`);
    for (let i = 0; i < 10; i++) await bob.compose("bob", "Bob", `b${i}`);
    const link = connect(ann, "ann", bob, "bob");
    await settle();
    expect(ids(bob)).toEqual(ids(ann));
    expect(bob.log.size).toBe(260);
    // Receipts: each knows the other holds its messages.
    const last = ann.log.messages.filter((m) => m.clientId === "ann").at(-1)!;
    expect(ann.holds("bob", last)).toBe(true);
    // In bounded batches, waiting for the buffer.
    const batches = link.toB.sent.filter((m) => m.type === "batch");
    expect(batches.length).toBeGreaterThan(2);
    expect(link.toB.maxBuffered).toBeLessThan(HIGH_WATER + 64 * 1024);
  });

  it("passes on third parties' messages, including from people who left", async () => {
    const [ann, bob, cy] = [device(), device(), device()];
    await Promise.all([ann.ready, bob.ready, cy.ready]);
    await ann.compose("ann", "Ann", "from ann");
    const ab = connect(ann, "ann", bob, "bob");
    await settle();
    ab.cut(); // ann leaves
    await bob.compose("bob", "Bob", "from bob");
    connect(bob, "bob", cy, "cy");
    await settle();
    expect(texts(cy)).toEqual(["from ann", "from bob"]);
  });

  it("sends what was written while no one was reachable once a channel opens (the outbox)", async () => {
    const ann = device();
    const bob = device();
    await Promise.all([ann.ready, bob.ready]);
    await ann.compose("ann", "Ann", "typed while alone");
    const pending = ann.log.messages[0]!;
    expect(ann.heldByAnyone(pending)).toBe(false);
    connect(ann, "ann", bob, "bob");
    await settle();
    expect(texts(bob)).toEqual(["typed while alone"]);
    expect(ann.holds("bob", pending)).toBe(true);
  });

  it("marks where a device that was away catches up", async () => {
    const ann = device();
    const bob = device();
    await Promise.all([ann.ready, bob.ready]);
    const l = connect(ann, "ann", bob, "bob");
    await ann.compose("ann", "Ann", "before");
    await settle();
    l.cut();
    await ann.compose("ann", "Ann", "while bob was away 1");
    await ann.compose("ann", "Ann", "while bob was away 2");
    await bob.compose("bob", "Bob", "bob, offline");
    connect(ann, "ann", bob, "bob");
    await settle();
    expect(ids(ann)).toEqual(ids(bob));
    expect(bob.awayMarker).toBe(messageId(ann.log.messages.find((m) => m.text === "while bob was away 1")!));
    // A newcomer with no history gets it all, unmarked.
    const cy = device();
    await cy.ready;
    connect(ann, "ann", cy, "cy");
    await settle();
    expect(cy.log.size).toBe(4);
    expect(cy.awayMarker).toBeNull();
  });

  it("heals a partial mesh by gossip: ann and cy never meet", async () => {
    const [ann, bob, cy] = [device(), device(), device()];
    await Promise.all([ann.ready, bob.ready, cy.ready]);
    connect(ann, "ann", bob, "bob");
    connect(bob, "bob", cy, "cy");
    await settle();
    await ann.compose("ann", "Ann", "to bob only");
    await cy.compose("cy", "Cy", "to bob only, too");
    await settle(25000);
    expect(ids(ann)).toEqual(ids(cy));
    expect(ann.log.size).toBe(2);
  });
});

describe("hostile peers", () => {
  it("a message with a bad signature, none, or another device's key for a known author is dropped", async () => {
    const ann = device();
    const annDevice = testAuthors("ROOM");
    const other = testAuthors("ROOM");
    await ann.ready;
    const sync = ann.attach("evil", new Wire(() => {}));
    const chat = (seq: number, text: string): ChatMessage =>
      ({ type: "chat", id: `bob:${seq}`, clientId: "bob", seq, lamport: seq, displayName: "Bob", text, sentAt: Date.now() });
    const real = await annDevice.sign(chat(1, "real"));
    sync.handle(real);
    sync.handle(chat(2, "unsigned"));
    sync.handle({ ...(await annDevice.sign(chat(3, "changed after signing"))), text: "changed" });
    sync.handle({ ...(await annDevice.sign(chat(4, "other room"))), sig: (await testAuthors("OTHER").sign(chat(4, "other room"))).sig });
    await settle(10);
    sync.handle(await other.sign(chat(5, "another device says it is bob")));
    await settle(10);
    expect(texts(ann)).toEqual(["real"]);
    expect(ann.dropped).toMatchObject({ unsigned: 1, "bad-signature": 2, "key-changed": 1 });
    expect(ann.authors.keyChanges).toEqual(["bob"]);
  });

  it("a flood of messages keeps the store bounded and is counted", async () => {
    const me = new RoomHistory("ROOM", new MemoryLogStore(), testAuthors("ROOM"), { maxMessages: 100, maxAgeMs: 1e12 });
    await me.ready;
    const link = new Wire(() => {});
    const sync = me.attach("evil", link);
    const evil = testAuthors("ROOM");
    const flood: ChatMessage[] = [];
    for (let i = 1; i <= 1000; i++)
      flood.push(await evil.sign({ type: "chat", id: `evil:${i}`, clientId: "evil", seq: i, lamport: i, displayName: "E", text: "spam", sentAt: Date.now() }));
    for (const m of flood) sync.handle(m);
    await settle(10);
    expect(me.log.size).toBe(100);
    expect(me.dropped.flood).toBe(400); // a burst of a window plus 500, then nothing
  });

  it("summaries are answered at most once a second", async () => {
    const ann = device();
    await ann.ready;
    for (let i = 0; i < 5; i++) await ann.compose("ann", "Ann", `a${i}`);
    const out = new Wire(() => {});
    const sync = ann.attach("bob", out);
    await settle(10);
    out.sent = [];
    for (let i = 0; i < 100; i++) sync.handle({ type: "sync", have: {}, floor: 0 });
    await settle(1500);
    // The five messages go once, in one batch: repeated asks add nothing.
    const batches = out.sent.filter((m) => m.type === "batch");
    expect(batches).toHaveLength(1);
    expect(ann.dropped["summary-rate"]).toBeGreaterThan(90);
  });

  it("a forged copy of a known message changes nothing", async () => {
    const ann = device();
    await ann.ready;
    const m = await ann.compose("ann", "Ann", "the real one");
    const sync = ann.attach("evil", new Wire(() => {}));
    sync.handle({ ...m, text: "forged" });
    await settle(10);
    expect(texts(ann)).toEqual(["the real one"]);
    expect(ann.dropped.conflict).toBe(1);
  });
});
