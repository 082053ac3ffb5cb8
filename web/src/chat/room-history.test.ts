import { describe, expect, it } from "vitest";
import { MemoryLogStore } from "./log-store";
import { RoomHistory } from "./room-history";
import { testAuthors } from "../testing/signers";

describe("saving history", () => {
  it("one's own message is on its way to disk at once, not after the save delay", async () => {
    const store = new MemoryLogStore();
    const saves: number[] = [];
    const save = store.save.bind(store);
    store.save = async (room, change) => {
      saves.push(change.add.length);
      return save(room, change);
    };
    const h = new RoomHistory("ROOM", store, testAuthors("ROOM"));
    await h.ready;
    await h.compose("me", "Me", "closing the tab now");
    // No timer has run: the save started within compose().
    expect(saves).toEqual([1]);
    await Promise.resolve();
    expect((await store.load("ROOM")).messages.map((m) => m.text)).toEqual(["closing the tab now"]);
  });

  it("flush() starts a pending save now, and does nothing when all is saved", async () => {
    const store = new MemoryLogStore();
    let calls = 0;
    const save = store.save.bind(store);
    store.save = async (room, change) => {
      calls++;
      return save(room, change);
    };
    const h = new RoomHistory("ROOM", store, testAuthors("ROOM"));
    await h.ready;
    const ana = testAuthors("ROOM");
    await h.receive([await ana.sign({ type: "chat", id: "ana:1", clientId: "ana", seq: 1, lamport: 1, displayName: "Ana", text: "hi", sentAt: Date.now() })], "live");
    expect(calls).toBe(0); // waiting for the save delay
    h.flush();
    h.flush();
    await Promise.resolve();
    expect(calls).toBe(1);
    h.close();
  });
});
