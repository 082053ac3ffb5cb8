// Finding 4, unfinished binary attachments: a client announces a BINARY_EVENT
// with N placeholders (up to 64), sends all but one attachment of ~1 MB each,
// then keeps answering heartbeats. The server holds what it got until the
// last attachment comes, which it never does: ~62 MB per connection, forever.
// Expected: pending attachment bytes per connection are bounded by maxPayload
// in total (the session is closed when exceeded), and an unfinished event has
// a deadline (--attachment-timeout, set small here): the session is closed
// within it plus a margin, over WebSocket and over polling alike. Memory over
// 20 such connections stays below baseline + 100 MB.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../support/server.mjs";
import {
  RawWs, RawPolling, optionalFlags, capSanitizerQuarantine, rssBytes, assertHealthy, waitFor, withDeadline,
  slow, MB, sleep,
} from "../support/adversary.mjs";

capSanitizerQuarantine();

function announce(n) {
  const placeholders = Array.from({ length: n }, (_, num) => ({ _placeholder: true, num }));
  return `45${n}-${JSON.stringify(["signal", { to: "p_x", type: "a", payload: placeholders }])}`;
}

test("attachments held for one event are bounded by maxPayload in total", async () => {
  const maxPayload = 1000000;
  const server = await startServer([
    "--max-payload", String(maxPayload),
    "--ping-interval", "60000", "--ping-timeout", "60000",
    ...optionalFlags({ "--attachment-timeout": 60000 }), // the byte bound, not the deadline, is under test
  ]);
  const conns = [];
  try {
    const pid = server.proc.pid;
    await assertHealthy(server, assert);
    const baseRss = rssBytes(pid);
    const limit = baseRss + 100 * MB;
    const chunk = Buffer.alloc(maxPayload - 1000, 0x62); // each one alone is a legal message
    const connections = sanitizedScale(20, 5);
    let maxRss = baseRss;
    for (let c = 0; c < connections && maxRss < limit; c++) {
      const ws = await RawWs.open(server.url);
      conns.push(ws);
      await ws.next((f) => typeof f === "string" && f.startsWith("0{"), 3000, "Engine.IO open");
      ws.sendText("40");
      await ws.next((f) => typeof f === "string" && f.startsWith("40"), 3000, "Socket.IO CONNECT");
      ws.sendText(announce(64));
      for (let i = 0; i < 63 && !ws.isClosed; i++) {
        if (!ws.sendBinary(chunk)) {
          try { await ws.drain(5000); } catch { break; }
        }
        if (i % 8 === 7) maxRss = Math.max(maxRss, rssBytes(pid));
      }
      // Let the server read what was sent before measuring.
      await sleep(50);
      maxRss = Math.max(maxRss, rssBytes(pid));
    }
    assert.ok(
      maxRss < limit,
      `server RSS grew by ${((maxRss - baseRss) / MB).toFixed(0)} MB with ${conns.length} connections of unfinished attachments (bound 100 MB)`,
    );
    // Each connection went past maxPayload of pending attachments: all closed.
    await waitFor(() => conns.every((w) => w.isClosed), 5000, "every over-budget connection closed");
    await assertHealthy(server, assert);
  } finally {
    for (const w of conns) w.destroy();
    await server.stop();
  }
});

function sanitizedScale(n, min) {
  return Math.max(min, Math.round(n / slow));
}

test("an unfinished binary event over WebSocket is abandoned at the attachment deadline", async () => {
  const timeout = 1000;
  const server = await startServer([
    "--ping-interval", "300", "--ping-timeout", "2000", // heartbeats run, and are answered
    ...optionalFlags({ "--attachment-timeout": timeout }),
  ]);
  let ws;
  try {
    ws = await RawWs.open(server.url); // answers every Engine.IO ping
    await ws.next((f) => typeof f === "string" && f.startsWith("0{"), 3000, "Engine.IO open");
    ws.sendText("40");
    await ws.next((f) => typeof f === "string" && f.startsWith("40"), 3000, "Socket.IO CONNECT");
    ws.sendText(announce(2));
    ws.sendBinary(Buffer.alloc(1024, 0x63)); // one of two
    const how = await withDeadline(ws.closed, timeout + 4000, "the session closed at the attachment deadline");
    assert.ok(how, "closed");
    await assertHealthy(server, assert);
  } finally {
    ws?.destroy();
    await server.stop();
  }
});

test("an unfinished binary event over polling is abandoned at the attachment deadline", async () => {
  const timeout = 1000;
  const server = await startServer([
    "--ping-interval", "300", "--ping-timeout", "2000",
    ...optionalFlags({ "--attachment-timeout": timeout }),
  ]);
  try {
    const p = await RawPolling.open(server.url);
    await p.post("40");
    await p.until((x) => x.startsWith("40{"), "CONNECT reply");
    await p.post(`${announce(2)}\x1eb${Buffer.alloc(1024, 0x63).toString("base64")}`);
    // Keep the session alive (GET, answer pings) until the server ends it.
    const closed = await withDeadline((async () => {
      for (let i = 0; i < 200; i++) {
        let packets;
        try {
          packets = await p.get(3000);
        } catch (e) {
          return `GET refused: ${e.message}`; // the session is gone (HTTP 400)
        }
        if (packets.includes("1")) return "close packet";
        if (packets.includes("2")) await p.post("3").catch(() => {});
      }
      return undefined;
    })(), timeout + 4000, "the polling session closed at the attachment deadline");
    assert.ok(closed, "the session was closed");
    await assertHealthy(server, assert);
  } finally {
    await server.stop();
  }
});
