// Finding 7, QR rendering load: /qr.svg?text=… renders a QR code per request,
// which costs far more than any other request, with up to 1024 bytes of text
// and no limit on how often. One client in a tight loop of distinct texts
// keeps the single event-loop thread busy.
// Expected: text over 512 bytes → 400; distinct near-512-byte texts from one
// address in a tight loop → some answers 429 (a per-IP render rate limit); a
// text already rendered is still served (200, from the cache) while that
// address is limited; /healthz keeps answering. No timing assertions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../support/server.mjs";
import { httpRequest, assertHealthy } from "../support/adversary.mjs";

const qr = (server, text) => httpRequest(`${server.url}/qr.svg?text=${encodeURIComponent(text)}`);
const textOf = (n, seed) => `${seed}-`.padEnd(n, "abcdefghijklmnopqrstuvwxyz0123456789".repeat(20));

test("QR text is at most 512 bytes", async () => {
  const server = await startServer();
  try {
    assert.equal((await qr(server, textOf(512, "max"))).status, 200, "512 bytes are rendered");
    assert.equal((await qr(server, textOf(513, "over"))).status, 400, "513 bytes are refused");
    assert.equal((await qr(server, textOf(1024, "far"))).status, 400, "1024 bytes are refused");
    // Bytes, not characters: 200 three-byte characters are 600 bytes.
    assert.equal((await qr(server, "€".repeat(200))).status, 400, "600 bytes of UTF-8 are refused");
  } finally {
    await server.stop();
  }
});

test("distinct QR texts in a tight loop are rate-limited per address; cached ones are still served", async () => {
  const server = await startServer();
  try {
    const known = textOf(500, "known");
    const first = await qr(server, known);
    assert.equal(first.status, 200);
    assert.match(first.body, /<svg/);

    // Tight loop, 4 at a time, bounded: stop at the first 429.
    const statuses = [];
    let limited = false;
    for (let i = 0; i < 400 && !limited; i += 4) {
      const batch = await Promise.all([0, 1, 2, 3].map((k) => qr(server, textOf(500, `t${i + k}`))));
      for (const r of batch) statuses.push(r.status);
      limited = statuses.includes(429);
    }
    assert.ok(limited, `no 429 after ${statuses.length} distinct renders (statuses: ${[...new Set(statuses)]})`);
    assert.ok(statuses.every((s) => s === 200 || s === 429), `only 200 or 429: ${[...new Set(statuses)]}`);

    // While limited: the cached text is still served, and so is /healthz.
    const again = await qr(server, known);
    assert.equal(again.status, 200, "an already rendered text is served from the cache");
    assert.equal(again.body, first.body);
    await assertHealthy(server, assert);
  } finally {
    await server.stop();
  }
});
