// Runs every benchmark scenario against festival-chat-server and the
// Node.js + socket.io reference (bench/reference), one after the other on
// this machine, and writes bench/results/<date>.json. Each server runs
// pinned to core 0 and fc-loadgen to core 1; each scenario gets a freshly
// started server. Figures are reported, never asserted: the only checks
// are that the harness works and that our server loses nothing.
//
//   node bench/run.mjs --quick | --full  [--out DIR] [--only a,b] [--no-report]
import { spawn, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { cpus, totalmem, release, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { cli, emptyWebRoot, LISTENING, scenarioRunner, serverArgs as benchServerArgs, startProcess } from "./harness.mjs";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const bin = {
  ours: join(repo, "build/server/festival-chat-server"),
  node: join(repo, "bench/reference/server.mjs"),
  loadgen: join(repo, "build/bench/loadgen/fc-loadgen"),
};
const SERVER_CPU = 0;
const GENERATOR_CPU = 1;

// ------------------------------------------------------------ options

const { flag, value, wanted } = cli();
const mode = flag("--full") ? "full" : "quick";
const outDir = resolve(value("--out", join(repo, "bench/results")));
const full = mode === "full";

// Sizes per mode: quick is a smoke run (well under 3 minutes).
const P = full
  ? {
      relayClients: 400, window: 8, seconds: 5, warmup: 1,
      latencyFractions: [0.1, 0.25, 0.5, 0.75, 0.9, 1.1, 1.5, 2, 3], latencySeconds: 3, equalLoadRuns: 5,
      idle: idleSizes(machine().fd_hard_limit), hold: 10,
      joinStorm: 10000, reloadClients: 2000, reloadRounds: 10,
      pollingClients: 400, pollingShare: 100,
      callgrind: { clients: 40, small: 100, large: 600 },
      browser: true,
    }
  : {
      relayClients: 200, window: 8, seconds: 2, warmup: 0.5,
      latencyFractions: [0.25, 0.5], latencySeconds: 1.5, equalLoadRuns: 1,
      idle: [1000], hold: 2,
      joinStorm: 2000, reloadClients: 400, reloadRounds: 4,
      pollingClients: 100, pollingShare: 40,
      callgrind: { clients: 20, small: 20, large: 60 },
      browser: false,
    };

// ------------------------------------------------------------ processes

const log = (...a) => console.error("[bench]", ...a);

// One empty web root serves every server of the run; ports are the kernel's pick.
const webRoot = emptyWebRoot("fc-bench-web-");
const serverArgs = (extra = []) => benchServerArgs(webRoot, 0, extra);

// A process started on its way to printing where it listens: `port` is that.
function startListening(cmd, args, opts) {
  const s = startProcess(cmd, args, { readyOn: LISTENING, ...opts });
  return { ...s, port: s.ready.then((m) => Number(m[1])) };
}

// A server of `kind` ("ours" | "node" | "sink"), pinned to SERVER_CPU.
async function startServer(kind, extra = []) {
  const cmd = {
    ours: ["taskset", ["-c", String(SERVER_CPU), bin.ours, ...serverArgs(extra)]],
    node: ["taskset", ["-c", String(SERVER_CPU), process.execPath, bin.node, ...serverArgs(extra)]],
    sink: ["taskset", ["-c", String(SERVER_CPU), bin.loadgen, "sink", "--server", "127.0.0.1:0"]],
  }[kind];
  const s = startListening(cmd[0], cmd[1], { env: { NODE_ENV: "production" } });
  const port = await s.port;
  return { ...s, port, pid: s.proc.pid, kind };
}

// Runs fc-loadgen; resolves its JSON. A failure to run is an error; what
// the run measured (failures included) is data.
function loadgen(scenario, server, opts, timeoutMs = 300000) {
  const args = [scenario, "--server", `127.0.0.1:${server.port}`, "--cpu", String(GENERATOR_CPU), "--server-pid", String(server.pid)];
  for (const [k, v] of Object.entries(opts)) args.push(`--${k}`, String(v));
  return new Promise((res, rej) => {
    const p = spawn(bin.loadgen, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => p.kill("SIGKILL"), timeoutMs);
    p.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) return rej(new Error(`fc-loadgen ${scenario} exited ${code ?? signal}: ${err.slice(-2000)}`));
      try {
        res(JSON.parse(out));
      } catch {
        rej(new Error(`fc-loadgen ${scenario}: no JSON: ${out.slice(0, 500)} ${err.slice(-500)}`));
      }
    });
  });
}

// A fresh server for one measurement.
async function withServer(kind, fn, extra = []) {
  const server = await startServer(kind, extra);
  try {
    return await fn(server);
  } finally {
    await server.stop();
  }
}

// ------------------------------------------------------------ scenarios

const results = {
  date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
  mode,
  machine: machine(),
  versions: versions(),
  pinning: { server_cpu: SERVER_CPU, generator_cpu: GENERATOR_CPU },
  settings: {
    server_flags: "--event-burst 0 --connection-burst 0 --ping-interval 5000 --ping-timeout 20000 --stun-urls none",
    node: "NODE_ENV=production, perMessageDeflate off, httpCompression off, bufferutil, socket.io rooms for broadcasts",
    clients: "fc-loadgen: WebSocket-only unless stated, no compression",
  },
  notes: [],
  scenarios: {},
};
const S = results.scenarios;
const errors = [];

const scenario = scenarioRunner({ wanted, log, errors });

const relayOpts = (extra = {}) => ({
  clients: P.relayClients, "room-size": 4, window: P.window, warmup: P.warmup, duration: P.seconds, ...extra,
});

await scenario("generator_ceiling", async () => {
  const r = await withServer("sink", (s) => loadgen("relay", s, relayOpts()));
  S.generator_ceiling = r;
});

await scenario("relay", async () => {
  S.relay = {};
  for (const kind of ["ours", "node"]) S.relay[kind] = await withServer(kind, (s) => loadgen("relay", s, relayOpts()));
});

await scenario("latency", async () => {
  // Offered loads as fractions of Node's saturation (measured above, or
  // here), so both curves cover the range where Node bends.
  const nodeSat = S.relay?.node?.relayed_per_s ?? (await withServer("node", (s) => loadgen("relay", s, relayOpts()))).relayed_per_s;
  const rates = P.latencyFractions.map((f) => Math.round((nodeSat * f) / 100) * 100);
  S.latency = { ours: [], node: [] };
  for (const kind of ["ours", "node"])
    for (const rate of rates) {
      const r = await withServer(kind, (s) =>
        loadgen("latency", s, { clients: P.relayClients, "room-size": 4, rate, warmup: P.warmup, duration: P.latencySeconds }),
      );
      S.latency[kind].push(r);
    }
  // Tails swing from run to run (Node's by an order of magnitude), so the
  // equal-load point is run several times, the servers taking turns, and
  // the run with the median p99 stands for each.
  const half = rates[P.latencyFractions.indexOf(0.5)];
  const runs = {
    ours: S.latency.ours.filter((r) => r.offered_per_s === half),
    node: S.latency.node.filter((r) => r.offered_per_s === half),
  };
  for (let i = 1; i < P.equalLoadRuns; i++)
    for (const kind of ["node", "ours"])
      runs[kind].push(
        await withServer(kind, (s) =>
          loadgen("latency", s, { clients: P.relayClients, "room-size": 4, rate: half, warmup: P.warmup, duration: P.latencySeconds }),
        ),
      );
  const median = (list) => {
    const ok = list.filter((r) => Number.isFinite(r?.latency?.p99_us)).sort((a, b) => a.latency.p99_us - b.latency.p99_us);
    return ok.length ? ok[(ok.length - 1) >> 1] : list[0];
  };
  S.latency.equal_load = {
    offered_per_s: half,
    runs: runs.ours.length,
    ours: median(runs.ours),
    node: median(runs.node),
    ours_p99_us: runs.ours.map((r) => r?.latency?.p99_us ?? null),
    node_p99_us: runs.node.map((r) => r?.latency?.p99_us ?? null),
  };
});

await scenario("idle", async () => {
  S.idle = { ours: [], node: [] };
  for (const kind of ["ours", "node"])
    for (const clients of P.idle) {
      try {
        const r = await withServer(kind, (s) =>
          loadgen("idle", s, { clients, "room-size": 4, hold: P.hold, sources: 8, "connect-concurrency": 500 }, 600000),
        );
        S.idle[kind].push(r);
      } catch (e) {
        S.idle[kind].push({ clients, error: e.message.slice(0, 300) });
      }
    }
});

await scenario("join_storm", async () => {
  S.join_storm = {};
  for (const kind of ["ours", "node"])
    S.join_storm[kind] = await withServer(kind, (s) =>
      loadgen("join-storm", s, { clients: P.joinStorm, "room-size": 4, sources: 8, "connect-concurrency": 1000 }),
    );
});

await scenario("reload_storm", async () => {
  S.reload_storm = {};
  for (const kind of ["ours", "node"])
    S.reload_storm[kind] = await withServer(kind, (s) =>
      loadgen("reload-storm", s, { clients: P.reloadClients, "room-size": 4, rounds: P.reloadRounds, sources: 4 }),
    );
});

await scenario("polling", async () => {
  S.polling = {};
  for (const kind of ["ours", "node"])
    S.polling[kind] = await withServer(kind, (s) =>
      loadgen("relay", s, relayOpts({ clients: P.pollingClients, polling: P.pollingShare })),
    );
});

await scenario("callgrind", async () => {
  // Instructions the server spends per relayed signal, from the difference
  // of two fixed workloads (the same start-up, connects and joins in both):
  // a figure that does not move with machine noise.
  const run = async (perClient) => {
    const dir = mkdtempSync(join(tmpdir(), "fc-callgrind-"));
    const out = join(dir, "callgrind.out");
    const s = startListening("taskset", ["-c", String(SERVER_CPU), "valgrind", "--tool=callgrind", `--callgrind-out-file=${out}`,
      bin.ours, ...serverArgs()], { timeoutMs: 120000 });
    const port = await s.port;
    try {
      const r = await loadgen("relay", { port, pid: s.proc.pid }, {
        clients: P.callgrind.clients, "room-size": 4, window: 4, "signals-per-client": perClient,
      });
      if (r.lost || r.failures) throw new Error(`callgrind workload lost ${r.lost} signals, ${r.failures} failures`);
      const { code } = await s.stop(120000);
      if (code !== 0) throw new Error(`server under callgrind exited ${code}: ${s.stderr().slice(-1000)}`);
      const text = readFileSync(out, "utf8");
      const m = /^(?:summary|totals):\s*(\d+)/m.exec(text);
      if (!m) throw new Error("no instruction total in the callgrind output");
      return { instructions: Number(m[1]), signals: r.received };
    } finally {
      await s.stop(120000);
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const small = await run(P.callgrind.small);
  const large = await run(P.callgrind.large);
  S.callgrind = {
    ours: {
      instructions_per_signal: Math.round((large.instructions - small.instructions) / (large.signals - small.signals)),
      clients: P.callgrind.clients,
      signals: large.signals - small.signals,
      total_instructions_small: small.instructions,
      total_instructions_large: large.instructions,
    },
  };
});

await scenario("browser", async () => {
  if (!P.browser) return;
  const out = execFileSync(join(repo, "bench/run-browser.sh"), { encoding: "utf8", timeout: 600000, env: { ...process.env, RUNS: "5" } });
  S.browser = JSON.parse(out.slice(out.indexOf("{")));
});

// ------------------------------------------------------------ ratios and targets

const ratio = (a, b) => (a > 0 && b > 0 ? Math.round((a / b) * 100) / 100 : null);
const perConn = (list, clients) => list?.find((r) => r.clients === clients && !r.error)?.server_rss_per_connection_bytes;
const commonIdle = [...P.idle].reverse().find((n) => perConn(S.idle?.ours, n) && perConn(S.idle?.node, n));
results.ratios = {
  relay_throughput: ratio(S.relay?.ours?.relayed_per_s, S.relay?.node?.relayed_per_s),
  p99_latency_at_equal_load: ratio(S.latency?.equal_load?.node?.latency?.p99_us, S.latency?.equal_load?.ours?.latency?.p99_us),
  memory_per_idle_connection: commonIdle ? ratio(perConn(S.idle.node, commonIdle), perConn(S.idle.ours, commonIdle)) : null,
  memory_compared_at_clients: commonIdle ?? null,
  join_storm_joins_per_s: ratio(S.join_storm?.ours?.joins_per_s, S.join_storm?.node?.joins_per_s),
  polling_throughput: ratio(S.polling?.ours?.relayed_per_s, S.polling?.node?.relayed_per_s),
};
const maxHeld = Math.max(0, ...(S.idle?.ours ?? []).filter((r) => !r.error && r.failures === 0).map((r) => r.still_connected));
const clean = (r) => r && r.failures === 0 && r.missing === 0 && r.duplicated === 0 && r.unexpected === 0;
const cleanReload = (r) => r && r.failures === 0 && r.lost === 0 && r.duplicated === 0 && r.unexpected === 0 && r.out_of_order === 0 && r.ack_peers_mismatch === 0 && r.reload_failures === 0;
const R = results.ratios;
const atLeast = (v, goal) => (v == null ? null : v >= goal);
const problems = (r, keys) => (r ? keys.reduce((n, k) => n + (r[k] ?? 0), 0) : null);
results.targets = [
  { name: "relay throughput >= 10x Node", ratio: "relay_throughput", value: R.relay_throughput, goal: 10, met: atLeast(R.relay_throughput, 10) },
  { name: "p99 latency at equal load <= 1/5 of Node's", ratio: "p99_latency_at_equal_load", value: R.p99_latency_at_equal_load, goal: 5, met: atLeast(R.p99_latency_at_equal_load, 5) },
  { name: "memory per idle connection <= 1/5 of Node's", ratio: "memory_per_idle_connection", value: R.memory_per_idle_connection, goal: 5, met: atLeast(R.memory_per_idle_connection, 5) },
  { name: "idle WebSocket clients held by ours with zero errors", ratio: null, value: S.idle ? maxHeld : null, goal: 100000, met: S.idle ? maxHeld >= 100000 : null },
  { name: "join storm (ours): failed, missing, duplicated or unexpected events", ratio: null,
    value: problems(S.join_storm?.ours, ["failures", "missing", "duplicated", "unexpected"]), goal: 0, met: S.join_storm?.ours ? clean(S.join_storm.ours) : null },
  { name: "reload storm (ours): lost, duplicated, unexpected or out-of-order events", ratio: null,
    value: problems(S.reload_storm?.ours, ["failures", "lost", "duplicated", "unexpected", "out_of_order", "ack_peers_mismatch", "reload_failures"]),
    goal: 0, met: S.reload_storm?.ours ? cleanReload(S.reload_storm.ours) : null },
];
if (results.machine.fd_hard_limit && results.machine.fd_hard_limit < 100000)
  results.notes.push(
    `This machine's hard limit on open files is ${results.machine.fd_hard_limit} per process (and cannot be raised here), ` +
      "so one server process holds at most that many connections: the idle test stops below it.",
  );
const gc = S.generator_ceiling;
if (gc && S.relay?.ours && S.relay.ours.relayed_per_s > 0.85 * gc.relayed_per_s)
  results.notes.push(
    `Relay throughput of ours (${Math.round(S.relay.ours.relayed_per_s)}/s) is within 15% of the generator's own ceiling ` +
      `against a no-op sink (${Math.round(gc.relayed_per_s)}/s): the generator, on one core, is the bottleneck, so the ratio is a lower bound.`,
  );
if (errors.length) results.errors = errors;

// ------------------------------------------------------------ output

mkdirSync(outDir, { recursive: true });
const file = join(outDir, `${results.date.slice(0, 10)}${mode === "quick" ? "-quick" : ""}.json`);
writeFileSync(file, JSON.stringify(results, null, 2) + "\n");
log(`wrote ${file}`);
if (!flag("--no-report")) {
  const reportOut = value("--report-dir", repo);
  execFileSync(process.execPath, [join(repo, "bench/report.mjs"), file, "--out-dir", reportOut], { stdio: "inherit" });
}
console.log(JSON.stringify({ results: file, ratios: results.ratios, targets: results.targets.map((t) => `${t.met == null ? "not measured" : t.met ? "met" : "missed"}: ${t.name} (${t.value})`) }, null, 2));

// The harness must work, and our server must lose nothing; timings are
// never judged here.
const broken = [...errors];
for (const [name, r] of [["join_storm", S.join_storm?.ours]]) if (r && !clean(r)) broken.push(`${name}: ours lost or duplicated events`);
if (S.reload_storm?.ours && !cleanReload(S.reload_storm.ours)) broken.push("reload_storm: ours lost or duplicated events");
for (const [name, r] of [["relay", S.relay?.ours], ["polling", S.polling?.ours]])
  if (r && (r.failures || r.lost || !(r.relayed_per_s > 0))) broken.push(`${name}: ours had failures or lost signals`);
if (broken.length) {
  log("FAILED:\n  " + broken.join("\n  "));
  process.exit(1);
}

// ------------------------------------------------------------ facts

// Idle sizes for the full run: 1k, 10k and 100k, or as close to 100k as
// one process's open-file limit allows (each side holds one socket per
// client, plus a margin for everything else a process opens).
function idleSizes(fdLimit) {
  const most = fdLimit ? Math.floor((fdLimit - 1000) / 1000) * 1000 : 100000;
  return [...new Set([1000, 10000, Math.min(100000, most)])].filter((n) => n > 0).sort((a, b) => a - b);
}

function machine() {
  let fd = null;
  try {
    fd = Number(execFileSync("bash", ["-c", "ulimit -Hn"], { encoding: "utf8" }).trim());
  } catch {}
  return {
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model ?? "unknown",
    mem_gib: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    fd_hard_limit: fd,
  };
}

function versions() {
  const run = (cmd, args) => {
    try {
      return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim().split("\n")[0];
    } catch {
      return null;
    }
  };
  let sio = null;
  try {
    sio = JSON.parse(readFileSync(join(repo, "bench/reference/node_modules/socket.io/package.json"), "utf8")).version;
  } catch {}
  return {
    server: `${run(bin.ours, ["--version"]) ?? "?"} (${run("git", ["-C", repo, "rev-parse", "--short", "HEAD"]) ?? "?"})`,
    node: process.version,
    socket_io: sio,
    compiler: run("c++", ["--version"]),
    boost: "1.81",
  };
}
