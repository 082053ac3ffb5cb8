// Finding 3, WebSocket ping flood: a client upgrades to a WebSocket, stops
// reading, and floods ping frames (125-byte payloads). Every ping is answered
// with a pong the client never reads; today the pongs pile up in the server
// without bound (hundreds of MB for 150 MB of pings) and the connection is
// held forever since no write ever completes.
// Expected: the server's resident memory stays below baseline + 64 MB while
// flooding and comes back near baseline; /healthz keeps answering; the
// flooding connection is closed once its writes stall past the write deadline
// (--write-timeout, set small here) and its descriptor is released.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../support/server.mjs";
import {
  RawWs, encodeFrame, optionalFlags, capSanitizerQuarantine, rssBytes, holdsConnectionFrom, waitFor, assertHealthy,
  slow, MB, withDeadline,
} from "../support/adversary.mjs";

capSanitizerQuarantine();
const writeTimeout = 2000;
const pingInterval = 4000;
const pingTimeout = 4000;

test("a never-reading client flooding WebSocket pings is bounded and cut off", async () => {
  // The paused client answers no heartbeat either: whichever comes first,
  // the write deadline (a pong stuck behind a full window) or the
  // heartbeat (the pongs fitted in the socket buffers), cuts it off.
  const server = await startServer([
    "--ping-interval", String(pingInterval), "--ping-timeout", String(pingTimeout),
    ...optionalFlags({ "--write-timeout": writeTimeout }),
  ]);
  let ws;
  try {
    // One process's memory and descriptors: on a cluster, one node's.
    const node = server.nodes?.at(-1) ?? server;
    const pid = node.proc.pid;
    await assertHealthy(server, assert);
    const baseRss = rssBytes(pid);
    const limit = baseRss + 64 * MB;

    ws = await RawWs.open(node.url);
    ws.pause(); // never read again: our receive window fills, then the server's writes block

    // 150 MB of pings (fewer under ASan), in batches of 512 frames.
    const ping = encodeFrame(0x9, Buffer.alloc(125, 0x61));
    const batch = Buffer.concat(Array.from({ length: 512 }, () => ping));
    const target = (150 * MB) / slow;
    let sent = 0;
    let maxRss = baseRss;
    let stalled = false;
    let healthChecked = false;
    for (let i = 0; sent < target && i < 1e6; i++) {
      if (ws.isClosed) break;
      const ok = ws.write(batch);
      sent += batch.length;
      if (!ok) {
        try {
          if (!(await ws.drain(writeTimeout))) break; // closed by the server
        } catch {
          stalled = true; // the server stopped reading us: backpressure, fine
          break;
        }
      }
      if (i % 16 === 0) {
        maxRss = Math.max(maxRss, rssBytes(pid));
        if (maxRss > limit) break; // already failed: stop before the machine suffers
      }
      if (!healthChecked && sent > target / 2) {
        healthChecked = true;
        await assertHealthy(server, assert); // served while the flood goes on
      }
    }
    maxRss = Math.max(maxRss, rssBytes(pid));
    assert.ok(
      maxRss < limit,
      `server RSS grew by ${((maxRss - baseRss) / MB).toFixed(0)} MB after ${(sent / MB).toFixed(0)} MB of pings (bound 64 MB)`,
    );
    await assertHealthy(server, assert);

    // The connection itself is released (not a count of descriptors: a
    // cluster node's connections to Redis and the other nodes, and the
    // test's own HTTP requests, come and go on their own).
    const port = ws.sock.localPort;
    await waitFor(
      () => !holdsConnectionFrom(pid, port),
      Math.max(writeTimeout, pingInterval + pingTimeout) + 5000 + 5000,
      `the flooding connection released (stalled=${stalled})`,
      100,
    );
    assert.ok(rssBytes(pid) < baseRss + 32 * MB, "memory back near baseline");
    await assertHealthy(server, assert);
  } finally {
    ws?.destroy();
    await server.stop();
  }
});
