import { describe, expect, it } from "vitest";
import type { io } from "socket.io-client";
import type { Identity } from "../identity";
import { SignalingClient } from "./signaling-client";

type Ack = { ok: boolean; [k: string]: unknown };

/** Just enough of a socket.io Socket: records joins, answers them from a
 *  script, and lets the test fire server events. */
class FakeSocket {
  connected = false;
  joins: Record<string, unknown>[] = [];
  answers: Ack[] = [];
  #handlers = new Map<string, ((...a: unknown[]) => void)[]>();

  on(event: string, fn: (...a: unknown[]) => void): this {
    this.#handlers.set(event, [...(this.#handlers.get(event) ?? []), fn]);
    return this;
  }
  fire(event: string, ...args: unknown[]): void {
    for (const fn of this.#handlers.get(event) ?? []) fn(...args);
  }
  connect(): this {
    this.connected = true;
    this.fire("connect");
    return this;
  }
  disconnect(): this {
    this.connected = false;
    return this;
  }
  emit(): this {
    return this;
  }
  timeout() {
    return {
      emitWithAck: async (event: string, payload: Record<string, unknown>) => {
        if (event === "join-room") this.joins.push(payload);
        return this.answers.shift() ?? { ok: true, peerId: "p_me", peers: [], iceServers: [] };
      },
    };
  }
}

const taken: Ack = { ok: false, error: { code: "client-id-taken", message: "clientId in use in this room" } };
const alice: Identity = { clientId: "aliceAAA1", displayName: "Alice", resumeToken: "tokenAAAAAAAAAAAAAAAAAAAAAAAAAAA" };
const fresh: Identity = { clientId: "freshFFF1", displayName: "Alice", resumeToken: "tokenFFFFFFFFFFFFFFFFFFFFFFFFFFF" };

function client(): { c: SignalingClient; socket: FakeSocket } {
  const socket = new FakeSocket();
  const c = new SignalingClient("http://x", "room", alice, (() => socket) as unknown as typeof io);
  return { c, socket };
}

/** Lets the client's awaited acknowledgements run. */
const settle = () => new Promise((r) => setTimeout(r, 0));

describe("signaling client", () => {
  it("sends its resume token with every join", async () => {
    const { c, socket } = client();
    c.start();
    await settle();
    socket.fire("connect"); // a reconnect joins again, with the same token
    await settle();
    expect(socket.joins).toEqual([
      { roomId: "room", clientId: "aliceAAA1", resumeToken: alice.resumeToken },
      { roomId: "room", clientId: "aliceAAA1", resumeToken: alice.resumeToken },
    ]);
    expect(c.state).toBe("online");
  });

  it("joins once more with the identity a client-id-taken listener gives it", async () => {
    const { c, socket } = client();
    socket.answers = [taken];
    let asked = 0;
    c.on("client-id-taken", () => {
      asked++;
      c.setIdentity(fresh);
    });
    const errors: string[] = [];
    c.on("error", (e) => errors.push(e.code));
    c.start();
    await settle();
    expect(asked).toBe(1);
    expect(socket.joins.map((j) => [j.clientId, j.resumeToken])).toEqual([
      ["aliceAAA1", alice.resumeToken],
      ["freshFFF1", fresh.resumeToken],
    ]);
    expect(errors).toEqual([]);
    expect(c.state).toBe("online");
  });

  it("retries at most once per join attempt", async () => {
    const { c, socket } = client();
    socket.answers = [taken, taken, taken, taken];
    let n = 0;
    c.on("client-id-taken", () => c.setIdentity({ ...fresh, clientId: `fresh${++n}xxxx` }));
    const errors: string[] = [];
    c.on("error", (e) => errors.push(e.code));
    c.start();
    await settle();
    expect(socket.joins).toHaveLength(2);
    expect(errors).toEqual(["client-id-taken"]);
    expect(c.state).toBe("offline");
    // The next attempt (a reconnect) gets its own single retry.
    socket.fire("connect");
    await settle();
    expect(socket.joins).toHaveLength(4);
    expect(errors).toEqual(["client-id-taken", "client-id-taken"]);
  });

  it("reports client-id-taken when nobody renews the identity", async () => {
    const { c, socket } = client();
    socket.answers = [taken];
    const errors: string[] = [];
    c.on("error", (e) => errors.push(e.code));
    c.start();
    await settle();
    expect(socket.joins).toHaveLength(1);
    expect(errors).toEqual(["client-id-taken"]);
  });

  it("does not retry other refusals", async () => {
    const { c, socket } = client();
    socket.answers = [{ ok: false, error: { code: "room-full", message: "the room is full" } }];
    let asked = 0;
    c.on("client-id-taken", () => asked++);
    c.start();
    await settle();
    expect(asked).toBe(0);
    expect(socket.joins).toHaveLength(1);
  });
});
