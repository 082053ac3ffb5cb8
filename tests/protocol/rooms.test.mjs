// The rooms contract (../shared/design/signaling-protocol.md): join-room,
// peer-joined / peer-left, replacement, signal relay, leave-room.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  startServer, connectClient, emitWithAck, once, joined, rawSocket, uniqueRoom, clientId, sleep, slow, withDeadline,
  handshake, post, poll, oneNode,
} from "../support/server.mjs";

let server;
before(async () => { server = await startServer(); });
after(async () => { await server.stop(); });

const close = (...sockets) => sockets.forEach((s) => s.close());

test("join acknowledges peers and ICE servers; others see peer-joined", async () => {
  const room = uniqueRoom();
  const a = await joined(server.url, room, "Ana");
  assert.equal(a.ack.ok, true);
  assert.match(a.ack.peerId, /^p_[A-Za-z0-9_-]+$/);
  assert.deepEqual(a.ack.peers, []);
  assert.ok(Array.isArray(a.ack.iceServers));
  assert.ok(a.ack.iceServers[0].urls.some((u) => u.startsWith("stun:")));
  const seen = once(a.socket, "peer-joined");
  const b = await joined(server.url, room, "Bo");
  assert.deepEqual(b.ack.peers, [{ peerId: a.ack.peerId, clientId: a.clientId, displayName: "Ana" }]);
  assert.deepEqual(await seen, { peerId: b.ack.peerId, clientId: b.clientId, displayName: "Bo" });
  assert.notEqual(a.ack.peerId, b.ack.peerId);
  close(a.socket, b.socket);
});

test("every validation rule has its error code", async () => {
  const s = await connectClient(server.url);
  const ok = { roomId: "valid-room_1", clientId: "abcdefgh", displayName: "x" };
  const cases = [
    [{ ...ok, roomId: "Upper" }, "invalid-room"],
    [{ ...ok, roomId: "" }, "invalid-room"],
    [{ ...ok, roomId: "-lead" }, "invalid-room"],
    [{ ...ok, roomId: "_lead" }, "invalid-room"],
    [{ ...ok, roomId: "has space" }, "invalid-room"],
    [{ ...ok, roomId: "a".repeat(65) }, "invalid-room"],
    [{ ...ok, roomId: 42 }, "bad-request"],
    [{ clientId: "abcdefgh" }, "bad-request"],
    [{ ...ok, clientId: "short" }, "bad-request"],
    [{ ...ok, clientId: "bad char!" }, "bad-request"],
    [{ ...ok, clientId: "x".repeat(65) }, "bad-request"],
    [{ ...ok, displayName: "n".repeat(65) }, "bad-request"],
    [{ ...ok, displayName: 7 }, "bad-request"],
    ["not an object", "bad-request"],
  ];
  for (const [payload, code] of cases) {
    const ack = await emitWithAck(s, "join-room", payload);
    assert.equal(ack.ok, false, JSON.stringify(payload));
    assert.equal(ack.error.code, code, JSON.stringify(payload));
    assert.equal(typeof ack.error.message, "string");
  }
  // 64 characters of each kind are fine; display names count characters
  const edge = await emitWithAck(s, "join-room", {
    roomId: "a".repeat(64), clientId: "Z".repeat(64), displayName: "é".repeat(64),
  });
  assert.equal(edge.ok, true);
  s.close();
});

test("joining another room leaves the first", async () => {
  const r1 = uniqueRoom();
  const a = await joined(server.url, r1);
  const b = await joined(server.url, r1);
  const left = once(a.socket, "peer-left");
  const ack = await emitWithAck(b.socket, "join-room", { roomId: uniqueRoom(), clientId: b.clientId });
  assert.equal(ack.ok, true);
  assert.deepEqual(await left, { peerId: b.ack.peerId, reason: "left" });
  close(a.socket, b.socket);
});

test("a reloaded tab replaces its stale self: peer-left replaced, then peer-joined", async () => {
  const room = uniqueRoom();
  const a = await joined(server.url, room, "A");
  const seenOld = once(a.socket, "peer-joined");
  const old = await joined(server.url, room, "B");
  await seenOld; // B's arrival is not part of the sequence under test
  const events = [];
  a.socket.on("peer-left", (e) => events.push(["left", e]));
  a.socket.on("peer-joined", (e) => events.push(["joined", e]));
  const told = once(old.socket, "replaced");
  const fresh = await joined(server.url, room, "B again", { clientId: old.clientId });
  await told;
  await withDeadline((async () => { while (events.length < 2) await sleep(10); })(), 2000, "two events");
  assert.deepEqual(events, [
    ["left", { peerId: old.ack.peerId, reason: "replaced" }],
    ["joined", { peerId: fresh.ack.peerId, clientId: old.clientId, displayName: "B again" }],
  ]);
  assert.deepEqual(fresh.ack.peers.map((p) => p.peerId), [a.ack.peerId]);
  // the stale socket is no longer a member: its signals go nowhere
  const nack = await emitWithAck(old.socket, "signal", { to: a.ack.peerId, type: "offer", payload: null });
  assert.equal(nack.error.code, "unknown-peer");
  close(a.socket, old.socket, fresh.socket);
});

test("signal payloads are relayed byte for byte", async () => {
  const room = uniqueRoom();
  const a = await joined(server.url, room);
  const b = await joined(server.url, room);
  // A raw receiver sees the exact text the server wrote.
  const raw = await rawSocket(server.url);
  await raw.next();
  raw.send("40");
  await raw.nextNonPing();
  const rid = clientId();
  raw.send(`421["join-room",{"roomId":"${room}","clientId":"${rid}"}]`);
  const ack = JSON.parse((await raw.nextNonPing()).slice(3))[0];
  assert.equal(ack.ok, true);
  const payload = '{"sdp":"v=0\\r\\nü \\u00e9","n":1.5e300,"f":0.1,"big":12345678901234567890,"nested":{"a":[1,{"b":null}]}}';
  b.socket.io.engine.write(`2["signal",{"to":"${ack.peerId}","type":"offer","payload":${payload}}]`);
  let frame;
  do frame = await raw.nextNonPing(); while (!frame.startsWith('42["signal"'));
  assert.equal(frame, `42["signal",{"from":"${b.ack.peerId}","type":"offer","payload":${payload}}]`);
  raw.close();
  close(a.socket, b.socket);
});

test("signals only reach members of the same room", async () => {
  const a = await joined(server.url, uniqueRoom());
  const b = await joined(server.url, uniqueRoom());
  let leaked = false;
  b.socket.on("signal", () => (leaked = true));
  const ack = await emitWithAck(a.socket, "signal", { to: b.ack.peerId, type: "offer", payload: {} });
  assert.equal(ack.error.code, "unknown-peer");
  const ack2 = await emitWithAck(a.socket, "signal", { to: "p_nobody", type: "offer", payload: {} });
  assert.equal(ack2.error.code, "unknown-peer");
  await sleep(150);
  assert.equal(leaked, false);
  close(a.socket, b.socket);
});

test("malformed and oversized signals are refused", async () => {
  const room = uniqueRoom();
  const a = await joined(server.url, room);
  const b = await joined(server.url, room);
  const relayed = [];
  a.socket.on("signal", (m) => relayed.push(m));
  const to = a.ack.peerId;
  for (const [payload, code] of [
    [{ type: "offer", payload: {} }, "bad-request"],
    [{ to, payload: {} }, "bad-request"],
    [{ to, type: "x".repeat(33), payload: {} }, "bad-request"],
    [{ to: 5, type: "offer" }, "bad-request"],
    ["nope", "bad-request"],
    [{ to, type: "offer", payload: { sdp: "x".repeat(70 * 1024) } }, "too-large"],
  ]) {
    const ack = await emitWithAck(b.socket, "signal", payload);
    assert.equal(ack.ok, false);
    assert.equal(ack.error.code, code);
  }
  // just under the limit passes; a null payload (end of candidates) too
  const ok = await emitWithAck(b.socket, "signal", { to, type: "offer", payload: { sdp: "x".repeat(60 * 1024) } });
  assert.deepEqual(ok, { ok: true });
  assert.deepEqual(await emitWithAck(b.socket, "signal", { to, type: "candidate", payload: null }), { ok: true });
  await withDeadline((async () => { while (relayed.length < 2) await sleep(10); })(), 2000, "two relays");
  assert.equal(relayed.length, 2);
  assert.equal(relayed[0].payload.sdp.length, 60 * 1024);
  assert.deepEqual(relayed[1], { from: b.ack.peerId, type: "candidate", payload: null });
  close(a.socket, b.socket);
});

test("signals without an ack are relayed too", async () => {
  const room = uniqueRoom();
  const a = await joined(server.url, room);
  const b = await joined(server.url, room);
  const got = once(a.socket, "signal");
  b.socket.emit("signal", { to: a.ack.peerId, type: "candidate", payload: { candidate: "c", sdpMid: "0" } });
  assert.deepEqual((await got).payload, { candidate: "c", sdpMid: "0" });
  close(a.socket, b.socket);
});

test("leave-room, and leaving when in no room", async () => {
  const room = uniqueRoom();
  const a = await joined(server.url, room);
  const b = await joined(server.url, room);
  const left = once(a.socket, "peer-left");
  assert.deepEqual(await emitWithAck(b.socket, "leave-room", {}), { ok: true });
  assert.deepEqual(await left, { peerId: b.ack.peerId, reason: "left" });
  const again = await emitWithAck(b.socket, "leave-room", {});
  assert.equal(again.error.code, "not-in-room");
  close(a.socket, b.socket);
});

test("a disconnect leaves with reason disconnected", async () => {
  const room = uniqueRoom();
  const a = await joined(server.url, room);
  const b = await joined(server.url, room);
  const left = once(a.socket, "peer-left");
  b.socket.close();
  assert.deepEqual(await left, { peerId: b.ack.peerId, reason: "disconnected" });
  a.socket.close();
});

test("a member whose heartbeat times out leaves with reason disconnected", async () => {
  const quick = await startServer(["--ping-interval", String(300 * slow), "--ping-timeout", String(300 * slow)]);
  const room = uniqueRoom();
  const a = await joined(quick.url, room);
  const ws = await rawSocket(quick.url);
  await ws.next();
  ws.send("40");
  await ws.next();
  ws.send(`421["join-room",{"roomId":"${room}","clientId":"${clientId()}"}]`);
  const ack = JSON.parse((await ws.next()).slice(3))[0];
  // never answer pings
  assert.deepEqual(await once(a.socket, "peer-left", 3000), { peerId: ack.peerId, reason: "disconnected" });
  a.socket.close();
  await quick.stop();
});

test("an unknown event with an ack gets bad-request", async () => {
  const s = await connectClient(server.url);
  const ack = await emitWithAck(s, "make-coffee", {});
  assert.equal(ack.error.code, "bad-request");
  s.close();
});

// A joined raw WebSocket client, for what socket.io-client cannot send.
async function rawJoined(url, room) {
  const raw = await rawSocket(url);
  await raw.next();
  raw.send("40");
  await raw.nextNonPing();
  raw.send(`421["join-room",{"roomId":"${room}","clientId":"${clientId()}"}]`);
  const ack = JSON.parse((await raw.nextNonPing()).slice(3))[0];
  assert.equal(ack.ok, true);
  return { raw, ack };
}

test("a signal that repeats `to` is refused", async () => {
  const room = uniqueRoom();
  const a = await joined(server.url, room);
  const b = await joined(server.url, room);
  const { raw } = await rawJoined(server.url, room);
  let relayed = 0;
  a.socket.on("signal", () => relayed++);
  b.socket.on("signal", () => relayed++);
  for (const [id, body] of [
    [7, `{"to":"${a.ack.peerId}","type":"offer","to":"${b.ack.peerId}"}`],
    [8, `{"to":"${a.ack.peerId}","type":"offer","payload":{},"to":"${a.ack.peerId}"}`],
  ]) {
    raw.send(`42${id}["signal",${body}]`);
    const frame = await raw.nextNonPing();
    assert.match(frame, new RegExp(`^43${id}\\[\\{"ok":false,"error":\\{"code":"bad-request"`));
  }
  await sleep(150);
  assert.equal(relayed, 0);
  raw.close();
  close(a.socket, b.socket);
});

test("binary attachments are relayed only when the payload holds their placeholders", async () => {
  const room = uniqueRoom();
  const a = await joined(server.url, room);
  const b = await joined(server.url, room);
  const relayed = [];
  a.socket.on("signal", (m) => relayed.push(m));
  const to = a.ack.peerId;
  const bytes = Buffer.from([1, 2, 3]);
  // socket.io-client turns each Buffer into a placeholder and an attachment
  for (const bad of [
    { to, type: "offer", payload: {}, extra: bytes },
    { to, type: "offer", payload: null, x: [bytes, bytes] },
    { to, type: "offer", payload: { a: bytes }, x: bytes },
  ]) {
    const ack = await emitWithAck(b.socket, "signal", bad);
    assert.equal(ack.error?.code, "bad-request", JSON.stringify(Object.keys(bad)));
  }
  // by hand: a placeholder as `to`, and one in a second argument
  const { raw } = await rawJoined(server.url, room);
  raw.send(`451-9["signal",{"to":{"_placeholder":true,"num":0},"type":"offer","payload":{}}]`);
  raw.send(bytes);
  assert.match(await raw.nextNonPing(), /^439\[\{"ok":false,"error":\{"code":"bad-request"/);
  raw.send(`451-10["signal",{"to":"${to}","type":"offer","payload":{}},{"_placeholder":true,"num":0}]`);
  raw.send(bytes);
  assert.match(await raw.nextNonPing(), /^4310\[\{"ok":false,"error":\{"code":"bad-request"/);
  raw.close();
  // inside the payload, in any order and depth: relayed with the bytes
  const ok = await emitWithAck(b.socket, "signal", { to, type: "offer", payload: { x: [Buffer.from("two"), { y: bytes }] } });
  assert.deepEqual(ok, { ok: true });
  await withDeadline((async () => { while (relayed.length < 1) await sleep(10); })(), 2000, "the relay");
  assert.equal(relayed.length, 1);
  assert.equal(Buffer.from(relayed[0].payload.x[0]).toString(), "two");
  assert.deepEqual([...Buffer.from(relayed[0].payload.x[1].y)], [1, 2, 3]);
  close(a.socket, b.socket);
});

test("a signal the target's queue cannot take is acknowledged unknown-peer, never ok", async () => {
  const tight = await startServer(["--max-queued-bytes", "65536", "--ping-interval", "60000", "--ping-timeout", "60000"]);
  // One node: a signal to a member on another node of a cluster is
  // acknowledged once it is on its way there (docs/cluster.md).
  const url = oneNode(tight);
  const room = uniqueRoom();
  const sender = await joined(url, room);
  // The target: a polling session that stops polling once it has joined.
  const hs = await handshake(url);
  await post(url, hs.sid, "40");
  await poll(url, hs.sid);
  await post(url, hs.sid, `421["join-room",{"roomId":"${room}","clientId":"${clientId()}"}]`);
  const ack = JSON.parse((await poll(url, hs.sid)).body.slice(3))[0];
  assert.equal(ack.ok, true);
  const left = once(sender.socket, "peer-left", 5000);
  const codes = [];
  for (let i = 0; i < 8; i++) {
    const r = await emitWithAck(sender.socket, "signal", { to: ack.peerId, type: "offer", payload: { sdp: "x".repeat(20000) } });
    codes.push(r.ok ? "ok" : r.error.code);
  }
  const firstRefusal = codes.indexOf("unknown-peer");
  assert.ok(firstRefusal > 0, codes.join());
  assert.deepEqual(codes.slice(firstRefusal), Array(codes.length - firstRefusal).fill("unknown-peer"), codes.join());
  assert.ok(codes.slice(0, firstRefusal).every((c) => c === "ok"), codes.join());
  // bytes of the acknowledged signals fit the queue: none was lost
  assert.ok(firstRefusal * 20000 <= 65536, codes.join());
  assert.deepEqual(await left, { peerId: ack.peerId, reason: "disconnected" });
  sender.socket.close();
  await tight.stop();
});

test("probe is answered ok, in a room or not, and changes nothing", async () => {
  const s = await connectClient(server.url);
  assert.deepEqual(await emitWithAck(s, "probe"), { ok: true });
  const room = uniqueRoom();
  const a = await joined(server.url, room, "Ana");
  let events = 0;
  a.socket.onAny(() => events++);
  assert.deepEqual(await emitWithAck(a.socket, "probe", { anything: 1 }), { ok: true });
  const b = await joined(server.url, room, "Bo");
  assert.deepEqual(b.ack.peers.map((p) => p.displayName), ["Ana"]);
  await sleep(50);
  assert.equal(events, 1); // only b's peer-joined
  close(s, a.socket, b.socket);
});
