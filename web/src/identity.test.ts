import { describe, expect, it } from "vitest";
import { loadIdentity, renewClientId } from "./identity";
import { memoryStorage } from "./testing/memory-storage";


const TOKEN = /^[A-Za-z0-9_-]{24,128}$/;

describe("identity", () => {
  it("makes a clientId and a resume token and keeps both for the tab", () => {
    const session = memoryStorage();
    const local = memoryStorage();
    const first = loadIdentity(session, local);
    expect(first.clientId).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    expect(first.resumeToken).toMatch(TOKEN);
    expect(first.resumeToken).not.toBe(first.clientId);
    const reloaded = loadIdentity(session, local);
    expect(reloaded).toEqual(first);
  });

  it("gives every tab its own token", () => {
    const a = loadIdentity(memoryStorage(), memoryStorage());
    const b = loadIdentity(memoryStorage(), memoryStorage());
    expect(a.resumeToken).not.toBe(b.resumeToken);
  });

  it("adds a token to a clientId kept from before tokens existed", () => {
    const session = memoryStorage({ "fc.clientId": "oldClientId1" });
    const id = loadIdentity(session, memoryStorage());
    expect(id.clientId).toBe("oldClientId1");
    expect(id.resumeToken).toMatch(TOKEN);
    expect(session.getItem("fc.resumeToken")).toBe(id.resumeToken);
  });

  it("never pairs a kept token with a new clientId", () => {
    const session = memoryStorage({ "fc.clientId": "bad id!", "fc.resumeToken": "t".repeat(32) });
    const id = loadIdentity(session, memoryStorage());
    expect(id.clientId).not.toBe("bad id!");
    expect(id.resumeToken).not.toBe("t".repeat(32));
  });

  it("replaces a malformed token", () => {
    const session = memoryStorage({ "fc.clientId": "goodClient", "fc.resumeToken": "short" });
    expect(loadIdentity(session, memoryStorage()).resumeToken).toMatch(TOKEN);
  });

  it("renews the clientId and the token together", () => {
    const session = memoryStorage();
    const before = loadIdentity(session, memoryStorage());
    const renewed = renewClientId(session);
    expect(renewed.clientId).not.toBe(before.clientId);
    expect(renewed.resumeToken).not.toBe(before.resumeToken);
    expect(renewed.resumeToken).toMatch(TOKEN);
    expect(loadIdentity(session, memoryStorage())).toMatchObject(renewed);
  });
});
