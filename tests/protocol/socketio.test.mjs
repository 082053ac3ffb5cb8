// Socket.IO v5 with the official socket.io-client over every transport,
// namespaces, malformed packets and the connect timeout.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { io } from "socket.io-client";
import {
  startServer, connectClient, emitWithAck, once, rawSocket, uniqueRoom, clientId, slow, withDeadline,
} from "../support/server.mjs";

let server;
before(async () => { server = await startServer(["--connect-timeout", String(500 * slow)]); });
after(async () => { await server.stop(); });

for (const [name, opts] of [
  ["polling only", { transports: ["polling"] }],
  ["websocket only", { transports: ["websocket"] }],
  ["polling upgraded to websocket", {}],
]) {
  test(`official client joins and relays over ${name}`, async () => {
    const room = uniqueRoom("tr");
    const a = await connectClient(server.url, opts);
    const b = await connectClient(server.url, opts);
    try {
      if (!opts.transports) {
        if (a.io.engine.transport.name !== "websocket") await once(a.io.engine, "upgrade");
        assert.equal(a.io.engine.transport.name, "websocket");
      }
      const ackA = await emitWithAck(a, "join-room", { roomId: room, clientId: clientId(), displayName: "A" });
      const joinedSeen = once(a, "peer-joined");
      const ackB = await emitWithAck(b, "join-room", { roomId: room, clientId: clientId(), displayName: "B" });
      assert.equal((await joinedSeen).peerId, ackB.peerId);
      const got = once(a, "signal");
      const ack = await emitWithAck(b, "signal", { to: ackA.peerId, type: "offer", payload: { sdp: "v=0" } });
      assert.deepEqual(ack, { ok: true });
      assert.deepEqual(await got, { from: ackB.peerId, type: "offer", payload: { sdp: "v=0" } });
    } finally {
      a.close();
      b.close();
    }
  });
}

test("an unknown namespace is refused with connect_error", async () => {
  const s = io(`${server.url}/nope`, { forceNew: true, reconnection: false });
  const err = await once(s, "connect_error");
  assert.equal(err.message, "Invalid namespace");
  s.close();
});

test("binary attachments in a signal payload are relayed", async () => {
  const room = uniqueRoom("bin");
  const a = await connectClient(server.url);
  const b = await connectClient(server.url);
  try {
    const ackA = await emitWithAck(a, "join-room", { roomId: room, clientId: clientId() });
    await emitWithAck(b, "join-room", { roomId: room, clientId: clientId() });
    const got = once(a, "signal");
    const ack = await emitWithAck(b, "signal", { to: ackA.peerId, type: "file", payload: { chunk: Buffer.from([1, 2, 3]) } });
    assert.deepEqual(ack, { ok: true });
    const msg = await got;
    assert.deepEqual([...msg.payload.chunk], [1, 2, 3]);
  } finally {
    a.close();
    b.close();
  }
});

for (const bad of ["4abc", "42{}", '42abc["x"]', "41{}", '452-["x",{"_placeholder":true,"num":5}]', "4" + "9"]) {
  test(`malformed packet ${JSON.stringify(bad)} closes only its connection`, async () => {
    const victim = await rawSocket(server.url);
    await victim.next();
    victim.send("40");
    assert.match(await victim.nextNonPing(), /^40\{/);
    const bystander = await connectClient(server.url, { transports: ["websocket"] });
    victim.send(bad);
    await withDeadline(victim.closed, 2000, "close of the sender");
    const ack = await emitWithAck(bystander, "join-room", { roomId: uniqueRoom("by"), clientId: clientId() });
    assert.equal(ack.ok, true);
    bystander.close();
  });
}

test("binary frame without a pending packet closes the connection", async () => {
  const ws = await rawSocket(server.url);
  await ws.next();
  ws.send("40");
  await ws.nextNonPing();
  ws.send(Buffer.from([1, 2, 3]));
  await withDeadline(ws.closed, 2000, "close");
});

test("a session that never connects a namespace is closed", async () => {
  const ws = await rawSocket(server.url);
  await ws.next();
  await withDeadline(ws.closed, 3000, "connect timeout close");
});

test("acknowledgement ids are echoed", async () => {
  const ws = await rawSocket(server.url);
  await ws.next();
  ws.send("40");
  await ws.nextNonPing();
  ws.send('429007199254740991["leave-room"]');
  assert.match(await ws.nextNonPing(), /^439007199254740991\[\{"ok":false/);
  ws.close();
});
