// The HTTP side: health, metrics, ICE servers with TURN credentials, QR
// codes, static files, security headers and CORS.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { startServer, joined, emitWithAck, once, handshake, rawSocket, uniqueRoom, withDeadline } from "../support/server.mjs";

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
     "--cors-origin", "https://app.example.org"],
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
  const metric = async (name) => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const line = text.split("\n").find((l) => l.startsWith(name + " ") || l.startsWith(name + "{") && l.startsWith(name));
    return line === undefined ? undefined : Number(line.split(" ").pop());
  };
  const res = await fetch(`${server.url}/metrics`);
  assert.match(res.headers.get("content-type"), /^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  for (const m of ['fc_connections{transport="websocket"}', 'fc_connections{transport="polling"}', "fc_rooms", "fc_members",
    "fc_joins_total", "fc_relays_total", 'fc_errors_total{code="invalid-room"}', "fc_bytes_received_total",
    "fc_bytes_sent_total", "fc_slow_consumers_dropped_total", "process_resident_memory_bytes"]) {
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

test("ICE servers carry STUN and short-lived TURN credentials", async () => {
  const before = Math.floor(Date.now() / 1000);
  const res = await fetch(`${server.url}/api/ice-servers?clientId=abcdefgh`);
  assert.equal(res.status, 200);
  const { iceServers } = await res.json();
  assert.ok(iceServers[0].urls.every((u) => u.startsWith("stun:")));
  const turn = iceServers.find((s) => s.username);
  assert.deepEqual(turn.urls, ["turn:127.0.0.1:3478"]);
  const [expiry, user] = turn.username.split(":");
  assert.equal(user, "abcdefgh");
  assert.ok(Number(expiry) >= before + 3600 && Number(expiry) <= before + 3605);
  assert.equal(turn.credential, createHmac("sha1", "s3cret").update(turn.username).digest("base64"));
  // the join acknowledgement carries the same kind of list
  const a = await joined(server.url, uniqueRoom("ice"));
  const t2 = a.ack.iceServers.find((s) => s.username);
  assert.ok(t2.username.endsWith(`:${a.clientId}`));
  assert.equal(t2.credential, createHmac("sha1", "s3cret").update(t2.username).digest("base64"));
  a.socket.close();
});

test("QR codes as SVG, bounded", async () => {
  const res = await fetch(`${server.url}/qr.svg?text=${encodeURIComponent("https://chat.example/r/blue-tiger-42")}`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "image/svg+xml");
  const svg = await res.text();
  assert.match(svg, /^<svg [^>]*viewBox="0 0 \d+ \d+"/);
  assert.equal((await fetch(`${server.url}/qr.svg?text=`)).status, 400);
  assert.equal((await fetch(`${server.url}/qr.svg?text=${"x".repeat(2000)}`)).status, 400);
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

test("TURN credentials are minted per request, not cached", async () => {
  const one = await (await fetch(`${server.url}/api/ice-servers?clientId=abcdefgh`)).json();
  const two = await (await fetch(`${server.url}/api/ice-servers?clientId=zyxwvuts`)).json();
  assert.notEqual(one.iceServers[1].username, two.iceServers[1].username);
});
