// Finding 6, identity takeover: the contract lets a join with an existing
// clientId replace that member (a reloaded tab), and clientIds are visible to
// every member, so anyone in a room could evict anyone, again and again, even
// from a full room. The fix adds an optional `resumeToken` to `join-room`
// (16..128 chars of [A-Za-z0-9_-], a secret the client keeps with its
// clientId): a member that joined with a token can only be replaced by a join
// with the same token (others get `client-id-taken`), and its clientId stays
// reserved for that token for 10 minutes after it disconnects. Only a token
// protects: a member that joined without one can still be replaced by a
// token-less join, as the contract says. The token is never shown to others.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { startServer, connectClient, emitWithAck, uniqueRoom, clientId } from "../support/server.mjs";
import { RawWs, joinedWs, recorder, waitFor } from "../support/adversary.mjs";

const token = () => randomBytes(24).toString("base64url"); // 32 chars

// An ack comes after every event queued before it: a barrier.
async function settle(...sockets) {
  for (const s of sockets) await emitWithAck(s, "signal", { to: "p_nobody", type: "x", payload: null });
}

test("a token-protected seat cannot be taken without its token; its owner's reload still replaces it", async () => {
  const server = await startServer();
  const sockets = [];
  const raws = [];
  try {
    const room = uniqueRoom("takeover");
    // A raw observer sees the exact JSON others get.
    const observer = await RawWs.open(server.url);
    raws.push(observer);
    await observer.joinRoom(room);
    const X = clientId("v");
    const T = token();
    const v = await joinedWs(server.url, room, { clientId: X, resumeToken: T });
    sockets.push(v.socket);
    const other = await joinedWs(server.url, room, { resumeToken: token() });
    sockets.push(other.socket);
    const joinedFrame = await observer.next((f) => typeof f === "string" && f.includes(`"peer-joined"`) && f.includes(v.peerId), 3000, "peer-joined for V");
    assert.ok(!joinedFrame.includes(T), "peer-joined does not carry the token");
    assert.ok(!JSON.stringify(other.ack).includes(T), "a later joiner's peers do not carry the token");
    // A raw later joiner: the peers list as sent.
    const late = await RawWs.open(server.url);
    raws.push(late);
    await late.joinRoom(room);
    assert.ok(!JSON.stringify(late.ack).includes(T), "peers (raw) do not carry the token");
    await settle(v.socket, other.socket);
    const vBefore = v.rec.events.length;
    const oBefore = other.rec.events.length;

    // The attacker read X from the peers list; it has no token, or a wrong one.
    const m = await connectClient(server.url, { transports: ["websocket"] });
    sockets.push(m);
    const mrec = recorder(m);
    for (let i = 0; i < 20; i++) {
      const req = { roomId: room, clientId: X, displayName: "M" };
      if (i % 2) req.resumeToken = token();
      const ack = await emitWithAck(m, "join-room", req);
      assert.equal(ack.ok, false, `attempt ${i} (${i % 2 ? "wrong token" : "no token"}) took V's seat: ${JSON.stringify(ack)}`);
      assert.equal(ack.error.code, "client-id-taken");
    }
    await settle(v.socket, other.socket);
    assert.deepEqual(v.rec.events.slice(vBefore), [], "V hears nothing (no replaced)");
    assert.deepEqual(other.rec.events.slice(oBefore), [], "the others hear nothing (no peer-left, no peer-joined)");
    assert.deepEqual(mrec.events, [], "the refused attacker hears nothing of the room");
    const sig = await emitWithAck(other.socket, "signal", { to: v.peerId, type: "offer", payload: 1 });
    assert.deepEqual(sig, { ok: true }, "V still holds its seat");

    // V reloads: new socket, same clientId, same token: it replaces the old one.
    const v2 = await joinedWs(server.url, room, { clientId: X, resumeToken: T });
    sockets.push(v2.socket);
    await v.rec.waitFor((e) => e.event === "replaced", 3000, "replaced at V's old socket");
    await other.rec.waitFor((e) => e.event === "peer-joined" && e.payload.peerId === v2.peerId, 3000, "peer-joined for V's reload");
    const seen = other.rec.events.slice(oBefore).map((e) => [e.event, e.payload.peerId, e.payload.reason]);
    assert.deepEqual(seen, [["peer-left", v.peerId, "replaced"], ["peer-joined", v2.peerId, undefined]]);
  } finally {
    for (const s of sockets) s.close();
    for (const r of raws) r.destroy();
    await server.stop();
  }
});

test("only a token protects: a member without one is replaced by a token-less join (the contract)", async () => {
  const server = await startServer();
  const sockets = [];
  try {
    const room = uniqueRoom("notoken");
    const X = clientId("u");
    const u = await joinedWs(server.url, room, { clientId: X });
    const o = await joinedWs(server.url, room);
    sockets.push(u.socket, o.socket);
    const again = await joinedWs(server.url, room, { clientId: X });
    sockets.push(again.socket);
    await u.rec.waitFor((e) => e.event === "replaced", 3000, "replaced");
    await o.rec.waitFor((e) => e.event === "peer-joined" && e.payload.peerId === again.peerId, 3000, "peer-joined");
    assert.deepEqual(o.rec.of("peer-left"), [{ peerId: u.peerId, reason: "replaced" }]);
    // And a token-protected seat next to it in the same server is not: the
    // contrast that shows the token is what protects.
    const T = token();
    const p = await joinedWs(server.url, room, { clientId: clientId("p"), resumeToken: T });
    sockets.push(p.socket);
    const m = await connectClient(server.url, { transports: ["websocket"] });
    sockets.push(m);
    const ack = await emitWithAck(m, "join-room", { roomId: room, clientId: p.clientId });
    assert.equal(ack.ok, false, `a token-less join took a token-protected seat: ${JSON.stringify(ack)}`);
    assert.equal(ack.error.code, "client-id-taken");
  } finally {
    for (const s of sockets) s.close();
    await server.stop();
  }
});

test("a full room does not let the attacker in either", async () => {
  const server = await startServer(["--room-size", "2"]);
  const sockets = [];
  try {
    const room = uniqueRoom("fulltake");
    const X = clientId("v");
    const T = token();
    const v = await joinedWs(server.url, room, { clientId: X, resumeToken: T });
    const o = await joinedWs(server.url, room);
    sockets.push(v.socket, o.socket);
    await settle(v.socket, o.socket);
    const vBefore = v.rec.events.length;
    const oBefore = o.rec.events.length;
    const m = await connectClient(server.url, { transports: ["websocket"] });
    sockets.push(m);
    for (const resumeToken of [undefined, token()]) {
      const req = { roomId: room, clientId: X };
      if (resumeToken) req.resumeToken = resumeToken;
      const ack = await emitWithAck(m, "join-room", req);
      assert.equal(ack.ok, false, `the attacker took V's seat in a full room: ${JSON.stringify(ack)}`);
      // client-id-taken is the fix's answer; room-full would refuse it as well.
      assert.ok(["client-id-taken", "room-full"].includes(ack.error.code), ack.error.code);
    }
    await settle(v.socket, o.socket);
    assert.deepEqual(v.rec.events.slice(vBefore), [], "V was not replaced");
    assert.deepEqual(o.rec.events.slice(oBefore), [], "the other member heard nothing");
    // V's own reload still gets in although the room is full.
    const v2 = await joinedWs(server.url, room, { clientId: X, resumeToken: T });
    sockets.push(v2.socket);
    await v.rec.waitFor((e) => e.event === "replaced", 3000, "replaced");
  } finally {
    for (const s of sockets) s.close();
    await server.stop();
  }
});

test("a disconnected member's clientId stays reserved for its token", async () => {
  const server = await startServer();
  const sockets = [];
  try {
    const room = uniqueRoom("reserved");
    const X = clientId("v");
    const T = token();
    const v = await joinedWs(server.url, room, { clientId: X, resumeToken: T });
    const o = await joinedWs(server.url, room);
    sockets.push(o.socket);
    v.socket.close();
    await o.rec.waitFor((e) => e.event === "peer-left", 3000, "peer-left for V");
    assert.deepEqual(o.rec.of("peer-left"), [{ peerId: v.peerId, reason: "disconnected" }]);

    const m = await connectClient(server.url, { transports: ["websocket"] });
    sockets.push(m);
    const ack = await emitWithAck(m, "join-room", { roomId: room, clientId: X, resumeToken: token() });
    assert.equal(ack.ok, false, `another token took the reserved clientId: ${JSON.stringify(ack)}`);
    assert.equal(ack.error.code, "client-id-taken");
    await settle(o.socket);
    assert.deepEqual(o.rec.of("peer-joined"), [], "nobody joined as V");

    const back = await joinedWs(server.url, room, { clientId: X, resumeToken: T });
    sockets.push(back.socket);
    assert.deepEqual(back.ack.peers.map((p) => p.peerId), [o.peerId]);
    await o.rec.waitFor((e) => e.event === "peer-joined" && e.payload.peerId === back.peerId, 3000, "V is back");
  } finally {
    for (const s of sockets) s.close();
    await server.stop();
  }
});
