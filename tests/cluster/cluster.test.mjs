// A cluster as operators run it: three festival-chat-server nodes on one
// real Redis, clients on different nodes, a round-robin HAProxy with no
// stickiness in front, nodes killed with SIGKILL, Redis killed and
// restarted, and --workers sharing one port. (The whole protocol suite also
// runs against three nodes: FC_NODES=3, see scripts/test.)
import { test, after } from "node:test";
import { execFileSync } from "node:child_process";
import { get } from "node:http";
import assert from "node:assert/strict";
import { io } from "socket.io-client";
import {
  startCluster, startServer, connectClient, emitWithAck, once, joined, uniqueRoom, clientId, sleep, slow,
  withDeadline,
} from "../support/server.mjs";
import { startHaproxy } from "../support/haproxy.mjs";

const close = (...sockets) => sockets.forEach((s) => s.close());
const token = () => `tok${Math.random().toString(36).slice(2)}${"x".repeat(20)}`.slice(0, 24);

async function metrics(url) {
  return (await fetch(`${url}/metrics`)).text();
}
// The sum of a metric's samples (over its labels), undefined if absent.
function metric(text, name) {
  let sum;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+(?:\\.\\d+)?)$`, "gm"))) {
    sum = (sum ?? 0) + Number(m[1]);
  }
  return sum;
}
// Everything Redis holds, keys and values, as one string.
function redisContents(port) {
  const dump = `local out = {}
for _, k in ipairs(redis.call('KEYS', '*')) do
  out[#out + 1] = k
  local t = redis.call('TYPE', k).ok
  if t == 'hash' then for _, v in ipairs(redis.call('HGETALL', k)) do out[#out + 1] = v end
  elseif t == 'string' then out[#out + 1] = redis.call('GET', k)
  elseif t == 'zset' then for _, v in ipairs(redis.call('ZRANGE', k, 0, -1)) do out[#out + 1] = v end
  elseif t == 'set' then for _, v in ipairs(redis.call('SMEMBERS', k)) do out[#out + 1] = v end end
end
return out`;
  return execFileSync("redis-cli", ["-p", String(port), "EVAL", dump, "0"], { encoding: "utf8" });
}
async function until(what, check, ms = 5000) {
  return withDeadline((async () => {
    for (;;) {
      const v = await check();
      if (v) return v;
      await sleep(25);
    }
  })(), ms, what);
}

test("members on three nodes share one room: peers, notices, signals with binary, leaves", async () => {
  const cluster = await startCluster(3, [], { spread: false });
  try {
    const room = uniqueRoom();
    const [u0, u1, u2] = cluster.urls;
    const a = await joined(u0, room, "Ana Lima");
    const seenB = once(a.socket, "peer-joined");
    const b = await joined(u1, room, "Bo Berg");
    assert.deepEqual(b.ack.peers, [{ peerId: a.ack.peerId, clientId: a.clientId, displayName: "Ana Lima" }]);
    assert.deepEqual(await seenB, { peerId: b.ack.peerId, clientId: b.clientId, displayName: "Bo Berg" });
    const seenC = [once(a.socket, "peer-joined"), once(b.socket, "peer-joined")];
    const c = await joined(u2, room, "Cy Chen");
    assert.deepEqual(c.ack.peers.map((p) => p.displayName), ["Ana Lima", "Bo Berg"]);
    for (const s of await Promise.all(seenC)) assert.equal(s.peerId, c.ack.peerId);

    // A signal from node 2 to node 0, with a binary attachment.
    const got = once(a.socket, "signal");
    const ack = await emitWithAck(c.socket, "signal", {
      to: a.ack.peerId, type: "offer", payload: { sdp: "v=0", blob: Buffer.from([0, 1, 2, 255]) },
    });
    assert.deepEqual(ack, { ok: true });
    const sig = await got;
    assert.equal(sig.from, c.ack.peerId);
    assert.equal(sig.payload.sdp, "v=0");
    assert.deepEqual([...Buffer.from(sig.payload.blob)], [0, 1, 2, 255]);

    // Order is kept across nodes: 200 signals arrive as sent.
    const seq = [];
    const all = new Promise((res) => b.socket.on("signal", (m) => { seq.push(m.payload.n); if (seq.length === 200) res(); }));
    for (let n = 0; n < 200; n++) a.socket.emit("signal", { to: b.ack.peerId, type: "candidate", payload: { n } });
    await withDeadline(all, 5000, "200 signals");
    assert.deepEqual(seq, [...Array(200).keys()]);

    // An unknown peer is still unknown.
    const nack = await emitWithAck(a.socket, "signal", { to: "p_nobody", type: "offer", payload: null });
    assert.equal(nack.error.code, "unknown-peer");

    // Redis holds routing only: no room name, no display name, no payload.
    const held = redisContents(cluster.redis.port);
    assert.match(held, /fc:r:/);
    // (Names long enough that no random id in Redis could hold them by chance.)
    for (const secret of [room, "Ana Lima", "Bo Berg", "Cy Chen", "v=0"]) assert.ok(!held.includes(secret), `Redis holds "${secret}"`);

    // leave-room and a disconnect, told on the other nodes with their reasons.
    const leftB = [once(a.socket, "peer-left"), once(c.socket, "peer-left")];
    assert.deepEqual(await emitWithAck(b.socket, "leave-room", {}), { ok: true });
    for (const l of await Promise.all(leftB)) assert.deepEqual(l, { peerId: b.ack.peerId, reason: "left" });
    const leftC = once(a.socket, "peer-left");
    c.socket.close();
    assert.deepEqual(await leftC, { peerId: c.ack.peerId, reason: "disconnected" });
    // The cluster view: three nodes alive, Redis up, relays across nodes counted.
    // (The heartbeat is once a second: the view may take that long.)
    const m = await until("three nodes alive", async () => {
      const text = await metrics(u0);
      return metric(text, "fc_cluster_nodes_alive") === 3 && text;
    }, 3000 * slow);
    assert.equal(metric(m, "fc_cluster_redis_up"), 1);
    assert.ok(metric(m, "fc_cluster_signals_out_total") >= 200);
    const health = await (await fetch(`${u1}/healthz`)).json();
    assert.equal(health.redis, "up");
    close(a.socket, b.socket);
  } finally {
    await cluster.stop();
  }
});

test("room-full is counted cluster-wide and a clientId is replaced across nodes", async () => {
  const cluster = await startCluster(3, ["--room-size", "2"], { spread: false });
  try {
    const room = uniqueRoom();
    const [u0, u1, u2] = cluster.urls;
    const a = await joined(u0, room, "A");
    const b = await joined(u1, room, "B");
    const s = await connectClient(u2);
    const full = await emitWithAck(s, "join-room", { roomId: room, clientId: clientId(), displayName: "C" });
    assert.equal(full.error.code, "room-full");

    // b's clientId again, from node 2: b's old socket hears "replaced",
    // a sees b leave as replaced and the new one join.
    const replacedOld = once(b.socket, "replaced");
    const leftOld = once(a.socket, "peer-left");
    const joinedNew = once(a.socket, "peer-joined");
    const again = await emitWithAck(s, "join-room", { roomId: room, clientId: b.clientId, displayName: "B2" });
    assert.equal(again.ok, true);
    await replacedOld;
    assert.deepEqual(await leftOld, { peerId: b.ack.peerId, reason: "replaced" });
    assert.equal((await joinedNew).peerId, again.peerId);
    // The stale socket is no member anywhere.
    const nack = await emitWithAck(b.socket, "signal", { to: a.ack.peerId, type: "offer", payload: null });
    assert.equal(nack.error.code, "unknown-peer");
    close(a.socket, b.socket, s);
  } finally {
    await cluster.stop();
  }
});

test("a resume token protects a clientId on every node", async () => {
  const cluster = await startCluster(2, [], { spread: false });
  try {
    const room = uniqueRoom();
    const [u0, u1] = cluster.urls;
    const id = clientId();
    const secret = token();
    const s0 = await connectClient(u0);
    const first = await emitWithAck(s0, "join-room", { roomId: room, clientId: id, displayName: "", resumeToken: secret });
    assert.equal(first.ok, true);
    const thief = await connectClient(u1);
    const stolen = await emitWithAck(thief, "join-room", { roomId: room, clientId: id, displayName: "", resumeToken: token() });
    assert.equal(stolen.error.code, "client-id-taken");
    const owner = await connectClient(u1);
    const back = await emitWithAck(owner, "join-room", { roomId: room, clientId: id, displayName: "", resumeToken: secret });
    assert.equal(back.ok, true);
    close(s0, thief, owner);
  } finally {
    await cluster.stop();
  }
});

test("TURN credentials for a seat held on another node", async () => {
  const cluster = await startCluster(2, ["--turn-urls", "turn:turn.example.org:3478", "--turn-secret", "s3cret"], { spread: false });
  try {
    const room = uniqueRoom();
    const [u0, u1] = cluster.urls;
    const id = clientId();
    const secret = token();
    const s = await connectClient(u0);
    const ack = await emitWithAck(s, "join-room", { roomId: room, clientId: id, displayName: "", resumeToken: secret });
    assert.equal(ack.ok, true);
    // The phone's HTTP request lands on the other node (a balancer's choice).
    const ask = (auth) => fetch(`${u1}/api/ice-servers?clientId=${id}&roomId=${room}`, { headers: { authorization: auth } })
      .then((r) => r.json());
    const proven = await ask(`Bearer ${secret}`);
    assert.ok(proven.iceServers.some((i) => i.username?.endsWith(`:${id}`)), JSON.stringify(proven));
    const wrong = await ask(`Bearer ${token()}`);
    assert.ok(!wrong.iceServers.some((i) => i.username), JSON.stringify(wrong));
    s.close();
  } finally {
    await cluster.stop();
  }
});

test("polling and upgrading clients work through a round-robin balancer with no stickiness", async () => {
  const cluster = await startCluster(3, [], { spread: false });
  const lb = await startHaproxy(cluster.urls);
  try {
    const room = uniqueRoom();
    const polling = { transports: ["polling"] };
    const a = await joined(lb.url, room, "Ana", polling);
    const b = await joined(lb.url, room, "Bo", polling);
    const c = await joined(lb.url, room, "Cy"); // polling, then the upgrade
    await until("c's upgrade", () => c.socket.io.engine.transport.name === "websocket");
    assert.deepEqual(c.ack.peers.map((p) => p.displayName), ["Ana", "Bo"]);
    for (const [from, to] of [[a, b], [b, c], [c, a], [a, c]]) {
      const got = once(to.socket, "signal");
      assert.deepEqual(await emitWithAck(from.socket, "signal", { to: to.ack.peerId, type: "offer", payload: { x: 1 } }), { ok: true });
      assert.equal((await got).from, from.ack.peerId);
    }
    // Long polls and posts crossed nodes: forwarded, not refused.
    let forwarded = 0;
    for (const u of cluster.urls) forwarded += metric(await metrics(u), "fc_forwarded_requests_total") ?? 0;
    assert.ok(forwarded > 0, "no request was forwarded");
    close(a.socket, b.socket, c.socket);
  } finally {
    await lb.stop();
    await cluster.stop();
  }
});

test("a node killed mid-room: its clients rejoin elsewhere in time, the one that does not is gone after the grace", async () => {
  const grace = 2500 * slow;
  const cluster = await startCluster(3, ["--node-grace", String(grace)], { spread: false });
  try {
    const room = uniqueRoom();
    const [u0, u1, u2] = cluster.urls;
    const a = await joined(u0, room, "A"); // stays on node 0
    const bTok = token();
    const bId = clientId();
    const b = await connectClient(u1); // on the node that dies, comes back
    const bAck = await emitWithAck(b, "join-room", { roomId: room, clientId: bId, displayName: "B", resumeToken: bTok });
    assert.equal(bAck.ok, true);
    const c = await joined(u1, room, "C"); // on the node that dies, never comes back
    const heard = [];
    a.socket.on("peer-left", (m) => heard.push({ ...m, at: Date.now() }));
    a.socket.on("peer-joined", (m) => heard.push({ joined: m.peerId }));
    await sleep(200);
    const killedAt = Date.now();
    cluster.nodes[1].proc.kill("SIGKILL");
    await cluster.nodes[1].stop().catch(() => {});
    // b comes back through node 2 with its clientId and token.
    const b2 = await connectClient(u2);
    const back = await emitWithAck(b2, "join-room", { roomId: room, clientId: bId, displayName: "B", resumeToken: bTok });
    assert.equal(back.ok, true);
    assert.deepEqual(back.peers.map((p) => p.displayName).sort(), ["A", "C"]); // c is in its grace period
    await until("c's peer-left", () => heard.some((h) => h.peerId === c.ack.peerId), grace + 5000 * slow);
    const cLeft = heard.find((h) => h.peerId === c.ack.peerId);
    assert.equal(cLeft.reason, "disconnected");
    assert.ok(cLeft.at - killedAt >= grace - 200, `c was dropped ${cLeft.at - killedAt} ms after the kill`);
    // b was never "disconnected": replaced by its own return.
    const bLeft = heard.filter((h) => h.peerId === bAck.peerId);
    assert.deepEqual(bLeft.map((h) => h.reason), ["replaced"]);
    // No ghosts: a newcomer sees exactly a and b.
    const d = await joined(u2, room, "D");
    assert.deepEqual(d.ack.peers.map((p) => p.displayName).sort(), ["A", "B"]);
    const m = await metrics(u0);
    assert.equal(metric(m, "fc_cluster_nodes_alive"), 2);
    close(a.socket, b2, d.socket);
  } finally {
    await cluster.stop().catch(() => {});
  }
});

test("Redis killed and restarted: local rooms keep working, /healthz says so, and the cluster heals", async () => {
  const cluster = await startCluster(2, [], { spread: false });
  try {
    const room = uniqueRoom();
    const [u0, u1] = cluster.urls;
    const a = await joined(u0, room, "A");
    const b = await joined(u1, room, "B");
    await cluster.redis.stop("SIGKILL");
    await until("node 0 to notice", async () => (await (await fetch(`${u0}/healthz`)).json()).redis === "down", 8000 * slow);
    // Node 0 still serves its own rooms: a newcomer there meets a.
    const seen = once(a.socket, "peer-joined");
    const a2 = await joined(u0, room, "A2");
    assert.ok(a2.ack.peers.some((p) => p.peerId === a.ack.peerId));
    await seen;
    const got = once(a.socket, "signal");
    assert.deepEqual(await emitWithAck(a2.socket, "signal", { to: a.ack.peerId, type: "offer", payload: 1 }), { ok: true });
    await got;
    // Redis comes back empty; the nodes put their members back.
    await cluster.redis.restart();
    await until("both nodes to resync", async () => {
      for (const u of cluster.urls) if ((await (await fetch(`${u}/healthz`)).json()).redis !== "up") return false;
      return true;
    }, 10000 * slow);
    // Node 1 learns of a2 (joined while Redis was away), and signals flow again across nodes.
    await until("b to see a2", async () => {
      const r = await emitWithAck(b.socket, "signal", { to: a2.ack.peerId, type: "offer", payload: 2 });
      return r.ok;
    }, 5000 * slow);
    const c = await joined(u1, room, "C");
    assert.deepEqual(c.ack.peers.map((p) => p.displayName).sort(), ["A", "A2", "B"]);
    close(a.socket, a2.socket, b.socket, c.socket);
  } finally {
    await cluster.stop().catch(() => {});
  }
});

test("--workers 2 share one port and one room", async () => {
  const cluster = await startCluster(1, ["--workers", "2"], { spread: false });
  try {
    const room = uniqueRoom();
    const url = cluster.urls[0];
    // The harness returns once the first worker listens. Wait until both
    // listen and know each other (each reports two nodes alive): before
    // that, a request for one worker's session that the kernel hands the
    // other cannot be passed on yet. Fresh connections, so the kernel
    // picks a worker each time.
    const seen = new Set();
    await until("both workers to know each other", async () => {
      const h = await new Promise((res, rej) => {
        get(`${url}/healthz`, { agent: false }, (r) => {
          let body = "";
          r.on("data", (d) => (body += d));
          r.on("end", () => res(JSON.parse(body)));
        }).on("error", rej);
      });
      if (h.nodes === 2) seen.add(h.node);
      return seen.size === 2;
    }, 10000 * slow);
    const members = [];
    for (let i = 0; i < 8; i++) members.push(await joined(url, room, `m${i}`));
    assert.equal(members.at(-1).ack.peers.length, 7);
    // Polling sessions too: their requests land on either process.
    const p = await joined(url, room, "poller", { transports: ["polling"] });
    const got = once(p.socket, "signal");
    assert.deepEqual(await emitWithAck(members[0].socket, "signal", { to: p.ack.peerId, type: "offer", payload: 1 }), { ok: true });
    await got;
    // Both processes took connections: two node tags among the sids.
    const nodes = new Set(members.map((m) => m.socket.io.engine.id.slice(0, 8)));
    assert.equal(nodes.size, 2, "every connection went to one process");
    close(p.socket, ...members.map((m) => m.socket));
  } finally {
    await cluster.stop();
  }
});
