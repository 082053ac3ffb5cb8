// Starts the real festival-chat-server on a free loopback port for a test,
// and the small helpers every protocol test uses. Every wait has a deadline.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { io } from "socket.io-client";
import WebSocket from "ws";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const serverBin = process.env.FC_SERVER_BIN
  ? resolve(repo, process.env.FC_SERVER_BIN)
  : join(repo, "build/server/festival-chat-server");
const sanitized = process.env.FC_SANITIZED === "1";
// ASan builds start and run slower: stretch the deadlines, not the logic.
export const slow = sanitized ? 4 : 1;

export function emptyWebRoot() {
  const dir = mkdtempSync(join(tmpdir(), "fc-web-"));
  writeFileSync(join(dir, "index.html"), "<!doctype html><title>t</title>");
  return dir;
}

// How many nodes a test server is: FC_NODES=3 runs every test that calls
// startServer() against a cluster of three nodes on one Redis instead of
// one process, with clients spread over the nodes (see startCluster).
export const clusterNodes = Number(process.env.FC_NODES ?? 1);

// `host`: the address to listen on and to reach the server at. Browser
// tests pass the LAN address of their network namespace (FC_LAN_HOST, set
// by tests/browser/run.sh), so pages are served as phones see them: plain
// http at a non-localhost address, not a secure context.
// `listen` (default: `host`) is the address bound, "0.0.0.0" for all.
export async function startServer(args = [], opts = {}) {
  if (clusterNodes > 1) return startCluster(clusterNodes, args, opts);
  return startNode(args, opts);
}

async function startNode(args = [], { webRoot, host = "127.0.0.1", listen = host } = {}) {
  const root = webRoot ?? emptyWebRoot();
  const proc = spawn(
    serverBin,
    ["--host", listen, "--port", "0", "--no-qr", "--web-root", root, ...args],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  proc.stdout.on("data", (d) => (stdout += d));
  proc.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise((res) => proc.on("exit", (code, signal) => res({ code, signal })));
  const port = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`server did not start:\n${stderr}`)), 10000 * slow);
    const check = () => {
      const m = /listening on http:\/\/[^:\s]+:(\d+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        res(Number(m[1]));
      }
    };
    proc.stdout.on("data", check);
    exited.then(({ code }) => rej(new Error(`server exited with ${code}:\n${stderr}`)));
  });
  const url = `http://${host}:${port}`;
  let stopped = false;
  return {
    url,
    port,
    proc,
    output: () => stdout + stderr,
    async stop() {
      if (stopped) return;
      stopped = true;
      proc.kill("SIGTERM");
      const killer = setTimeout(() => proc.kill("SIGKILL"), 5000 * slow);
      const { code, signal } = await exited;
      clearTimeout(killer);
      if (sanitized && /runtime error|AddressSanitizer|LeakSanitizer/.test(stderr)) {
        throw new Error(`sanitizer report:\n${stderr}`);
      }
      if (code !== 0) throw new Error(`server exit ${code} ${signal ?? ""}:\n${stderr.slice(-4000)}`);
    },
  };
}

export const redisBin = "/usr/bin/redis-server";

// A free loopback port (for helpers that cannot be told to pick their own).
export async function freePort() {
  const { createServer } = await import("node:net");
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

// A real redis-server on a free loopback port, no persistence. stop()
// kills it; restart() starts it again on the same port, empty (what a
// Redis restart without persistence looks like to the nodes).
export async function startRedis() {
  const port = await freePort();
  let proc;
  let log = "";
  const launch = async () => {
    proc = spawn(redisBin, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: ["ignore", "pipe", "pipe"] });
    proc.stdout.on("data", (d) => (log += d));
    proc.stderr.on("data", (d) => (log += d));
    const exited = new Promise((res) => proc.on("exit", res));
    proc.exited = exited;
    await withDeadline(new Promise((res, rej) => {
      const check = () => { if (/Ready to accept connections/.test(log)) res(); };
      proc.stdout.on("data", check);
      exited.then((code) => rej(new Error(`redis-server exited with ${code}:\n${log}`)));
      check();
    }), 10000, "redis-server to start");
  };
  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    log: () => log,
    async stop(signal = "SIGTERM") {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill(signal);
      await proc.exited;
    },
    async restart() {
      await this.stop("SIGKILL");
      log = "";
      await launch();
    },
  };
}

// A cluster's first url -> the urls of its nodes and whose turn it is.
const rotations = new Map();
// The url a new client or Engine.IO request goes to: for a cluster's url,
// its nodes in turn, so consecutive clients land on different nodes and a
// polling session's requests cross nodes (no stickiness); any other url
// as it is. Plain HTTP requests (fetch, /metrics) stay on the node named.
export function spread(url) {
  const r = rotations.get(url);
  return r ? r.urls[r.turn++ % r.urls.length] : url;
}

// One node's url, never spread: for a test about one node's own state (its
// per-IP limits, a queue on the node the client is on).
export function oneNode(server) {
  return server.nodes ? server.nodes.at(-1).url : server.url;
}

// `count` nodes of festival-chat-server on one Redis (started here), each
// with `args`. `url` is the first node's: unless `spread` is false, clients
// made by this file's helpers from it are spread over the nodes (see
// spread()); `urls` lists the nodes; `nodes` are the processes (a test may
// kill one). stop() stops every node and Redis.
export async function startCluster(count, args = [], { spread: spreading = true, ...opts } = {}) {
  const redis = await startRedis();
  const nodes = [];
  try {
    for (let i = 0; i < count; i++) {
      nodes.push(await startNode([...args, "--redis", redis.url], opts));
    }
  } catch (e) {
    await Promise.allSettled(nodes.map((n) => n.stop()));
    await redis.stop();
    throw e;
  }
  const urls = nodes.map((n) => n.url);
  if (spreading) rotations.set(urls[0], { urls, turn: 0 });
  return {
    redis,
    nodes,
    urls,
    url: urls[0],
    get port() { return nodes[0].port; },
    get proc() { return nodes[0].proc; },
    output: () => nodes.map((n) => n.output()).join("\n"),
    async stop() {
      rotations.delete(urls[0]);
      const results = await Promise.allSettled(nodes.map((n) => n.stop()));
      await redis.stop();
      const failed = results.find((r) => r.status === "rejected");
      if (failed) throw failed.reason;
    },
  };
}

export function withDeadline(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, rej) => {
      timer = setTimeout(() => rej(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms * slow);
    }),
  ]).finally(() => clearTimeout(timer));
}

export function once(emitter, event, ms = 3000) {
  return withDeadline(
    new Promise((res) => emitter.once(event, (...args) => res(args.length > 1 ? args : args[0]))),
    ms,
    `"${event}"`,
  );
}

export function connectClient(url, opts = {}) {
  const socket = io(spread(url), { forceNew: true, reconnection: false, ...opts });
  return withDeadline(
    new Promise((res, rej) => {
      socket.once("connect", () => res(socket));
      socket.once("connect_error", (e) => rej(e));
    }),
    5000,
    "connect",
  );
}

export function emitWithAck(socket, event, payload, ms = 3000) {
  return socket.timeout(ms * slow).emitWithAck(event, payload);
}

let counter = 0;
export function uniqueRoom(prefix = "room") {
  return `${prefix}-${process.pid}-${++counter}`;
}
export function clientId(tag = "c") {
  // The counter has a fixed width: padding after it could make the 1st id
  // equal the 10th.
  return `${tag}${process.pid}x${String(++counter).padStart(6, "0")}`;
}

// Joins a fresh socket.io client into `room`; resolves { socket, ack }.
export async function joined(url, room, name = "", opts = {}) {
  const socket = await connectClient(url, opts);
  const id = opts.clientId ?? clientId();
  const ack = await emitWithAck(socket, "join-room", { roomId: room, clientId: id, displayName: name });
  if (!ack.ok) throw new Error(`join failed: ${JSON.stringify(ack)}`);
  return { socket, ack, clientId: id };
}

// A raw WebSocket speaking Engine.IO by hand; collects text/binary frames.
export async function rawSocket(url, path = "/socket.io/", query = "EIO=4&transport=websocket", headers = {}) {
  const ws = new WebSocket(`${spread(url).replace("http", "ws")}${path}?${query}`, { headers });
  const frames = [];
  const waiters = [];
  ws.on("message", (data, isBinary) => {
    frames.push(isBinary ? Buffer.from(data) : data.toString());
    while (waiters.length && frames.length) waiters.shift()(frames.shift());
  });
  const closed = new Promise((res) => ws.on("close", (code) => res(code)));
  ws.on("error", () => {});
  await withDeadline(new Promise((res, rej) => { ws.once("open", res); ws.once("error", rej); }), 3000, "ws open");
  return {
    ws,
    closed,
    next(ms = 3000) {
      if (frames.length) return Promise.resolve(frames.shift());
      return withDeadline(new Promise((res) => waiters.push(res)), ms, "ws frame");
    },
    // Next frame that is not a ping (answering pings so the session lives).
    nextNonPing(ms = 3000) {
      return withDeadline((async () => {
        for (;;) {
          const f = await this.next(ms);
          if (f === "2") { ws.send("3"); continue; }
          return f;
        }
      })(), ms, "a non-ping ws frame");
    },
    send(x) { ws.send(x); },
    close() { ws.close(); },
  };
}

export async function poll(url, sid, path = "/socket.io/") {
  const res = await fetch(`${spread(url)}${path}?EIO=4&transport=polling&sid=${sid}`);
  return { status: res.status, body: await res.text() };
}

export async function post(url, sid, body, path = "/socket.io/") {
  const res = await fetch(`${spread(url)}${path}?EIO=4&transport=polling&sid=${sid}`, { method: "POST", body });
  return { status: res.status, body: await res.text() };
}

export async function handshake(url, path = "/socket.io/") {
  const res = await fetch(`${spread(url)}${path}?EIO=4&transport=polling`);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`handshake ${res.status}: ${text}`);
  return JSON.parse(text.slice(1));
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
