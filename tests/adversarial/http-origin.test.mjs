// Finding 8 (a, b, c, f), CORS, origins and request headers:
// (a) a preflight from any origin was answered with that origin in
//     Access-Control-Allow-Origin (and credentials allowed);
// (b) "same origin" compared only the Origin's authority with the Host
//     header: a wrong scheme passed, and a DNS-rebinding page (Host and
//     Origin both evil.example:PORT) passed too;
// (c) more than 16 KiB of request headers got a reset, not HTTP 431;
// (f) /api/ice-servers took any clientId (control characters included) and
//     handed TURN credentials to anyone who asked.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { startServer, uniqueRoom, clientId } from "../support/server.mjs";
import { httpRequest, rawHttp, joinedWs, assertHealthy } from "../support/adversary.mjs";

const polling = "/socket.io/?EIO=4&transport=polling";

test("a preflight from another site gets no CORS grant; the same origin does", async () => {
  const server = await startServer();
  try {
    const evil = await httpRequest(`${server.url}${polling}`, {
      method: "OPTIONS",
      headers: { Origin: "http://evil.example", "Access-Control-Request-Method": "POST" },
    });
    assert.equal(evil.headers["access-control-allow-origin"], undefined, "no Access-Control-Allow-Origin for evil.example");
    assert.equal(evil.headers["access-control-allow-credentials"], undefined, "no Access-Control-Allow-Credentials for evil.example");
    const own = await httpRequest(`${server.url}${polling}`, {
      method: "OPTIONS",
      headers: { Origin: server.url, "Access-Control-Request-Method": "POST" },
    });
    assert.equal(own.headers["access-control-allow-origin"], server.url);
  } finally {
    await server.stop();
  }
});

test("origins are compared whole (scheme, host, port) and the Host must be ours", async () => {
  const server = await startServer();
  try {
    const port = server.port;
    const handshake = (headers) => httpRequest(`${server.url}${polling}`, { headers });
    const cases = [
      [{ Origin: `https://127.0.0.1:${port}` }, 403, "wrong scheme"],
      [{ Origin: `http://127.0.0.1:${port}.evil.example` }, 403, "a longer host"],
      [{ Host: `evil.example:${port}`, Origin: `http://evil.example:${port}` }, 403, "DNS rebinding"],
      [{ Origin: `http://127.0.0.1:${port}` }, 200, "same origin"],
      [{ Host: `localhost:${port}`, Origin: `http://localhost:${port}` }, 200, "localhost"],
    ];
    for (const [headers, want, what] of cases) {
      const r = await handshake(headers);
      assert.equal(r.status, want, `${what}: ${JSON.stringify(headers)} → ${r.status} ${r.body.slice(0, 100)}`);
    }
  } finally {
    await server.stop();
  }
});

test("more than 16 KiB of request headers get HTTP 431", async () => {
  const server = await startServer();
  try {
    const filler = Array.from({ length: 20 }, (_, i) => `X-Filler-${i}: ${"a".repeat(1000)}\r\n`).join("");
    const r = await rawHttp(server.port, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n${filler}Connection: close\r\n\r\n`);
    assert.equal(r.status, 431, `got ${r.status ?? "no answer (reset or closed)"} instead of 431`);
    await assertHealthy(server, assert);
  } finally {
    await server.stop();
  }
});

test("ICE servers: clientIds are checked, TURN credentials only for members", async () => {
  const server = await startServer(["--turn-urls", "turn:127.0.0.1:3478", "--turn-secret", "s3cret", "--stun-urls", "none"]);
  let member;
  try {
    // The resume token rides in the Authorization header, never in the URL.
    const ice = (q, t) => httpRequest(`${server.url}/api/ice-servers${q}`, t ? { headers: { authorization: `Bearer ${t}` } } : {});
    const bad = await ice("?clientId=bad%0Aid");
    assert.equal(bad.status, 400, `a clientId with a newline → ${bad.status} ${bad.body}`);

    const room = uniqueRoom("turn");
    const id = clientId("t");
    const token = randomBytes(24).toString("base64url");
    member = await joinedWs(server.url, room, { clientId: id, resumeToken: token });

    for (const [q, t] of [[""], [`?clientId=${clientId("x")}`], [`?roomId=${room}&clientId=${id}`],
      [`?roomId=${room}&clientId=${id}`, "A".repeat(32)], [`?roomId=${room}&clientId=${id}&resumeToken=${token}`]]) {
      const r = await ice(q, t);
      // Refusing (400 for a missing clientId) or answering without TURN are both fine.
      assert.ok(r.status === 200 || r.status === 400, `${q} → ${r.status}`);
      assert.ok(!/"credential"|"username"/.test(r.body), `a non-member (${q || "no query"}) got TURN credentials: ${r.body}`);
    }
    const own = await ice(`?roomId=${room}&clientId=${id}`, token);
    assert.equal(own.status, 200);
    const servers = JSON.parse(own.body).iceServers;
    const turn = servers.find((s) => [s.urls].flat().some((u) => u.startsWith("turn:")));
    assert.ok(turn?.username && turn?.credential, `the member gets a TURN entry: ${own.body}`);
    assert.match(turn.username, new RegExp(`^\\d+:${id}$`));
  } finally {
    member?.socket.close();
    await server.stop();
  }
});
