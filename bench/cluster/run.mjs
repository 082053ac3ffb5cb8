// Cluster benchmarks: festival-chat-server nodes sharing rooms through
// Redis against the Node.js reference (bench/reference, socket.io 4.8 +
// @socket.io/redis-adapter) with the same number of nodes, on this machine,
// in the same run; every cluster gets its own fresh redis-server. Figures
// are reported as ratios, never asserted: the run fails only if the harness
// breaks or our server loses, duplicates or refuses something.
//
//   node bench/cluster/run.mjs --quick | --full  [--build DIR] [--out DIR]
//        [--only cross_relay,join_storm,idle,grid,failover] [--merge FILE] [--write]
// --merge FILE (with --only): the scenarios not run now are taken from an
// earlier results file, said so in the report, so one scenario can be
// measured again without the others.
//
// --write puts the figures in docs/benchmarks.md between
// <!-- cluster:begin --> and <!-- cluster:end --> (bench/report.mjs keeps
// that section when it rewrites the page).
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { createRequire } from "node:module";
import { cpus, totalmem, release } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { cli, emptyWebRoot, LISTENING, scenarioRunner, serverArgs, startProcess } from "../harness.mjs";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const { argv, flag, value, wanted } = cli();
const full = flag("--full");
const mode = full ? "full" : "quick";
const buildDir = resolve(repo, value("--build", "build"));
const bin = {
  ours: join(buildDir, "server/festival-chat-server"),
  node: join(repo, "bench/reference/server.mjs"),
  loadgen: join(buildDir, "bench/loadgen/fc-loadgen"),
  redis: value("--redis-server", "/usr/bin/redis-server"),
};
const outDir = resolve(value("--out", full ? join(repo, "bench/results") : join(repo, "build/bench-cluster-smoke")));
const SERVER_CPU = "0";
const GENERATOR_CPU = 1;
const log = (...a) => console.error("[cluster]", ...a);

const P = full
  ? {
      relay: { clients: 400, window: 8, warmup: 2, duration: 5 }, equalLoadFraction: 0.25, latencyRuns: 3, latencySeconds: 3,
      joinStorm: { clients: 2000, roomSize: 10, settle: 10 },
      idle: { common: 20000, commonNodes: 2, big: 100000, bigNodes: 6, hold: 10 },
      grid: { clients: [100, 1000, 10000], window: [1, 4, 16], payload: [64, 1024, 16384], warmup: 0.5, duration: 2 },
      workersCells: "corners+middle",
      failover: { movers: 1000, grace: 10000 },
    }
  : {
      relay: { clients: 200, window: 8, warmup: 0.5, duration: 1 }, equalLoadFraction: 0.25, latencyRuns: 1, latencySeconds: 1,
      joinStorm: { clients: 400, roomSize: 10, settle: 2 },
      idle: { common: 1000, commonNodes: 2, big: 0, bigNodes: 0, hold: 1 },
      grid: { clients: [100], window: [4], payload: [1024], warmup: 0.3, duration: 1 },
      workersCells: "all",
      failover: { movers: 200, grace: 2500 },
    };

// ------------------------------------------------------------ processes

const webRoot = emptyWebRoot("fc-cluster-web-");
const live = new Set(); // fc-loadgen processes, killed if the runner exits first
process.on("exit", () => {
  for (const p of live) try { p.kill("SIGKILL"); } catch {}
});

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.on("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

async function startRedis() {
  const port = await freePort();
  const r = startProcess("taskset", ["-c", SERVER_CPU, bin.redis, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { readyOn: /Ready to accept/ });
  await r.ready;
  return { ...r, port, url: `redis://127.0.0.1:${port}` };
}

// One node of `kind` on `redisUrl` (or none): "ours", "node" (the reference)
// or "sink" (fc-loadgen's no-op relay, the floor under any relay's CPU per
// signal; never on Redis).
async function startNode(kind, redisUrl, { extra = [], cpu = SERVER_CPU } = {}) {
  const port = await freePort();
  const args = serverArgs(webRoot, port, [...(redisUrl ? ["--redis", redisUrl] : []), ...extra]);
  const cmd = { ours: [bin.ours, ...args], node: [process.execPath, bin.node, ...args],
    sink: [bin.loadgen, "sink", "--server", `127.0.0.1:${port}`] }[kind];
  const s = startProcess("taskset", ["-c", cpu, ...cmd], { readyOn: LISTENING, env: { NODE_ENV: "production" } });
  await s.ready;
  return { ...s, port, kind };
}

// `n` nodes of `kind` on a fresh Redis.
async function startCluster(kind, n, opts = {}) {
  const redis = await startRedis();
  const nodes = [];
  try {
    for (let i = 0; i < n; i++) nodes.push(await startNode(kind, redis.url, opts));
  } catch (e) {
    for (const s of nodes) await s.stop();
    await redis.stop();
    throw e;
  }
  return {
    kind, redis, nodes,
    serverPids: () => nodes.flatMap((s) => tree(s.pid)).filter((p) => !isTaskset(p)),
    async stop() {
      for (const s of nodes) await s.stop();
      await redis.stop();
    },
  };
}

// ------------------------------------------------------------ /proc

const CLK = 100;
function tree(pid) {
  const out = [pid];
  try {
    for (const t of readdirSync(`/proc/${pid}/task`))
      for (const c of readFileSync(`/proc/${pid}/task/${t}/children`, "utf8").trim().split(/\s+/).filter(Boolean))
        out.push(...tree(Number(c)));
  } catch {}
  return out;
}
function isTaskset(pid) {
  try { return readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "taskset"; } catch { return true; }
}
function sample(pids) {
  let cpu = 0, rss = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      cpu += (Number(f[11]) + Number(f[12])) / CLK;
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (m) rss += Number(m[1]) * 1024;
    } catch {}
  }
  return { cpu, rss, t: performance.now() / 1000 };
}

// ------------------------------------------------------------ fc-loadgen

function loadgen(scenario, ports, opts, { cpu = GENERATOR_CPU, timeoutMs = 600000 } = {}) {
  const args = [scenario, "--server", `127.0.0.1:${ports[0]}`];
  if (ports[1]) args.push("--server2", `127.0.0.1:${ports[1]}`);
  if (cpu != null) args.push("--cpu", String(cpu));
  for (const [k, v] of Object.entries(opts)) args.push(`--${k}`, String(v));
  return new Promise((res, rej) => {
    const p = spawn(bin.loadgen, args, { stdio: ["ignore", "pipe", "pipe"] });
    live.add(p);
    let out = "", err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    const t = setTimeout(() => p.kill("SIGKILL"), timeoutMs);
    p.on("exit", (code, signal) => {
      live.delete(p);
      clearTimeout(t);
      if (code !== 0) return rej(new Error(`fc-loadgen ${scenario} exited ${code ?? signal}: ${err.slice(-1500)}`));
      try { res(JSON.parse(out)); } catch { rej(new Error(`fc-loadgen ${scenario}: no JSON: ${out.slice(0, 300)}`)); }
    });
  });
}

// Runs `fn` while sampling the cluster's CPU (servers and Redis apart).
async function measured(cluster, fn) {
  const s0 = sample(cluster.serverPids()), r0 = sample([cluster.redis.pid]);
  const r = await fn();
  const s1 = sample(cluster.serverPids()), r1 = sample([cluster.redis.pid]);
  const dt = s1.t - s0.t;
  r.cluster_servers_cpu = (s1.cpu - s0.cpu) / dt;
  r.redis_cpu = (r1.cpu - r0.cpu) / dt;
  r.cluster_servers_rss_bytes = s1.rss;
  return r;
}

// ------------------------------------------------------------ scenarios

const results = {
  date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
  mode,
  machine: machine(),
  versions: versions(),
  settings: {
    server_flags: "--event-burst 0 --connection-burst 0 --ping-interval 5000 --ping-timeout 20000 --stun-urls none",
    pinning: `servers and redis-server on CPU ${SERVER_CPU}, fc-loadgen on CPU ${GENERATOR_CPU} unless stated`,
  },
  scenarios: {},
  notes: [],
};
const S = results.scenarios;
const mergeFrom = value("--merge", "");
if (mergeFrom) {
  const before = JSON.parse(readFileSync(resolve(mergeFrom), "utf8"));
  const kept = Object.keys(before.scenarios ?? {}).filter((k) => !wanted(k));
  for (const k of kept) S[k] = before.scenarios[k];
  // Where each kept scenario was measured (an earlier merge says so already).
  const origins = Object.fromEntries(kept.map((k) => [k, before.merged?.origins?.[k] ?? { file: mergeFrom.replace(repo + "/", ""), date: before.date, server: before.versions?.server }]));
  results.merged = { file: mergeFrom.replace(repo + "/", ""), date: before.date, server: before.versions?.server, scenarios: kept, origins };
  // Notes keep the run they were written for (an older one's say so already).
  for (const note of before.notes ?? [])
    results.notes.push(/^\(\d{4}-[^)]* run\) /.test(note) ? note : `(${before.date.slice(0, 16).replace("T", " ")} run) ${note}`);
}
const errors = [];
const broken = [];

const scenario = scenarioRunner({ wanted, log, errors, detail: (e) => e.stack });

async function withCluster(kind, n, fn, opts) {
  const c = await startCluster(kind, n, opts);
  try {
    return await fn(c);
  } finally {
    await c.stop();
  }
}
const ports = (c) => c.nodes.map((s) => s.port);

// 2. Cross-node relay: rooms of 4 with members alternating between node A
// and node B, each signalling the next member, so every signal crosses.
await scenario("cross_relay", async () => {
  const R = P.relay;
  S.cross_relay = { saturation: {}, equal_load: { ours: [], node: [] } };
  for (const kind of ["node", "ours"])
    S.cross_relay.saturation[kind] = await withCluster(kind, 2, (c) =>
      measured(c, () => loadgen("relay", ports(c), { clients: R.clients, "room-size": 4, window: R.window, warmup: R.warmup, duration: R.duration, "server-pid": c.nodes[0].pid })));
  const nodeSat = S.cross_relay.saturation.node.relayed_per_s;
  const rate = Math.max(1000, Math.round((nodeSat * P.equalLoadFraction) / 1000) * 1000);
  S.cross_relay.equal_load.offered_per_s = rate;
  for (let i = 0; i < P.latencyRuns; i++)
    for (const kind of ["node", "ours"])
      S.cross_relay.equal_load[kind].push(await withCluster(kind, 2, (c) =>
        measured(c, () => loadgen("latency", ports(c), { clients: R.clients, "room-size": 4, rate, warmup: R.warmup, duration: P.latencySeconds, "server-pid": c.nodes[0].pid }))));
  const o = S.cross_relay.saturation.ours;
  if (o.failures || o.lost || !(o.relayed_per_s > 0)) broken.push("cross_relay: ours had failures or lost signals");
});

// 3. Join storm over two nodes.
await scenario("join_storm", async () => {
  const J = P.joinStorm;
  S.join_storm = {};
  for (const kind of ["node", "ours"])
    S.join_storm[kind] = await withCluster(kind, 2, (c) =>
      measured(c, () => loadgen("join-storm", ports(c), { clients: J.clients, "room-size": J.roomSize, sources: 8, "connect-concurrency": 1000, settle: J.settle })));
  const o = S.join_storm.ours;
  if (o.failures || o.missing || o.duplicated || o.unexpected) broken.push("join_storm: ours failed, lost or duplicated");
});

// 4. Idle joined clients held by a cluster: `total` clients over `n` nodes,
// one fc-loadgen per node (each connects its rooms' members alternately to
// its node and the next), the servers' RSS summed while held.
async function idleRun(kind, n, total, hold) {
  return withCluster(kind, n, async (c) => {
    const pids = c.serverPids();
    const before = sample(pids);
    const redisBefore = sample([c.redis.pid]).rss;
    let peak = before.rss;
    const timer = setInterval(() => { peak = Math.max(peak, sample(pids).rss); }, 250);
    const per = Math.ceil(total / n / 4) * 4;
    const t0 = performance.now();
    let runs;
    try {
      runs = await Promise.all(c.nodes.map((_, i) =>
        loadgen("idle", [c.nodes[i].port, c.nodes[(i + 1) % n].port], { clients: per, "room-size": 4, hold, sources: 4, "connect-concurrency": 500 }, { cpu: null })));
    } finally {
      clearInterval(timer);
    }
    const held = runs.reduce((a, r) => a + r.still_connected, 0);
    const failures = runs.reduce((a, r) => a + r.failures, 0);
    const redisRss = sample([c.redis.pid]).rss;
    return {
      nodes: n, clients: per * n, still_connected: held, failures,
      failure_reasons: runs.map((r) => r.failure_reasons),
      connect_and_join_s_max: Math.max(...runs.map((r) => r.connect_and_join_s)),
      wall_s: (performance.now() - t0) / 1000,
      servers_rss_before_bytes: before.rss, servers_rss_peak_bytes: peak,
      rss_per_connection_bytes: held ? (peak - before.rss) / held : null,
      rss_total_per_connection_bytes: held ? peak / held : null,
      redis_rss_before_bytes: redisBefore, redis_rss_held_bytes: redisRss,
    };
  });
}
await scenario("idle", async () => {
  const I = P.idle;
  S.idle = {};
  for (const kind of ["node", "ours"]) S.idle[kind] = await idleRun(kind, I.commonNodes, I.common, I.hold);
  if (I.big) {
    try {
      S.idle.ours_big = await idleRun("ours", I.bigNodes, I.big, I.hold);
    } catch (e) {
      S.idle.ours_big = { error: e.message.slice(0, 500) };
    }
  }
  if (S.idle.ours.failures) broken.push("idle: ours dropped or refused clients");
});

// 5. Relay grid on one node: ours vs the single-process reference, and ours
// with --workers 2 (on one Redis).
await scenario("grid", async () => {
  const G = P.grid;
  const cells = [];
  for (const clients of G.clients) for (const window of G.window) for (const payload of G.payload) cells.push({ clients, window, payload });
  const ends = (list, v) => v === list[0] || v === list[list.length - 1];
  const mid = (list, v) => v === list[list.length >> 1];
  const workersCell = (c) => G.clients.length === 1 || P.workersCells === "all" ||
    (ends(G.clients, c.clients) && ends(G.window, c.window) && ends(G.payload, c.payload)) ||
    (mid(G.clients, c.clients) && mid(G.window, c.window) && mid(G.payload, c.payload));
  S.grid = { cells: [] };
  for (const cell of cells) {
    const opts = { clients: cell.clients, "room-size": 4, window: cell.window, "payload-bytes": cell.payload, warmup: G.warmup, duration: G.duration, sources: cell.clients > 5000 ? 4 : 1, "connect-concurrency": 1000 };
    const row = { ...cell };
    // The sink is measured in each cell too: its CPU per signal is the floor.
    for (const kind of ["ours", "node", "sink"]) {
      try {
        const s = await startNode(kind, null);
        try {
          row[kind] = await loadgen("relay", [s.port], { ...opts, "server-pid": s.pid }, { timeoutMs: 180000 });
        } finally {
          await s.stop();
        }
      } catch (e) {
        row[kind] = { error: e.message.slice(0, 300) };
      }
    }
    if (workersCell(cell)) {
      // Two processes on one port: they take both cores, the generator shares one.
      try {
        row.ours_workers2 = await withCluster("ours", 1, (c) =>
          measured(c, () => loadgen("relay", ports(c), opts, { timeoutMs: 180000 })), { extra: ["--workers", "2"], cpu: "0,1" });
      } catch (e) {
        row.ours_workers2 = { error: e.message.slice(0, 300) };
      }
    }
    log(`grid ${cell.clients}/${cell.window}/${cell.payload}: ours ${Math.round(row.ours?.relayed_per_s ?? 0)}/s node ${Math.round(row.node?.relayed_per_s ?? 0)}/s sink ${Math.round(row.sink?.relayed_per_s ?? 0)}/s workers2 ${Math.round(row.ours_workers2?.relayed_per_s ?? 0)}/s`);
    S.grid.cells.push(row);
    if (row.ours?.error || row.ours?.failures || row.ours?.lost) broken.push(`grid ${cell.clients}/${cell.window}/${cell.payload}: ours failed or lost signals`);
  }
});

// 6. Failover: movers on node A, observers on node B in the same rooms;
// kill -9 A; each mover reconnects to B and joins again with its clientId.
await scenario("failover", async () => {
  const require = createRequire(join(repo, "tests/package.json"));
  const { io } = require("socket.io-client");
  const F = P.failover;
  const perRoom = 4;
  const roomsN = Math.ceil(F.movers / perRoom);
  const c = await startCluster("ours", 2, { extra: ["--node-grace", String(F.grace)] });
  const sockets = [];
  try {
    const [A, B] = c.nodes;
    const connect = (port) => {
      const s = io(`http://127.0.0.1:${port}`, { transports: ["websocket"], forceNew: true, reconnection: false, timeout: 20000 });
      sockets.push(s);
      return s;
    };
    const connected = (s) => new Promise((res, rej) => { s.once("connect", res); s.once("connect_error", rej); });
    const tag = `fo${process.pid}`;
    // observers first: one per room on B, recording every room event
    const observers = [];
    for (let r = 0; r < roomsN; r++) {
      const s = connect(B.port);
      const ob = { s, events: [] };
      s.on("peer-joined", (e) => ob.events.push({ t: performance.now(), ev: "joined", ...e }));
      s.on("peer-left", (e) => ob.events.push({ t: performance.now(), ev: "left", ...e }));
      observers.push(ob);
    }
    await Promise.all(observers.map((o) => connected(o.s)));
    await Promise.all(observers.map((o, r) => o.s.timeout(20000).emitWithAck("join-room", { roomId: `${tag}-${r}`, clientId: `${tag}obs${r}`, displayName: "observer" })));
    const movers = [];
    for (let i = 0; i < F.movers; i++) movers.push({ i, room: Math.floor(i / perRoom), clientId: `${tag}mv${i}`, s: connect(A.port) });
    for (let k = 0; k < movers.length; k += 200) await Promise.all(movers.slice(k, k + 200).map((m) => connected(m.s)));
    for (let k = 0; k < movers.length; k += 200)
      await Promise.all(movers.slice(k, k + 200).map(async (m) => {
        const ack = await m.s.timeout(20000).emitWithAck("join-room", { roomId: `${tag}-${m.room}`, clientId: m.clientId, displayName: "mover" });
        if (!ack?.ok) throw new Error(`mover join refused: ${JSON.stringify(ack)}`);
        m.oldPeer = ack.peerId;
      }));
    await new Promise((r) => setTimeout(r, 500));
    for (const o of observers) o.events.length = 0;
    // the web app: on disconnect, connect again (here: to B) and join again
    let rejoined = 0, refused = 0, t0 = 0, last = 0;
    const allBack = new Promise((resolveAll) => {
      for (const m of movers)
        m.s.on("disconnect", () => {
          m.lostAt = performance.now();
          const s = connect(B.port);
          s.on("connect", async () => {
            try {
              const ack = await s.timeout(20000).emitWithAck("join-room", { roomId: `${tag}-${m.room}`, clientId: m.clientId, displayName: "mover" });
              if (!ack?.ok) { refused++; return; }
              m.newPeer = ack.peerId;
              last = performance.now();
              if (++rejoined === movers.length) resolveAll();
            } catch { refused++; }
          });
        });
    });
    t0 = performance.now();
    A.proc.kill("SIGKILL");
    const timeout = new Promise((r) => setTimeout(r, 30000));
    await Promise.race([allBack, timeout]);
    // Past the grace: a seat not taken over would now be reaped (disconnected).
    await new Promise((r) => setTimeout(r, F.grace + 2000));
    let lost = 0, duplicated = 0, disconnected = 0, unexpected = 0;
    for (let r = 0; r < roomsN; r++) {
      const ev = observers[r].events;
      for (const m of movers.filter((x) => x.room === r)) {
        const lefts = ev.filter((e) => e.ev === "left" && e.peerId === m.oldPeer);
        const joins = ev.filter((e) => e.ev === "joined" && e.peerId === m.newPeer);
        if (lefts.length === 0) lost++;
        if (lefts.length > 1) duplicated += lefts.length - 1;
        disconnected += lefts.filter((e) => e.reason !== "replaced").length;
        if (m.newPeer && joins.length === 0) lost++;
        if (joins.length > 1) duplicated += joins.length - 1;
      }
      const known = new Set(movers.filter((x) => x.room === r).flatMap((m) => [m.oldPeer, m.newPeer]));
      unexpected += ev.filter((e) => !known.has(e.peerId)).length;
      const seen = new Set();
      for (const e of ev.filter((x) => x.ev === "joined")) {
        if (seen.has(e.peerId)) duplicated++;
        seen.add(e.peerId);
      }
    }
    S.failover = {
      movers: movers.length, observers: observers.length, rooms: roomsN, node_grace_ms: F.grace,
      rejoined, refused,
      all_rejoined_after_kill_ms: rejoined === movers.length ? last - t0 : null,
      lost_events: lost, duplicated_events: duplicated, peer_left_not_replaced: disconnected, unexpected_events: unexpected,
      generator: "Node.js socket.io-client 4.8 in the runner's process",
    };
    if (rejoined !== movers.length || lost || duplicated || disconnected || unexpected) broken.push("failover: not every mover rejoined, or events lost/duplicated/not 'replaced'");
  } finally {
    for (const s of sockets) s.disconnect();
    await c.stop();
  }
});

// ------------------------------------------------------------ ratios

const ratio = (a, b) => (a > 0 && b > 0 ? Math.round((a / b) * 100) / 100 : null);
const medianBy = (list, f) => {
  const ok = (list ?? []).filter((r) => Number.isFinite(f(r))).sort((a, b) => f(a) - f(b));
  return ok.length ? ok[(ok.length - 1) >> 1] : undefined;
};
const p99 = (r) => r?.latency?.p99_us;
const eq = S.cross_relay?.equal_load;
results.ratios = {
  cross_relay_throughput: ratio(S.cross_relay?.saturation?.ours?.relayed_per_s, S.cross_relay?.saturation?.node?.relayed_per_s),
  cross_relay_p99_at_equal_load: ratio(p99(medianBy(eq?.node, p99)), p99(medianBy(eq?.ours, p99))),
  join_storm_joins_per_s: ratio(S.join_storm?.ours?.joins_per_s, S.join_storm?.node?.joins_per_s),
  join_storm_p99_join_latency: ratio(S.join_storm?.node?.join_latency?.p99_us, S.join_storm?.ours?.join_latency?.p99_us),
  idle_memory_per_connection: ratio(S.idle?.node?.rss_per_connection_bytes, S.idle?.ours?.rss_per_connection_bytes),
};
if (errors.length) results.errors = errors;
if (broken.length) results.broken = broken;

mkdirSync(outDir, { recursive: true });
// A second run the same day (a --merge, say) keeps the first one's file.
let file = join(outDir, `cluster-${results.date.slice(0, 10)}${full ? "" : "-quick"}.json`);
if (existsSync(file)) file = file.replace(/\.json$/, `-${results.date.slice(11, 19).replace(/:/g, "")}.json`);
writeFileSync(file, JSON.stringify(results, null, 2) + "\n");
log(`wrote ${file}`);
if (flag("--write")) {
  const md = join(repo, "docs/benchmarks.md");
  const section = (await import("./report.mjs")).clusterSection(results, { file: file.replace(repo + "/", ""), argv });
  const old = readFileSync(md, "utf8");
  const b = "<!-- cluster:begin -->", e = "<!-- cluster:end -->";
  const i = old.indexOf(b), j = old.indexOf(e);
  let next;
  if (i >= 0 && j > i) next = old.slice(0, i) + section + old.slice(j + e.length);
  else {
    const f = old.indexOf("<!-- field:end -->");
    const at = f >= 0 ? f + "<!-- field:end -->".length : old.length;
    next = `${old.slice(0, at)}\n\n${section}${old.slice(at)}`;
  }
  writeFileSync(md, next);
  log(`wrote ${md}`);
}
console.log(JSON.stringify({ results: file, ratios: results.ratios, errors, broken }, null, 2));
if (errors.length || broken.length) process.exit(1);

// ------------------------------------------------------------ facts

function machine() {
  const sh = (c) => { try { return execFileSync("bash", ["-c", c], { encoding: "utf8" }).trim(); } catch { return null; } };
  return {
    cpus: cpus().length, cpu_model: cpus()[0]?.model ?? "unknown",
    mem_gib: Math.round((totalmem() / 2 ** 30) * 10) / 10, kernel: release(),
    fd_soft_limit: Number(sh("ulimit -n")), fd_hard_limit: Number(sh("ulimit -Hn")),
    ephemeral_ports: sh("cat /proc/sys/net/ipv4/ip_local_port_range")?.replace(/\s+/, "-"),
  };
}

function versions() {
  const run = (cmd, args) => { try { return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim().split("\n")[0]; } catch { return null; } };
  const pkg = (p) => { try { return JSON.parse(readFileSync(join(repo, "bench/reference/node_modules", p, "package.json"), "utf8")).version; } catch { return null; } };
  const dirty = run("git", ["-C", repo, "status", "--porcelain", "--", "server"]) ? "+uncommitted server/ changes" : "";
  return {
    server: `${run(bin.ours, ["--version"]) ?? "?"} (${run("git", ["-C", repo, "rev-parse", "--short", "HEAD"]) ?? "?"}${dirty})`,
    node: process.version, socket_io: pkg("socket.io"), redis_adapter: pkg("@socket.io/redis-adapter"), node_redis: pkg("redis"),
    redis_server: run(bin.redis, ["--version"]),
  };
}
