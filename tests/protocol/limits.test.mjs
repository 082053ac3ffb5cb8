// Limits: room size, per-connection event rate, per-IP connection rate,
// and slow consumers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { oneNode, startServer, connectClient, emitWithAck, joined, handshake, rawSocket, uniqueRoom, clientId, once, sleep, withDeadline } from "../support/server.mjs";

test("room-full at the configured size, a replacement still gets in", async () => {
  const server = await startServer(["--room-size", "2"]);
  try {
    const room = uniqueRoom();
    const a = await joined(server.url, room);
    const b = await joined(server.url, room);
    const c = await connectClient(server.url);
    const full = await emitWithAck(c, "join-room", { roomId: room, clientId: clientId() });
    assert.equal(full.error.code, "room-full");
    // a reload of b (same clientId) replaces it even though the room is full
    const again = await emitWithAck(c, "join-room", { roomId: room, clientId: b.clientId });
    assert.equal(again.ok, true);
    // a refused join keeps the connection in its current room
    const other = uniqueRoom();
    const d = await joined(server.url, other);
    const e = await joined(server.url, other);
    let left = false;
    e.socket.on("peer-left", () => (left = true));
    const refused = await emitWithAck(d.socket, "join-room", { roomId: room, clientId: d.clientId });
    assert.equal(refused.error.code, "room-full");
    await sleep(100);
    assert.equal(left, false);
    for (const s of [a.socket, b.socket, c, d.socket, e.socket]) s.close();
  } finally {
    await server.stop();
  }
});

test("events over the per-connection bucket are rate-limited", async () => {
  const server = await startServer(["--event-burst", "5", "--event-rate", "1"]);
  try {
    const s = await connectClient(server.url);
    const acks = await Promise.all(
      Array.from({ length: 12 }, () => emitWithAck(s, "leave-room", {})),
    );
    const codes = acks.map((a) => a.error.code);
    assert.equal(codes.filter((c) => c === "not-in-room").length, 5);
    assert.equal(codes.filter((c) => c === "rate-limited").length, 7);
    const text = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(text, /fc_rate_limited_total\{scope="events"\} 7/);
    s.close();
  } finally {
    await server.stop();
  }
});

test("new connections over the per-IP bucket get HTTP 429", async () => {
  const server = await startServer(["--connection-burst", "3", "--connection-rate", "0.001"]);
  try {
    // (Per node: each node of a cluster keeps its own buckets, docs/cluster.md.)
    const url = oneNode(server);
    for (let i = 0; i < 3; i++) await handshake(url);
    const res = await fetch(`${url}/socket.io/?EIO=4&transport=polling`);
    assert.equal(res.status, 429);
    // existing sessions are not affected; other endpoints neither
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  } finally {
    await server.stop();
  }
});

test("a client that stops reading is dropped, the others carry on", async () => {
  const server = await startServer(["--max-queued-bytes", "65536"]);
  try {
    const room = uniqueRoom("slow");
    // The slow one: polling, and it never polls again.
    const { sid } = await handshake(server.url);
    const post = (body) => fetch(`${server.url}/socket.io/?EIO=4&transport=polling&sid=${sid}`, { method: "POST", body });
    await post("40");
    const slowId = clientId();
    await post(`421["join-room",{"roomId":"${room}","clientId":"${slowId}"}]`);
    const fast = await joined(server.url, room);
    const slowPeer = fast.ack.peers[0].peerId;
    const other = await joined(server.url, room);
    const big = "x".repeat(30 * 1024);
    let dropped = false;
    const left = once(fast.socket, "peer-left", 5000);
    for (let i = 0; i < 10 && !dropped; i++) {
      const ack = await emitWithAck(fast.socket, "signal", { to: slowPeer, type: "offer", payload: big });
      dropped = !ack.ok;
    }
    assert.deepEqual(await left, { peerId: slowPeer, reason: "disconnected" });
    const text = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(text, /fc_slow_consumers_dropped_total 1/);
    const ok = await emitWithAck(fast.socket, "signal", { to: other.ack.peerId, type: "offer", payload: {} });
    assert.deepEqual(ok, { ok: true });
    fast.socket.close();
    other.socket.close();
  } finally {
    await server.stop();
  }
});
