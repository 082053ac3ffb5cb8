import { describe, expect, it } from "vitest";
import { memoryStorage } from "../testing/memory-storage";
import { toBase64url } from "../crypto/bytes";
import { forgetCodeSecret, openRoom } from "./room-access";

describe("opening a room", () => {
  it("by link: the ids of docs/private-rooms.md, nothing kept", async () => {
    const storage = memoryStorage();
    const { keys } = await openRoom({ kind: "secret", secret: Uint8Array.from({ length: 16 }, (_, i) => i) }, storage);
    expect(keys.roomId).toBe("i7oyvjkvmt5fb2i67rulloo4se");
    expect(storage.length).toBe(0);
  });

  it("by code: stretched once per tab, however the code is spelt; forgotten on leaving for good", async () => {
    const storage = memoryStorage();
    const first = await openRoom({ kind: "code", code: "k7qf-m2xp-th9r" }, storage);
    expect(first.keys.roomId).toBe("fcqzh55b6qwl4shgxvj7uyuf4e");
    const kept = storage.getItem("fc.codeSecret");
    expect(kept).toContain("k7qfm2xpth9r");
    const again = await openRoom({ kind: "code", code: "K7QF M2XP TH9R" }, storage);
    expect(again.keys.roomId).toBe(first.keys.roomId);
    // What is kept is what is used (no second scrypt): a kept secret that
    // is not the code's own shows through.
    storage.setItem("fc.codeSecret", JSON.stringify({ code: "k7qfm2xpth9r", secret: toBase64url(new Uint8Array(32).fill(7)) }));
    const planted = await openRoom({ kind: "code", code: "k7qf-m2xp-th9r" }, storage);
    expect(planted.keys.roomId).toBe((await openRoom({ kind: "secret", secret: new Uint8Array(32).fill(7) }, memoryStorage())).keys.roomId);
    // A damaged cache entry is stretched again, not trusted.
    storage.setItem("fc.codeSecret", JSON.stringify({ code: "k7qfm2xpth9r", secret: "AAAA" }));
    expect((await openRoom({ kind: "code", code: "k7qf-m2xp-th9r" }, storage)).keys.roomId).toBe(first.keys.roomId);
    forgetCodeSecret(storage);
    expect(storage.getItem("fc.codeSecret")).toBeNull();
  }, 30000);
});
