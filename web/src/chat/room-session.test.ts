import { describe, expect, it, vi } from "vitest";
import type { Identity } from "../identity";
import { memoryStorage } from "../testing/memory-storage";

// The socket every SignalingClient in this file gets: records joins and
// answers them from a script.
const socket = vi.hoisted(() => {
  const handlers = new Map<string, ((...a: unknown[]) => void)[]>();
  const s = {
    connected: false,
    joins: [] as Record<string, unknown>[],
    answers: [] as unknown[],
    reset() {
      handlers.clear();
      s.joins = [];
      s.answers = [];
    },
    on(event: string, fn: (...a: unknown[]) => void) {
      handlers.set(event, [...(handlers.get(event) ?? []), fn]);
      return s;
    },
    fire(event: string, ...args: unknown[]) {
      for (const fn of handlers.get(event) ?? []) fn(...args);
    },
    connect() {
      s.connected = true;
      s.fire("connect");
      return s;
    },
    disconnect() {
      s.connected = false;
      return s;
    },
    emit() {
      return s;
    },
    timeout() {
      return {
        emitWithAck: async (event: string, payload: Record<string, unknown>) => {
          if (event === "join-room") s.joins.push(payload);
          return s.answers.shift() ?? { ok: true, peerId: "p_me", peers: [], iceServers: [] };
        },
      };
    },
  };
  return s;
});
vi.mock("socket.io-client", () => ({ io: () => socket }));

const { RoomSession } = await import("./room-session");
const { noble } = await import("../crypto/noble");
const { testSigner } = await import("../testing/signers");
const options = () => ({ signer: testSigner() });
const access = { keys: { roomId: "roomroomroomroomroomroomro", signalKey: new Uint8Array(32) }, crypto: noble };


const me: Identity = { clientId: "meMeMeMe1", displayName: "Me", resumeToken: "tokenMMMMMMMMMMMMMMMMMMMMMMMMMMM" };
const settle = () => new Promise((r) => setTimeout(r, 0));

describe("room session identity", () => {
  it("on client-id-taken becomes someone new and joins again", async () => {
    socket.reset();
    socket.answers = [{ ok: false, error: { code: "client-id-taken", message: "clientId in use in this room" } }];
    const storage = memoryStorage();
    const session = new RoomSession(access, me, "http://x", storage, options());
    session.signaling.start();
    await settle();
    expect(socket.joins).toHaveLength(2);
    const [first, second] = socket.joins;
    expect(first).toMatchObject({ clientId: me.clientId, resumeToken: me.resumeToken });
    expect(second.clientId).not.toBe(me.clientId);
    expect(second.resumeToken).not.toBe(me.resumeToken);
    // What it joined as is what it is, and what a reload will use.
    expect(session.snapshot.self).toMatchObject({ clientId: second.clientId, resumeToken: second.resumeToken });
    expect(storage.getItem("fc.clientId")).toBe(second.clientId);
    expect(storage.getItem("fc.resumeToken")).toBe(second.resumeToken);
    expect(session.snapshot.error).toBeNull();
    expect(session.snapshot.signaling).toBe("online");
  });

  it("gives up after one retry and shows the refusal", async () => {
    socket.reset();
    const taken = { ok: false, error: { code: "client-id-taken", message: "clientId in use in this room" } };
    socket.answers = [taken, taken];
    const session = new RoomSession(access, me, "http://x", memoryStorage(), options());
    session.signaling.start();
    await settle();
    expect(socket.joins).toHaveLength(2);
    expect(session.snapshot.error).toBe("clientId in use in this room");
    expect(session.snapshot.signaling).toBe("offline");
  });

  it("on replaced renews clientId and token and rejoins", async () => {
    socket.reset();
    const session = new RoomSession(access, me, "http://x", memoryStorage(), options());
    session.signaling.start();
    await settle();
    socket.fire("replaced");
    await settle();
    expect(socket.joins).toHaveLength(2);
    expect(socket.joins[1].clientId).not.toBe(me.clientId);
    expect(socket.joins[1].resumeToken).not.toBe(me.resumeToken);
  });
});
