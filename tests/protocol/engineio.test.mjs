// Engine.IO v4 on /socket.io/: handshake, error table, polling payloads,
// WebSocket, upgrade and heartbeat, spoken by hand over HTTP and ws.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { clusterNodes, startServer, handshake, poll, post, rawSocket, sleep, slow, withDeadline } from "../support/server.mjs";

// Default heartbeat for most tests, so a slow (sanitized) run never times a
// session out under them; a second server with a short heartbeat for the
// heartbeat tests.
const PING_INTERVAL = 300 * slow;
const PING_TIMEOUT = 200 * slow;
let server;
let quick;
before(async () => {
  server = await startServer();
  quick = await startServer(["--ping-interval", String(PING_INTERVAL), "--ping-timeout", String(PING_TIMEOUT)]);
});
after(async () => {
  await server.stop();
  await quick.stop();
});

async function expectError(url, init, code, message) {
  const res = await fetch(url, init);
  assert.equal(res.status, 400);
  assert.deepEqual(await res.json(), { code, message });
}

test("polling handshake advertises the settings", async () => {
  const open = await handshake(server.url);
  assert.deepEqual(Object.keys(open), ["sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload"]);
  // In a cluster the owning node's 8-character tag comes first.
  assert.match(open.sid, clusterNodes > 1 ? /^[A-Za-z0-9_-]{30}$/ : /^[A-Za-z0-9_-]{22}$/);
  assert.deepEqual(open.upgrades, ["websocket"]);
  assert.equal(open.pingInterval, 25000);
  assert.equal(open.pingTimeout, 60000);
  const q = await handshake(quick.url);
  assert.equal(q.pingInterval, PING_INTERVAL);
  assert.equal(q.pingTimeout, PING_TIMEOUT);
  assert.equal(open.maxPayload, 1000000);
});

test("session ids differ", async () => {
  const ids = new Set();
  for (let i = 0; i < 20; i++) ids.add((await handshake(server.url)).sid);
  assert.equal(ids.size, 20);
});

test("request errors use the protocol's table", async () => {
  const base = `${server.url}/socket.io/`;
  await expectError(`${base}?EIO=4&transport=carrier-pigeon`, {}, 0, "Transport unknown");
  await expectError(`${base}?EIO=4`, {}, 0, "Transport unknown");
  await expectError(`${base}?EIO=4&transport=polling&sid=nope`, {}, 1, "Session ID unknown");
  await expectError(`${base}?EIO=4&transport=polling`, { method: "POST", body: "4x" }, 2, "Bad handshake method");
  await expectError(`${base}?EIO=3&transport=polling`, {}, 5, "Unsupported protocol version");
  await expectError(`${base}?transport=polling`, {}, 5, "Unsupported protocol version");
  const { sid } = await handshake(server.url);
  await expectError(`${base}?EIO=4&transport=polling&sid=${sid}`, { method: "PUT", body: "x" }, 3, "Bad request");
});

test("polling carries text and binary packets both ways", async () => {
  // Socket.IO CONNECT then an unknown event: the server answers CONNECT.
  const { sid } = await handshake(server.url);
  assert.deepEqual(await post(server.url, sid, "40"), { status: 200, body: "ok" });
  const got = await poll(server.url, sid);
  assert.equal(got.status, 200);
  assert.match(got.body, /^40\{"sid":"[A-Za-z0-9_-]+"\}$/);
});

test("a payload that does not decode closes the session", async () => {
  const { sid } = await handshake(server.url);
  const res = await post(server.url, sid, "abc");
  assert.equal(res.status, 400);
  assert.equal((await poll(server.url, sid)).status, 400);
});

test("bad base64 in a binary packet closes the session", async () => {
  const { sid } = await handshake(server.url);
  assert.equal((await post(server.url, sid, "40\x1eb!!!")).status, 400);
  assert.equal((await poll(server.url, sid)).status, 400);
});

test("a second concurrent GET closes the session", async () => {
  const { sid } = await handshake(server.url);
  const first = poll(server.url, sid);
  await sleep(30);
  const second = await poll(server.url, sid);
  assert.equal(second.status, 400);
  assert.deepEqual(await first, { status: 200, body: "1" });
  assert.equal((await poll(server.url, sid)).status, 400);
});

test("a close packet ends a held poll with noop and the session", async () => {
  const { sid } = await handshake(server.url);
  const held = poll(server.url, sid);
  await sleep(30);
  assert.equal((await post(server.url, sid, "1")).status, 200);
  assert.deepEqual(await held, { status: 200, body: "6" });
  assert.equal((await poll(server.url, sid)).status, 400);
});

test("heartbeat over polling: ping, pong, and timeout", async () => {
  const { sid } = await handshake(quick.url);
  for (let i = 0; i < 2; i++) {
    assert.deepEqual(await poll(quick.url, sid), { status: 200, body: "2" });
    assert.equal((await post(quick.url, sid, "3")).status, 200);
  }
  // No pong this time: gone after pingTimeout.
  assert.deepEqual(await poll(quick.url, sid), { status: 200, body: "2" });
  await sleep(PING_TIMEOUT * 2);
  assert.equal((await poll(quick.url, sid)).status, 400);
});

test("websocket handshake, ping/pong, and timeout close", async () => {
  const ws = await rawSocket(quick.url);
  const open = JSON.parse((await ws.next()).slice(1));
  assert.deepEqual(open.upgrades, []);
  assert.equal(await ws.next(), "2");
  ws.send("3");
  assert.equal(await ws.next(), "2");
  // stop answering: the server closes the socket
  await withDeadline(ws.closed, 2000, "close after ping timeout");
});

test("websocket: an undecodable frame closes only that connection", async () => {
  const bad = await rawSocket(server.url);
  const good = await rawSocket(server.url);
  await bad.next();
  await good.next();
  bad.send("x-not-a-packet");
  await withDeadline(bad.closed, 2000, "close");
  good.send("40");
  assert.match(await good.nextNonPing(), /^40\{"sid":/);
  good.close();
});

test("upgrade from polling to websocket", async () => {
  const { sid } = await handshake(server.url);
  assert.equal((await post(server.url, sid, "40")).status, 200);
  assert.match((await poll(server.url, sid)).body, /^40/);
  const ws = await rawSocket(server.url, "/socket.io/", `EIO=4&transport=websocket&sid=${sid}`);
  const held = poll(server.url, sid);
  await sleep(30);
  ws.send("2probe");
  assert.equal(await ws.next(), "3probe");
  assert.deepEqual(await held, { status: 200, body: "6" });
  ws.send("5");
  await sleep(30);
  // polling is over for this session
  assert.equal((await poll(server.url, sid)).status, 400);
  // and the session lives on over the websocket
  ws.send('421["leave-room"]');
  const ack = await ws.nextNonPing();
  assert.match(ack, /^431\[\{"ok":false,"error":\{"code":"not-in-room"/);
  ws.close();
});

test("a websocket for an already upgraded session is closed", async () => {
  const { sid } = await handshake(server.url);
  const ws = await rawSocket(server.url, "/socket.io/", `EIO=4&transport=websocket&sid=${sid}`);
  ws.send("2probe");
  assert.equal(await ws.next(), "3probe");
  ws.send("5");
  await sleep(30);
  const second = await rawSocket(server.url, "/socket.io/", `EIO=4&transport=websocket&sid=${sid}`);
  await withDeadline(second.closed, 2000, "second websocket closed");
  ws.send("40");
  assert.match(await ws.nextNonPing(), /^40\{/);
  ws.close();
});

test("a POST over maxPayload is refused with 413", async () => {
  const small = await startServer(["--max-payload", "2048"]);
  try {
    const { sid } = await handshake(small.url);
    const res = await post(small.url, sid, "4" + "x".repeat(5000));
    assert.equal(res.status, 413);
    const health = await fetch(`${small.url}/healthz`);
    assert.equal(health.status, 200);
  } finally {
    await small.stop();
  }
});
