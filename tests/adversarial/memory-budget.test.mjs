// Finding 5 (c), no global memory budget: each connection's limits are fine
// alone, but many connections each holding a partial WebSocket frame just
// under maxPayload add up without bound. The fix adds --memory-budget BYTES
// (what the server may hold for all clients together: queued frames, partial
// WebSocket frames, pending attachments).
// Attack: 40 raw WebSocket connections each send a frame header announcing
// ~900 KB and ~890 KB of its body, then stop. Expected with a 16 MB budget:
// some of them are closed, resident memory stays below baseline + budget +
// 64 MB, /healthz answers and a new client can still join. Today nothing is
// closed: every partial frame is held.
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { startServer, uniqueRoom } from "../support/server.mjs";
import {
  RawWs, maskedHeader, joinedWs, optionalFlags, capSanitizerQuarantine, rssBytes, assertHealthy, waitFor,
  metric, rawHttp, slow, MB, sleep,
} from "../support/adversary.mjs";

capSanitizerQuarantine();

test("partial frames over many connections are bounded by the memory budget", async () => {
  const budget = 16000000;
  const server = await startServer(["--ping-interval", "60000", "--ping-timeout", "60000", ...optionalFlags({ "--memory-budget": budget })]);
  const conns = [];
  let member;
  try {
    const pid = server.proc.pid;
    await assertHealthy(server, assert);
    const baseRss = rssBytes(pid);
    const limit = baseRss + budget + 64 * MB;
    const header = maskedHeader(0x2, 900000);
    const body = Buffer.alloc(890000, 0); // zero mask key: sent as is
    const count = 40;
    let maxRss = baseRss;
    for (let i = 0; i < count; i++) {
      const ws = await RawWs.open(server.url);
      conns.push(ws);
      ws.write(header);
      if (!ws.write(body)) await ws.drain(5000).catch(() => {});
      maxRss = Math.max(maxRss, rssBytes(pid));
    }
    await sleep(100);
    maxRss = Math.max(maxRss, rssBytes(pid));
    assert.ok(maxRss < limit, `server RSS grew by ${((maxRss - baseRss) / MB).toFixed(0)} MB (bound: budget + 64 MB)`);
    // 40 x 890 KB is more than twice the budget: some must have been closed.
    await waitFor(() => conns.some((w) => w.isClosed), 5000, "a connection closed for exceeding the memory budget");
    await assertHealthy(server, assert);
    member = await joinedWs(server.url, uniqueRoom("budget"));
    assert.equal(member.ack.ok, true);
  } finally {
    member?.socket.close();
    for (const w of conns) w.destroy();
    await server.stop();
  }
});

// Request bodies count too: a polling POST announces its length, and the
// server takes it from the budget's input half before reading the body, so
// connections trickling large bodies cannot add up past the budget either.
test("request bodies being read are bounded by the memory budget (503 beyond)", async () => {
  const budget = 2 * MB; // input may use half: one 900 KB body fits, two do not
  const server = await startServer([...optionalFlags({ "--memory-budget": budget })]);
  const socks = [];
  try {
    const head = (n) =>
      `POST /socket.io/?EIO=4&transport=polling&sid=none HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n` +
      `Content-Length: ${n}\r\n\r\n`;
    const held = () => metric(server, 'fc_memory_held_bytes{kind="input"}');
    const first = net.connect({ host: "127.0.0.1", port: server.port });
    socks.push(first);
    first.on("error", () => {});
    first.write(head(900000) + "x".repeat(100)); // and then nothing: a trickled body
    await waitFor(async () => (await held()) === 900000, 5000, "the first body charged to the budget");
    const second = await rawHttp(server.port, head(900000) + "y".repeat(100));
    assert.equal(second.status, 503, "a body that does not fit the budget is refused, not read");
    assert.equal(await metric(server, 'fc_memory_budget_refusals_total{what="request-body"}'), 1);
    first.destroy(); // the client goes away mid-body: its bytes go back
    await waitFor(async () => (await held()) === 0, 5000, "the budget given back");
    await assertHealthy(server, assert);
  } finally {
    for (const s of socks) s.destroy();
    await server.stop();
  }
});
