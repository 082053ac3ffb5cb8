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
import { startServer, uniqueRoom } from "../support/server.mjs";
import {
  RawWs, maskedHeader, joinedWs, optionalFlags, capSanitizerQuarantine, rssBytes, assertHealthy, waitFor,
  slow, MB, sleep,
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
