// The HTTP side: health, metrics, ICE servers with TURN credentials, QR
// codes, static files, security headers and CORS.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { connect } from "node:net";
import {
  startServer, joined, emitWithAck, once, handshake, rawSocket, uniqueRoom, withDeadline, connectClient, clientId,
} from "../support/server.mjs";

let server;
let webRoot;
before(async () => {
  webRoot = mkdtempSync(join(tmpdir(), "fc-web-"));
  mkdirSync(join(webRoot, "assets"));
  writeFileSync(join(webRoot, "index.html"), "<!doctype html><title>Festival Chat</title>");
  writeFileSync(join(webRoot, "assets/app-abc12345.js"), "console.log('app');");
  writeFileSync(join(webRoot, "assets/app-abc12345.js.gz"), gzipSync("console.log('app');"));
  writeFileSync(join(webRoot, "notes.txt"), "plain");
  const outside = mkdtempSync(join(tmpdir(), "fc-outside-"));
  writeFileSync(join(outside, "secret.txt"), "TOP-SECRET");
  symlinkSync(join(outside, "secret.txt"), join(webRoot, "escape.txt"));
  server = await startServer(
    ["--turn-urls", "turn:127.0.0.1:3478", "--turn-secret", "s3cret", "--turn-ttl", "3600",
     "--cors-origin", "https://app.example.org", "--allowed-hosts", "festival.test",
     "--public-url", "https://chat.example.org/"],
    { webRoot },
  );
});
after(async () => { await server.stop(); });

test("healthz reports status and counts", async () => {
  const res = await fetch(`${server.url}/healthz`);
  assert.equal(res.status, 200);
  const h = await res.json();
  assert.equal(h.status, "ok");
  for (const k of ["rooms", "members", "connections", "uptime"]) assert.equal(typeof h[k], "number", k);
  assert.match(h.version, /^\d+\.\d+\.\d+$/);
});

test("metrics move with joins, relays and errors", async () => {
  // Summed over the nodes of a cluster: each counts what it served.
  const metric = async (name) => {
    let sum;
    for (const url of server.urls ?? [server.url]) {
      const text = await (await fetch(`${url}/metrics`)).text();
      const line = text.split("\n").find((l) => l.startsWith(name + " ") || l.startsWith(name + "{") && l.startsWith(name));
      if (line !== undefined) sum = (sum ?? 0) + Number(line.split(" ").pop());
    }
    return sum;
  };
  const res = await fetch(`${server.url}/metrics`);
  assert.match(res.headers.get("content-type"), /^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  for (const m of ['fc_connections{transport="websocket"}', 'fc_connections{transport="polling"}', "fc_rooms", "fc_members",
    "fc_joins_total", "fc_relays_total", 'fc_errors_total{code="invalid-room"}', "fc_bytes_received_total",
    "fc_bytes_sent_total", "fc_slow_consumers_dropped_total", "process_resident_memory_bytes",
    'fc_memory_held_bytes{kind="all"}', 'fc_memory_held_bytes{kind="input"}', "fc_memory_budget_bytes", 'fc_memory_budget_refusals_total{what="client"}',
    "fc_memory_limited_total", "fc_write_timeouts_total", "fc_attachment_timeouts_total"]) {
    assert.ok(text.includes(`\n${m} `) || text.startsWith(`${m} `), m);
  }
  const joins = await metric("fc_joins_total");
  const relays = await metric("fc_relays_total");
  const invalid = await metric('fc_errors_total{code="invalid-room"}');
  const room = uniqueRoom("m");
  const a = await joined(server.url, room);
  const b = await joined(server.url, room);
  await emitWithAck(b.socket, "signal", { to: a.ack.peerId, type: "offer", payload: {} });
  await emitWithAck(b.socket, "join-room", { roomId: "BAD", clientId: "abcdefgh" });
  assert.equal(await metric("fc_joins_total"), joins + 2);
  assert.equal(await metric("fc_relays_total"), relays + 1);
  assert.equal(await metric('fc_errors_total{code="invalid-room"}'), invalid + 1);
  assert.ok((await metric("process_resident_memory_bytes")) > 1e6);
  a.socket.close();
  b.socket.close();
});

test("the join acknowledgement carries STUN and short-lived TURN credentials", async () => {
  const before = Math.floor(Date.now() / 1000);
  const a = await joined(server.url, uniqueRoom("ice"));
  assert.ok(a.ack.iceServers[0].urls.every((u) => u.startsWith("stun:")));
  const turn = a.ack.iceServers.find((s) => s.username);
  assert.deepEqual(turn.urls, ["turn:127.0.0.1:3478"]);
  const [expiry, user] = turn.username.split(":");
  assert.equal(user, a.clientId);
  assert.ok(Number(expiry) >= before + 3600 && Number(expiry) <= before + 3605);
  assert.equal(turn.credential, createHmac("sha1", "s3cret").update(turn.username).digest("base64"));
  a.socket.close();
});

test("ICE servers: STUN only for callers who prove no room seat", async () => {
  const res = await fetch(`${server.url}/api/ice-servers?clientId=abcdefgh`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("cache-control"), "no-store");
  const { iceServers } = await res.json();
  assert.equal(iceServers.length, 1);
  assert.ok(iceServers[0].urls.every((u) => u.startsWith("stun:")));
  assert.ok(!iceServers.some((s) => s.username || s.credential));
  const guess = await (await fetch(`${server.url}/api/ice-servers?clientId=abcdefgh&roomId=${uniqueRoom("g")}`,
    { headers: { authorization: "Bearer a-guessed-token-0000" } })).json();
  assert.ok(!guess.iceServers.some((s) => s.username));
});

test("ICE servers: a member with its resume token gets TURN credentials", async () => {
  const room = uniqueRoom("ice");
  const id = clientId();
  const resumeToken = `tok-${process.pid}-${Date.now()}`.padEnd(24, "x");
  const socket = await connectClient(server.url);
  const ack = await emitWithAck(socket, "join-room", { roomId: room, clientId: id, displayName: "", resumeToken });
  assert.equal(ack.ok, true);
  // The token goes in the Authorization header, never in the URL.
  const ice = async ({ resumeToken: t, ...q }) =>
    (await (await fetch(`${server.url}/api/ice-servers?${new URLSearchParams(q)}`,
      { headers: t ? { authorization: `Bearer ${t}` } : {} })).json()).iceServers;
  const turn = (await ice({ clientId: id, roomId: room, resumeToken })).find((s) => s.username);
  assert.ok(turn, "a member gets TURN");
  assert.ok(turn.username.endsWith(`:${id}`));
  assert.equal(turn.credential, createHmac("sha1", "s3cret").update(turn.username).digest("base64"));
  // a wrong token, another room or another clientId prove nothing
  for (const q of [{ clientId: id, roomId: room, resumeToken: resumeToken.replace(/.$/, "y") },
    { clientId: id, roomId: uniqueRoom("other"), resumeToken }, { clientId: clientId(), roomId: room, resumeToken }]) {
    assert.ok(!(await ice(q)).some((s) => s.username), JSON.stringify(q));
  }
  // after leaving, the token no longer qualifies
  await emitWithAck(socket, "leave-room", {});
  assert.ok(!(await ice({ clientId: id, roomId: room, resumeToken })).some((s) => s.username));
  socket.close();
});

test("ICE servers: clientId follows the contract's rule", async () => {
  for (const q of ["", "clientId=", "clientId=short", "clientId=abcdefgh%0Aevil", "clientId=abcd:efgh",
    `clientId=${"a".repeat(65)}`, "clientId=abcdefgh&roomId=BAD%20ROOM",
    // a token in the URL is refused (it would end up in logs), even a valid one
    `clientId=abcdefgh&roomId=blue&resumeToken=${"t".repeat(24)}`]) {
    const res = await fetch(`${server.url}/api/ice-servers?${q}`);
    assert.equal(res.status, 400, q);
    assert.equal(typeof (await res.json()).error, "string", q);
  }
  for (const authorization of ["Bearer short", "Basic dXNlcjpwYXNz", `Bearer ${"t".repeat(24)} extra`]) {
    const res = await fetch(`${server.url}/api/ice-servers?clientId=abcdefgh&roomId=blue`, { headers: { authorization } });
    assert.equal(res.status, 400, authorization);
  }
});

test("QR codes as SVG, bounded", async () => {
  const res = await fetch(`${server.url}/qr.svg?text=${encodeURIComponent("https://chat.example/r/blue-tiger-42")}`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "image/svg+xml");
  const svg = await res.text();
  assert.match(svg, /^<svg [^>]*viewBox="0 0 \d+ \d+"/);
  assert.equal((await fetch(`${server.url}/qr.svg?text=`)).status, 400);
  assert.equal((await fetch(`${server.url}/qr.svg`)).status, 400);
  assert.equal((await fetch(`${server.url}/qr.svg?text=${"x".repeat(513)}`)).status, 400);
  assert.equal((await fetch(`${server.url}/qr.svg?text=${"x".repeat(2000)}`)).status, 400);
  assert.equal((await fetch(`${server.url}/qr.svg?text=${"y".repeat(512)}`)).status, 200);
});

test("QR codes: a repeated text comes from the cache, renders are rate-limited per address", async () => {
  const own = await startServer();
  try {
    const metric = async (name) => {
      const text = await (await fetch(`${own.url}/metrics`)).text();
      return Number(text.split("\n").find((l) => l.startsWith(name + " ")).split(" ").pop());
    };
    const link = `${own.url}/qr.svg?text=${encodeURIComponent("https://chat.example/r/cached")}`;
    const first = await (await fetch(link)).text();
    assert.equal(await (await fetch(link)).text(), first);
    assert.equal(await metric("fc_qr_renders_total"), 1);
    assert.equal(await metric("fc_qr_cache_hits_total"), 1);
    const statuses = [];
    for (let i = 0; i < 30; i++) {
      const res = await fetch(`${own.url}/qr.svg?text=distinct-${i}`);
      statuses.push(res.status);
      if (res.status === 429) {
        assert.equal(res.headers.get("content-type"), "application/json");
        assert.equal(typeof (await res.json()).error, "string");
      } else await res.arrayBuffer();
    }
    assert.ok(statuses.includes(429), statuses.join(","));
    assert.ok(statuses.filter((s) => s === 200).length >= 19, statuses.join(","));
    // the cached text still comes back while renders are refused
    assert.equal((await fetch(link)).status, 200);
    assert.ok((await metric("fc_qr_rate_limited_total")) >= 1);
  } finally {
    await own.stop();
  }
});

test("ICE servers: rate-limited per address", async () => {
  const own = await startServer();
  try {
    const statuses = [];
    for (let i = 0; i < 30; i++) {
      const res = await fetch(`${own.url}/api/ice-servers?clientId=abcdefgh`);
      statuses.push(res.status);
      if (res.status === 429) assert.equal(typeof (await res.json()).error, "string");
      else await res.arrayBuffer();
    }
    assert.ok(statuses.includes(429), statuses.join(","));
    const text = await (await fetch(`${own.url}/metrics`)).text();
    assert.match(text, /\nfc_rate_limited_total\{scope="ice-servers"\} [1-9]/);
  } finally {
    await own.stop();
  }
});

test("security headers on every response", async () => {
  for (const path of ["/", "/healthz", "/metrics", "/nope", "/socket.io/?EIO=4&transport=polling"]) {
    const res = await fetch(`${server.url}${path}`);
    assert.match(res.headers.get("content-security-policy") ?? "", /default-src 'self'/, path);
    assert.equal(res.headers.get("referrer-policy"), "no-referrer", path);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff", path);
  }
});

test("the web app: index for / and room links, immutable assets, ETags", async () => {
  for (const path of ["/", "/r/blue-tiger-42"]) {
    const res = await fetch(`${server.url}${path}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type"), /^text\/html/);
    assert.equal(res.headers.get("cache-control"), "no-cache");
    assert.match(await res.text(), /Festival Chat/);
  }
  const asset = await fetch(`${server.url}/assets/app-abc12345.js`, { headers: { "accept-encoding": "identity" } });
  assert.equal(asset.status, 200);
  assert.match(asset.headers.get("content-type"), /^text\/javascript/);
  assert.match(asset.headers.get("cache-control"), /immutable/);
  const etag = asset.headers.get("etag");
  assert.ok(etag);
  const again = await fetch(`${server.url}/assets/app-abc12345.js`, {
    headers: { "if-none-match": etag, "accept-encoding": "identity" },
  });
  assert.equal(again.status, 304);
  assert.equal(await again.text(), "");
  assert.equal((await fetch(`${server.url}/notes.txt`)).headers.get("cache-control"), "no-cache");
  assert.equal((await fetch(`${server.url}/missing.js`)).status, 404);
});

test("precompressed siblings are served when accepted", async () => {
  const { request } = await import("node:http");
  const headers = await new Promise((res, rej) => {
    request(`${server.url}/assets/app-abc12345.js`, { headers: { "accept-encoding": "gzip" } }, (r) => {
      r.resume();
      res(r.headers);
    }).on("error", rej).end();
  });
  assert.equal(headers["content-encoding"], "gzip");
  assert.match(headers.vary, /Accept-Encoding/);
});

test("no path leads out of the web root", async () => {
  const { request } = await import("node:http");
  const raw = (path) =>
    new Promise((res, rej) => {
      request({ host: "127.0.0.1", port: server.port, path }, (r) => {
        let body = "";
        r.on("data", (d) => (body += d));
        r.on("end", () => res({ status: r.statusCode, body }));
      }).on("error", rej).end();
    });
  for (const path of ["/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/assets/..%2f..%2fetc/passwd",
    "/assets/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/escape.txt", "/..\\..\\etc\\passwd", "/%00index.html"]) {
    const r = await raw(path);
    assert.ok(r.status >= 400, `${path} -> ${r.status}`);
    assert.ok(!r.body.includes("root:") && !r.body.includes("TOP-SECRET"), path);
  }
});

test("CORS: listed and same origins pass, others are refused", async () => {
  const base = `${server.url}/socket.io/?EIO=4&transport=polling`;
  const evil = await fetch(base, { headers: { origin: "http://evil.example" } });
  assert.equal(evil.status, 403);
  const listed = await fetch(base, { headers: { origin: "https://app.example.org" } });
  assert.equal(listed.status, 200);
  assert.equal(listed.headers.get("access-control-allow-origin"), "https://app.example.org");
  assert.equal(listed.headers.get("access-control-allow-credentials"), "true");
  const same = await fetch(base, { headers: { origin: server.url } });
  assert.equal(same.status, 200);
  const pre = await fetch(base, {
    method: "OPTIONS",
    headers: { origin: "https://app.example.org", "access-control-request-method": "POST" },
  });
  assert.equal(pre.status, 204);
  assert.match(pre.headers.get("access-control-allow-methods"), /POST/);
  await assert.rejects(rawSocket(server.url, "/socket.io/", "EIO=4&transport=websocket", { origin: "http://evil.example" }));
  const ok = await rawSocket(server.url, "/socket.io/", "EIO=4&transport=websocket", { origin: "https://app.example.org" });
  assert.match(await ok.next(), /^0\{/);
  ok.close();
});

test("TURN credentials are minted per join, not cached", async () => {
  const room = uniqueRoom("mint");
  const a = await joined(server.url, room);
  const b = await joined(server.url, room);
  const user = (x) => x.ack.iceServers.find((s) => s.username).username;
  assert.notEqual(user(a), user(b));
  a.socket.close();
  b.socket.close();
});

// A raw HTTP exchange: what a browser cannot send (any Host, huge
// headers). Resolves with the first whole response (Content-Length).
function rawHttp(port, request) {
  return withDeadline(new Promise((res, rej) => {
    const sock = connect(port, "127.0.0.1");
    let data = "";
    const done = () => { sock.destroy(); res(data); };
    sock.on("data", (d) => {
      data += d;
      const end = data.indexOf("\r\n\r\n");
      const length = /\r\ncontent-length: *(\d+)/i.exec(data.slice(0, end));
      if (end >= 0 && length && Buffer.byteLength(data.slice(end + 4)) >= Number(length[1])) done();
    });
    sock.on("end", done);
    sock.on("error", (e) => (data ? res(data) : rej(e)));
    sock.write(request);
  }), 5000, "raw HTTP answer");
}
const statusOf = (reply) => Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1]);
const bodyOf = (reply) => reply.slice(reply.indexOf("\r\n\r\n") + 4);

test("CORS: a preflight from an unlisted origin gets no CORS headers", async () => {
  const base = `${server.url}/socket.io/?EIO=4&transport=polling`;
  const pre = await fetch(base, {
    method: "OPTIONS",
    headers: { origin: "http://evil.example", "access-control-request-method": "POST" },
  });
  assert.equal(pre.status, 403);
  assert.equal(pre.headers.get("access-control-allow-origin"), null);
  assert.equal(pre.headers.get("access-control-allow-credentials"), null);
  assert.equal(pre.headers.get("access-control-allow-methods"), null);
  const polled = await fetch(base, { headers: { origin: "http://evil.example" } });
  assert.equal(polled.headers.get("access-control-allow-origin"), null);
});

test("CORS: same origin means the same scheme and exactly our authority", async () => {
  const base = `${server.url}/socket.io/?EIO=4&transport=polling`;
  for (const origin of [`https://127.0.0.1:${server.port}`, `http://127.0.0.1:${server.port}.evil.example`,
    `http://127.0.0.1:${server.port}1`, "http://127.0.0.1", "null"]) {
    const res = await fetch(base, { headers: { origin } });
    assert.equal(res.status, 403, origin);
    assert.equal(res.headers.get("access-control-allow-origin"), null, origin);
  }
  await assert.rejects(rawSocket(server.url, "/socket.io/", "EIO=4&transport=websocket",
    { origin: `https://127.0.0.1:${server.port}` }));
  // the origin of --public-url counts as ours (a TLS-terminating proxy in front)
  const pub = await fetch(base, { headers: { origin: "https://chat.example.org" } });
  assert.equal(pub.status, 200);
  assert.equal(pub.headers.get("access-control-allow-origin"), "https://chat.example.org");
});

test("DNS rebinding: signaling refuses host names nobody declared", async () => {
  const get = (path, host, origin) => rawHttp(server.port,
    `GET ${path} HTTP/1.1\r\nHost: ${host}\r\n${origin ? `Origin: ${origin}\r\n` : ""}Connection: close\r\n\r\n`);
  const evil = `evil.example:${server.port}`;
  for (const path of ["/socket.io/?EIO=4&transport=polling", "/api/ice-servers?clientId=abcdefgh"]) {
    const reply = await get(path, evil, `http://${evil}`);
    assert.equal(statusOf(reply), 403, path);
    assert.match(JSON.parse(bodyOf(reply)).message, /Host not allowed/, path);
  }
  const upgrade = await rawHttp(server.port,
    `GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: ${evil}\r\nOrigin: http://${evil}\r\n` +
    "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n" +
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
  assert.equal(statusOf(upgrade), 403);
  // IP literals, localhost, --allowed-hosts and the --public-url host pass
  for (const host of [`127.0.0.1:${server.port}`, `localhost:${server.port}`, `festival.test:${server.port}`,
    "chat.example.org"]) {
    assert.equal(statusOf(await get("/socket.io/?EIO=4&transport=polling", host)), 200, host);
  }
  // the web app's files are the same for every Host
  assert.equal(statusOf(await get("/", evil)), 200);
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  assert.match(metrics, /\nfc_forbidden_requests_total\{reason="host"\} [1-9]/);
});

test("oversized request headers are answered 431, not reset", async () => {
  let request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (let i = 0; i < 40; i++) request += `X-Filler-${i}: ${"a".repeat(1000)}\r\n`;
  const reply = await rawHttp(server.port, request + "\r\n");
  assert.equal(statusOf(reply), 431);
  assert.match(reply, /\r\nConnection: close\r\n/i);
  assert.match(reply, /\r\nContent-Type: application\/json\r\n/i);
  assert.equal(JSON.parse(bodyOf(reply)).code, 3);
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  assert.match(metrics, /\nfc_oversized_headers_total [1-9]/);
});
