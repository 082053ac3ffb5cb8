import "fake-indexeddb/auto";
import { describe, expect, it } from "vitest";
import { IndexedDbLogStore } from "./log-store";
import type { ChatMessage } from "./messages";

const msg = (clientId: string, seq: number, text = `${clientId}${seq}`): ChatMessage => ({
  type: "chat", id: `${clientId}:${seq}`, clientId, seq, lamport: seq, displayName: clientId, text, sentAt: 1,
});

describe("IndexedDB log store", () => {
  it("keeps rooms apart, adds, removes and forgets", async () => {
    const store = new IndexedDbLogStore();
    await store.save("ROOMA", { add: [msg("ann", 1), msg("ann", 2)], remove: [], clock: 2, ownSeq: { ann: 2 } });
    await store.save("ROOMB", { add: [msg("bob", 1)], remove: [], clock: 9, ownSeq: {} });
    await store.save("ROOMA", { add: [msg("cy", 1)], remove: [msg("ann", 1)], clock: 3, ownSeq: { ann: 2 } });
    const a = await new IndexedDbLogStore().load("ROOMA");
    expect(a.messages.map((m) => m.text).sort()).toEqual(["ann2", "cy1"]);
    expect([a.clock, a.ownSeq]).toEqual([3, { ann: 2 }]);
    await store.forget("ROOMA");
    expect((await store.load("ROOMA")).messages).toEqual([]);
    expect((await store.load("ROOMB")).messages.map((m) => m.text)).toEqual(["bob1"]);
  });

  it("loads only valid records from a damaged store", async () => {
    const store = new IndexedDbLogStore();
    await store.save("ROOMC", { add: [msg("ann", 1)], remove: [], clock: 1, ownSeq: {} });
    const db = await new Promise<IDBDatabase>((resolve) => {
      const r = indexedDB.open("festival-chat", 1);
      r.onsuccess = () => resolve(r.result);
    });
    const tx = db.transaction(["messages", "rooms"], "readwrite");
    tx.objectStore("messages").put({ room: "ROOMC", id: "evil:1", message: { type: "chat", clientId: "evil" } });
    tx.objectStore("messages").put({ room: "ROOMC", id: "ann:7", message: msg("ann", 2) });
    tx.objectStore("rooms").put({ room: "ROOMC", clock: "lots", ownSeq: { ann: -3, bob: 4 } });
    await new Promise((resolve) => (tx.oncomplete = resolve));
    db.close();
    const loaded = await new IndexedDbLogStore().load("ROOMC");
    expect(loaded.messages.map((m) => m.text)).toEqual(["ann1"]);
    expect([loaded.clock, loaded.ownSeq]).toEqual([0, { bob: 4 }]);
  });
});
