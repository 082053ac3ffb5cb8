// Resume tokens (docs/protocol-extensions.md): a clientId joined with a
// `resumeToken` can only be taken over by a join carrying the same token,
// also for a while after its connection is lost; clients without tokens
// keep the contract's replace-at-once behaviour.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  startServer, connectClient, emitWithAck, once, joined, uniqueRoom, clientId, sleep, withDeadline,
} from "../support/server.mjs";

let server;
before(async () => { server = await startServer(); });
after(async () => { await server.stop(); });

const close = (...sockets) => sockets.forEach((s) => s.close());
const token = (tag = "t") => `${tag}${clientId()}`.padEnd(32, "_");

// Joins with a resume token; resolves { socket, ack, clientId, resumeToken }.
async function joinedWithToken(url, room, name = "", { clientId: id = clientId(), resumeToken = token() } = {}) {
  const socket = await connectClient(url);
  const ack = await emitWithAck(socket, "join-room", { roomId: room, clientId: id, displayName: name, resumeToken });
  if (!ack.ok) throw new Error(`join failed: ${JSON.stringify(ack)}`);
  return { socket, ack, clientId: id, resumeToken };
}

// Everything a socket hears of the room, in order.
function listen(socket) {
  const events = [];
  for (const name of ["peer-joined", "peer-left", "replaced", "signal"]) socket.on(name, (p) => events.push([name, p]));
  return events;
}

// A join that must be refused; resolves the error.
async function refused(url, payload) {
  const s = await connectClient(url);
  const ack = await emitWithAck(s, "join-room", payload);
  s.close();
  assert.equal(ack.ok, false, JSON.stringify(payload));
  return ack.error;
}

test("a token holder's clientId is refused without its token, and nothing changes", async () => {
  const room = uniqueRoom();
  const victim = await joinedWithToken(server.url, room, "Vic");
  const seen = once(victim.socket, "peer-joined");
  const other = await joined(server.url, room, "Oli");
  await seen;
  const heardByVictim = listen(victim.socket);
  const heardByOther = listen(other.socket);
  for (const extra of [{}, { resumeToken: token("wrong") }]) {
    const error = await refused(server.url, { roomId: room, clientId: victim.clientId, displayName: "Vic", ...extra });
    assert.deepEqual(error, { code: "client-id-taken", message: "clientId in use in this room" });
  }
  // The victim is still in: signals reach it, under its old peerId.
  const got = once(victim.socket, "signal");
  assert.deepEqual(await emitWithAck(other.socket, "signal", { to: victim.ack.peerId, type: "offer", payload: 1 }), { ok: true });
  await got;
  await sleep(150); // nothing else may arrive: no replaced, no peer-left, no peer-joined
  assert.deepEqual(heardByVictim, [["signal", { from: other.ack.peerId, type: "offer", payload: 1 }]]);
  assert.deepEqual(heardByOther, []);
  close(victim.socket, other.socket);
});

test("the same token replaces its stale self, as a reload does", async () => {
  const room = uniqueRoom();
  const a = await joined(server.url, room, "A");
  const seen = once(a.socket, "peer-joined");
  const old = await joinedWithToken(server.url, room, "B");
  await seen;
  const events = listen(a.socket);
  const told = once(old.socket, "replaced");
  const fresh = await joinedWithToken(server.url, room, "B again", { clientId: old.clientId, resumeToken: old.resumeToken });
  await told;
  await withDeadline((async () => { while (events.length < 2) await sleep(10); })(), 2000, "two events");
  assert.deepEqual(events, [
    ["peer-left", { peerId: old.ack.peerId, reason: "replaced" }],
    // the token is never shown to anyone
    ["peer-joined", { peerId: fresh.ack.peerId, clientId: old.clientId, displayName: "B again" }],
  ]);
  assert.deepEqual(fresh.ack.peers, [{ peerId: a.ack.peerId, clientId: a.clientId, displayName: "A" }]);
  close(a.socket, old.socket, fresh.socket);
});

test("without a token the contract's replacement holds, and a token then protects the seat", async () => {
  const room = uniqueRoom();
  const a = await joined(server.url, room);
  const plain = await joined(server.url, room);
  const told = once(plain.socket, "replaced");
  const taker = await joinedWithToken(server.url, room, "", { clientId: plain.clientId });
  await told;
  const error = await refused(server.url, { roomId: room, clientId: plain.clientId });
  assert.equal(error.code, "client-id-taken");
  close(a.socket, plain.socket, taker.socket);
});

test("client-id-taken is checked before room-full", async () => {
  const small = await startServer(["--room-size", "2"]);
  const room = uniqueRoom();
  const a = await joinedWithToken(small.url, room);
  const b = await joined(small.url, room);
  assert.equal((await refused(small.url, { roomId: room, clientId: a.clientId })).code, "client-id-taken");
  assert.equal((await refused(small.url, { roomId: room, clientId: clientId() })).code, "room-full");
  // the holder itself, from a reloaded tab, still gets in
  const back = await joinedWithToken(small.url, room, "", { clientId: a.clientId, resumeToken: a.resumeToken });
  close(a.socket, b.socket, back.socket);
  await small.stop();
});

test("a disconnected token holder's clientId stays reserved for it", async () => {
  const room = uniqueRoom();
  const a = await joined(server.url, room);
  const seen = once(a.socket, "peer-joined");
  const phone = await joinedWithToken(server.url, room, "Phone");
  await seen;
  const left = once(a.socket, "peer-left");
  phone.socket.close();
  assert.deepEqual(await left, { peerId: phone.ack.peerId, reason: "disconnected" });
  const events = listen(a.socket);
  for (const extra of [{}, { resumeToken: token("guess") }]) {
    const error = await refused(server.url, { roomId: room, clientId: phone.clientId, ...extra });
    assert.equal(error.code, "client-id-taken");
  }
  // the phone comes back with its token: in, and nobody is "replaced"
  const back = await joinedWithToken(server.url, room, "Phone", { clientId: phone.clientId, resumeToken: phone.resumeToken });
  await withDeadline((async () => { while (events.length < 1) await sleep(10); })(), 2000, "peer-joined");
  assert.deepEqual(events, [["peer-joined", { peerId: back.ack.peerId, clientId: phone.clientId, displayName: "Phone" }]]);
  close(a.socket, back.socket);
});

test("leaving on purpose, or holding no token, reserves nothing", async () => {
  const room = uniqueRoom();
  const a = await joined(server.url, room);
  const leaver = await joinedWithToken(server.url, room);
  assert.deepEqual(await emitWithAck(leaver.socket, "leave-room", {}), { ok: true });
  const plain = await joined(server.url, room);
  const left = once(a.socket, "peer-left");
  plain.socket.close();
  await left;
  const x = await joined(server.url, room, "", { clientId: leaver.clientId });
  const y = await joined(server.url, room, "", { clientId: plain.clientId });
  close(a.socket, leaver.socket, x.socket, y.socket);
});

test("a reservation outlives the room emptying (the last one there leaving frees no one's identity)", async () => {
  const room = uniqueRoom();
  const a = await joined(server.url, room);
  const phone = await joinedWithToken(server.url, room);
  const left = once(a.socket, "peer-left");
  phone.socket.close();
  await left;
  assert.deepEqual(await emitWithAck(a.socket, "leave-room", {}), { ok: true });
  const error = await refused(server.url, { roomId: room, clientId: phone.clientId });
  assert.equal(error.code, "client-id-taken");
  // The owner, with its token, gets back in.
  const back = await connectClient(server.url);
  const ack = await emitWithAck(back, "join-room", { roomId: room, clientId: phone.clientId, resumeToken: phone.resumeToken });
  assert.equal(ack.ok, true);
  close(a.socket, back);
});

test("a malformed resumeToken is a bad-request", async () => {
  const ok = { roomId: uniqueRoom(), clientId: clientId() };
  for (const resumeToken of ["", "x".repeat(15), "x".repeat(129), "has space in it!!", "tokenwith/slash1", "é".repeat(16), 1234567890123456, null, {}, ["abcdefghijklmnopq"]]) {
    const error = await refused(server.url, { ...ok, resumeToken });
    assert.equal(error.code, "bad-request", JSON.stringify(resumeToken));
  }
  // 16 and 128 characters of [A-Za-z0-9_-] are fine
  for (const resumeToken of ["Az09_-".padEnd(16, "q"), "Z".repeat(128)]) {
    const s = await connectClient(server.url);
    assert.equal((await emitWithAck(s, "join-room", { roomId: uniqueRoom(), clientId: clientId(), resumeToken })).ok, true);
    s.close();
  }
});
