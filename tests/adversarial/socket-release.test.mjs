// Finding 5 (a, b), never-reading clients hold their sockets: once a client's
// receive window is full, the close frame the server queues (slow consumer,
// heartbeat timeout) can never be written, and without a write deadline the
// TCP socket stays open for as long as the client likes (40 s+ today, in
// practice forever).
// Expected: (a) a member dropped as a slow consumer is announced to the others
// (`peer-left`, `disconnected`) and its socket is released within the close
// deadline (5 s) plus a margin; (b) a member that stops answering pings is
// released within the ping timeout plus the write/close deadlines plus a
// margin. Measured as the server's descriptor count back to its baseline.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer, emitWithAck, uniqueRoom } from "../support/server.mjs";
import {
  RawWs, joinedWs, optionalFlags, fdCount, fdsBackTo, assertHealthy, metric, maskedHeader, encodeFrame, MB,
} from "../support/adversary.mjs";

const writeTimeout = 2000;

// Relays 60 KB signals to `to` until `stop()` says so; bounded by `maxBytes`.
async function flood(sender, to, maxBytes, stop) {
  const payload = "f".repeat(60000);
  let sent = 0;
  while (sent < maxBytes && !stop()) {
    const ack = await emitWithAck(sender.socket, "signal", { to, type: "offer", payload });
    if (!ack.ok) break;
    sent += payload.length;
  }
  return sent;
}

test("a never-reading member dropped as a slow consumer releases its socket", async () => {
  const server = await startServer([
    "--max-queued-bytes", "262144", "--event-burst", "0",
    ...optionalFlags({ "--write-timeout": writeTimeout }),
  ]);
  const sockets = [];
  let victim;
  try {
    const pid = server.proc.pid;
    const room = uniqueRoom("release");
    const flooder = await joinedWs(server.url, room);
    const other = await joinedWs(server.url, room);
    sockets.push(flooder.socket, other.socket);
    await assertHealthy(server, assert);
    const baseFds = fdCount(pid);

    victim = await RawWs.open(server.url);
    await victim.joinRoom(room);
    victim.pause(); // never reads again

    const sent = await flood(flooder, victim.peerId, 64 * MB, () => other.rec.of("peer-left").length > 0);
    await other.rec.waitFor((e) => e.event === "peer-left", 5000, `peer-left for the never-reading member (after ${sent} bytes)`);
    assert.deepEqual(other.rec.of("peer-left"), [{ peerId: victim.peerId, reason: "disconnected" }]);
    assert.equal(await metric(server, "fc_slow_consumers_dropped_total"), 1);

    // Today: the close frame cannot be written and the socket stays open.
    await fdsBackTo(pid, baseFds, 5000 + 10000, "the dropped member's socket released");
    await assertHealthy(server, assert);
  } finally {
    victim?.destroy();
    for (const s of sockets) s.close();
    await server.stop();
  }
});

test("a never-reading member that stops answering pings releases its socket", async () => {
  const pingInterval = 500;
  const pingTimeout = 1000;
  const server = await startServer([
    "--ping-interval", String(pingInterval), "--ping-timeout", String(pingTimeout),
    // Room to fill the kernel's buffers without being dropped as a slow consumer.
    "--max-queued-bytes", String(32 * MB), "--event-burst", "0",
    ...optionalFlags({ "--write-timeout": writeTimeout }),
  ]);
  const sockets = [];
  let victim;
  let keepAlive;
  try {
    const pid = server.proc.pid;
    const room = uniqueRoom("hb");
    const flooder = await joinedWs(server.url, room);
    sockets.push(flooder.socket);
    await assertHealthy(server, assert);
    const baseFds = fdCount(pid);

    victim = await RawWs.open(server.url);
    await victim.joinRoom(room);
    victim.pause();
    // While it is flooded, it still pongs blindly (unsolicited pongs are
    // ignored), so it is the full window, not the heartbeat, that holds now.
    keepAlive = setInterval(() => victim.sendText("3"), 100);
    // More than the loopback buffers take (about 4 MB here), less than the queue bound.
    const sent = await flood(flooder, victim.peerId, 8 * MB, () => false);
    // (A write deadline may end it during the flood already: fine too.)
    assert.ok(sent >= 4 * MB || flooder.rec.of("peer-left").length > 0, `setup: flooded only ${sent} bytes`);
    clearInterval(keepAlive);
    // Now it answers nothing: the heartbeat times out, the close frame cannot go out.
    await flooder.rec.waitFor((e) => e.event === "peer-left", pingInterval + pingTimeout + 5000, "peer-left after the ping timeout");
    assert.equal(flooder.rec.of("peer-left")[0].reason, "disconnected");
    await fdsBackTo(pid, baseFds, pingTimeout + writeTimeout + 5000 + 5000, "the timed-out member's socket released");
    await assertHealthy(server, assert);
  } finally {
    clearInterval(keepAlive);
    victim?.destroy();
    for (const s of sockets) s.close();
    await server.stop();
  }
});

// A WebSocket slowloris: a client that answers every heartbeat but trickles
// one message forever (a frame header announcing 8 KB, then a byte now and
// then). Buffered input that completes no message within the write timeout
// closes the client, so the bytes and the socket are given back.
test("a client trickling one message forever is closed at the deadline", async () => {
  const server = await startServer(["--ping-interval", "300", "--ping-timeout", "5000",
    ...optionalFlags({ "--write-timeout": writeTimeout })]);
  let ws;
  try {
    ws = await RawWs.open(server.url); // answers Engine.IO pings
    ws.write(maskedHeader(0x1, 8000));
    const trickle = setInterval(() => { if (!ws.isClosed) ws.write(Buffer.from([0x34])); }, 200);
    try {
      await ws.closed; // bounded below
    } finally {
      clearInterval(trickle);
    }
    assert.ok(ws.isClosed);
    assert.equal(await metric(server, "fc_input_timeouts_total"), 1);
    await assertHealthy(server, assert);
  } finally {
    ws?.destroy();
    await server.stop();
  }
}, { timeout: (writeTimeout + 8000) * 4 });

// The same with one fragmented message: every fragment is a whole frame,
// WebSocket pings come in between, but the message never completes. (It
// cannot answer Engine.IO pings meanwhile, a data frame inside a fragmented
// message breaks the protocol, so the heartbeat would end it too, but only
// after ping interval + timeout.) Only completed messages count as progress.
test("a client trickling fragments of one message forever is closed at the deadline", async () => {
  const server = await startServer(["--ping-interval", "60000", "--ping-timeout", "60000",
    ...optionalFlags({ "--write-timeout": writeTimeout })]);
  let ws;
  try {
    ws = await RawWs.open(server.url, { autoPong: false });
    ws.write(encodeFrame(0x1, "4", { fin: false }));
    const trickle = setInterval(() => {
      if (ws.isClosed) return;
      ws.write(encodeFrame(0x0, "x", { fin: false }));
      ws.write(encodeFrame(0x9, "alive?"));
    }, 200);
    try {
      await ws.closed; // bounded below
    } finally {
      clearInterval(trickle);
    }
    assert.equal(await metric(server, "fc_input_timeouts_total"), 1);
    await assertHealthy(server, assert);
  } finally {
    ws?.destroy();
    await server.stop();
  }
}, { timeout: (writeTimeout + 8000) * 4 });
