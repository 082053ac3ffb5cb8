#!/usr/bin/env node
// Festival Chat signaling contract (../../../shared/design/signaling-protocol.md
// and ../../docs/protocol-extensions.md) on Node.js + the official socket.io
// server. It is the baseline the benchmarks compare festival-chat-server
// against: a straightforward, well-tuned implementation, not a feature clone.
// See README.md for what is (and is not) implemented and why.
import { createServer } from "node:http";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";

// Production mode unless told otherwise; set before socket.io is loaded.
process.env.NODE_ENV ??= "production";
const { Server } = await import("socket.io");

// ---------------------------------------------------------------- options

// Same flags (and FC_* variables) as festival-chat-server where they matter.
const OPTIONS = {
  host: { env: "FC_HOST" },
  port: { env: "FC_PORT", int: [0, 65535] },
  "ping-interval": { env: "FC_PING_INTERVAL", int: [50, 86400000] },
  "ping-timeout": { env: "FC_PING_TIMEOUT", int: [50, 86400000] },
  "connect-timeout": { env: "FC_CONNECT_TIMEOUT", int: [50, 86400000] },
  "upgrade-timeout": { env: "FC_UPGRADE_TIMEOUT", int: [50, 86400000] },
  "max-payload": { env: "FC_MAX_PAYLOAD", int: [1024, 64 * 1024 * 1024] },
  "room-size": { env: "FC_ROOM_SIZE", int: [0, 1e9] },
  "max-room-members": { int: [0, 1e9] }, // alias of --room-size
  "event-burst": { env: "FC_EVENT_BURST", num: true },
  "event-rate": { env: "FC_EVENT_RATE", num: true },
  "connection-burst": { env: "FC_CONNECTION_BURST", num: true },
  "connection-rate": { env: "FC_CONNECTION_RATE", num: true },
  "stun-urls": { env: "FC_STUN_URLS" },
  // cluster: several processes on one Redis through @socket.io/redis-adapter
  redis: { env: "FC_REDIS" },
  // accepted and ignored without a word: they change nothing measurable here
  "web-root": { quiet: true },
  "log-level": { quiet: true },
  "public-url": { quiet: true },
  "no-qr": { quiet: true, flag: true },
};
const SWITCHES = new Set(["no-qr", "protocol-test-mode"]);

const cfg = {
  host: "127.0.0.1",
  port: 3000,
  "ping-interval": 25000,
  "ping-timeout": 60000,
  "connect-timeout": 45000,
  "upgrade-timeout": 10000,
  "max-payload": 1000000,
  "room-size": 64, // festival-chat-server's default; 0 = unlimited
  "event-burst": 1000, // 0 = no limit
  "event-rate": 200,
  "connection-burst": 1000, // 0 = no limit
  "connection-rate": 200,
  redis: "",
  "stun-urls": "stun:stun.l.google.com:19302,stun:stun.cloudflare.com:3478",
};

function fail(msg) {
  process.stderr.write(`reference-server: ${msg}\n`);
  process.exit(2);
}

function set(name, value, from) {
  const o = OPTIONS[name];
  if (o.quiet) return;
  if (o.int || o.num) {
    const n = Number(value);
    if (value === "" || !Number.isFinite(n) || n < 0 || (o.int && (!Number.isInteger(n) || n < o.int[0] || n > o.int[1])))
      fail(`${from}: bad value '${value}'`);
    value = n;
  }
  if (name === "max-room-members") name = "room-size";
  cfg[name] = value;
}

for (const [name, o] of Object.entries(OPTIONS)) {
  const v = o.env && process.env[o.env];
  if (v) set(name, v, o.env);
}
{
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    if (arg === "--help" || arg === "-h") {
      process.stdout.write(`usage: server.mjs [--host H] [--port N] [--ping-interval MS] [--ping-timeout MS]
  [--connect-timeout MS] [--upgrade-timeout MS] [--max-payload BYTES] [--room-size N]
  [--event-burst N] [--event-rate N] [--connection-burst N] [--connection-rate N]
  [--stun-urls LIST|none] [--redis redis://HOST:PORT]   (other festival-chat-server flags are accepted and ignored)\n`);
      process.exit(0);
    }
    if (!arg.startsWith("--")) fail(`unexpected argument '${arg}'`);
    arg = arg.slice(2);
    let value;
    const eq = arg.indexOf("=");
    if (eq >= 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const o = OPTIONS[arg];
    const isSwitch = SWITCHES.has(arg);
    if (value === undefined && !isSwitch && !(o && o.flag)) {
      if (o) {
        if (i + 1 >= argv.length) fail(`--${arg} needs a value`);
        value = argv[++i];
      } else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) {
        value = argv[++i];
      }
    }
    if (!o) {
      process.stderr.write(`reference-server: warning: --${arg} is not supported here, ignored\n`);
      continue;
    }
    if (!o.flag) set(arg, value, `--${arg}`);
  }
}

const MAX_ROOM = cfg["room-size"];
const CLUSTER = !!cfg.redis;
const ICE_SERVERS = (() => {
  const urls = String(cfg["stun-urls"])
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s && s !== "none");
  return urls.length ? [{ urls }] : [];
})();

// ---------------------------------------------------------------- errors

const MESSAGES = {
  "bad-request": "missing or mistyped field",
  "invalid-room": "room ids are 1-64 characters of a-z, 0-9, '_' and '-', starting with a letter or digit",
  "room-full": "the room is full",
  "rate-limited": "too many requests, slow down",
  "unknown-peer": "no such peer in your room",
  "too-large": "signal larger than 64 KiB",
  "not-in-room": "join a room first",
};
const ERR = {};
for (const [code, message] of Object.entries(MESSAGES)) ERR[code] = { ok: false, error: { code, message } };
const OK = { ok: true };

// ---------------------------------------------------------------- validation

const ROOM_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const CLIENT_RE = /^[A-Za-z0-9_-]{8,64}$/;
const MAX_NAME = 64; // characters (code points)
const MAX_TYPE = 32;
const MAX_SIGNAL = 64 * 1024; // bytes of the event's JSON text
const SIGNAL_OVERHEAD = '["signal",]'.length;

function validName(s) {
  if (s.length <= MAX_NAME) return true; // UTF-16 units >= code points
  if (s.length > 2 * MAX_NAME) return false;
  let n = 0;
  for (const _ of s) if (++n > MAX_NAME) return false;
  return true;
}

// Size of the `signal` event as JSON text, as the client wrote it (a
// socket.io client serializes with JSON.stringify too). The cheap bounds
// avoid a byteLength scan in the usual case.
function signalTooLarge(msg) {
  const json = JSON.stringify(msg);
  const units = json.length + SIGNAL_OVERHEAD;
  if (units > MAX_SIGNAL) return true;
  if (units * 3 <= MAX_SIGNAL) return false;
  return Buffer.byteLength(json) + SIGNAL_OVERHEAD > MAX_SIGNAL;
}

// ---------------------------------------------------------------- state

/** roomId -> { id, key, members: Map<peerId, Member>, byClient: Map<clientId, Member> } */
const rooms = new Map();
/** peerId -> Member { peerId, clientId, displayName, socket, room } */
const peers = new Map();

function newPeerId() {
  for (;;) {
    const id = "p_" + randomBytes(12).toString("hex");
    if (!peers.has(id)) return id;
  }
}

// token bucket; burst <= 0 disables it
function take(bucket, burst, rate) {
  const now = Date.now();
  const t = bucket.tokens + ((now - bucket.last) / 1000) * rate;
  bucket.tokens = t > burst ? burst : t;
  bucket.last = now;
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

// ---------------------------------------------------------------- http

const started = Date.now();
const VERSION = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")).version;
const httpServer = createServer((req, res) => {
  const q = req.url.indexOf("?");
  const path = q < 0 ? req.url : req.url.slice(0, q);
  if (path === "/healthz" && (req.method === "GET" || req.method === "HEAD")) {
    const body = JSON.stringify({
      status: "ok",
      version: VERSION,
      uptime: Math.floor((Date.now() - started) / 1000),
      rooms: rooms.size,
      members: peers.size,
      connections: io.engine.clientsCount,
    });
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(req.method === "HEAD" ? undefined : body);
    return;
  }
  res.writeHead(404, { "content-type": "text/plain" });
  res.end("not found\n");
});

// Per-IP limit on new Engine.IO sessions, like festival-chat-server's
// --connection-burst/--connection-rate (socket.io answers 403, not 429).
const connBurst = cfg["connection-burst"];
const connRate = cfg["connection-rate"];
const ipBuckets = new Map();
const allowRequest =
  connBurst > 0
    ? (req, callback) => {
        const ip = req.socket.remoteAddress ?? "";
        let b = ipBuckets.get(ip);
        if (!b) ipBuckets.set(ip, (b = { tokens: connBurst, last: Date.now() }));
        if (take(b, connBurst, connRate)) callback(null, true);
        else callback("Too many new connections from this address", false);
      }
    : undefined;
if (allowRequest) {
  setInterval(() => {
    const now = Date.now();
    for (const [ip, b] of ipBuckets)
      if (b.tokens + ((now - b.last) / 1000) * connRate >= connBurst) ipBuckets.delete(ip);
  }, 60000).unref();
}

const io = new Server(httpServer, {
  path: "/socket.io/",
  serveClient: false,
  transports: ["polling", "websocket"],
  pingInterval: cfg["ping-interval"],
  pingTimeout: cfg["ping-timeout"],
  connectTimeout: cfg["connect-timeout"],
  upgradeTimeout: cfg["upgrade-timeout"],
  maxHttpBufferSize: cfg["max-payload"],
  perMessageDeflate: false,
  httpCompression: false,
  allowRequest,
});

// Cluster mode: the official Redis adapter. Broadcasts and emits to a room
// reach the sockets of every node (one PUBLISH each); fetchSockets() and
// serverSideEmit() ask the other nodes.
if (CLUSTER) {
  const { createClient } = await import("redis");
  const { createAdapter } = await import("@socket.io/redis-adapter");
  const pub = createClient({ url: cfg.redis });
  const sub = pub.duplicate();
  pub.on("error", (e) => process.stderr.write(`reference-server: redis: ${e.message}\n`));
  sub.on("error", (e) => process.stderr.write(`reference-server: redis: ${e.message}\n`));
  await Promise.all([pub.connect(), sub.connect()]);
  io.adapter(createAdapter(pub, sub));
  // Another node's member took over a seat of ours (same clientId): drop it
  // without a word to the room, which that node has told already.
  io.on("evict", (peerId) => {
    const m = peers.get(peerId);
    if (!m) return;
    leave(m, null);
    m.socket.emit("replaced", {});
  });
}

// ---------------------------------------------------------------- rooms

// Removes `m` from its room and tells the remaining members.
// In a cluster `rooms` holds this node's members only, and the room may
// have members elsewhere; reason null: leave silently.
function leave(m, reason) {
  const room = m.room;
  room.members.delete(m.peerId);
  if (room.byClient.get(m.clientId) === m) room.byClient.delete(m.clientId);
  peers.delete(m.peerId);
  m.socket.data.member = null;
  if (CLUSTER) {
    m.socket.data.peer = null;
    m.socket.leave(room.key + "/" + m.peerId);
  }
  m.socket.leave(room.key);
  if (room.members.size === 0) rooms.delete(room.id);
  if (reason && (CLUSTER || room.members.size > 0)) io.to(room.key).emit("peer-left", { peerId: m.peerId, reason });
}

// join-room in a cluster: the room's members on every node come from
// fetchSockets() (socket.data.peer carries what the others need).
async function joinCluster(socket, roomId, clientId, name, ack) {
  const key = "room:" + roomId;
  let others;
  try {
    others = (await io.in(key).fetchSockets()).filter((s) => s.id !== socket.id && s.data.peer);
  } catch {
    return ack?.(ERR["rate-limited"]); // another node did not answer in time
  }
  if (socket.disconnected) return;
  const stale = others.find((s) => s.data.peer.clientId === clientId);
  if (MAX_ROOM > 0 && others.length - (stale ? 1 : 0) >= MAX_ROOM) return ack?.(ERR["room-full"]);
  const self = socket.data.member;
  if (self) leave(self, "left");
  if (stale) {
    const local = peers.get(stale.data.peer.peerId);
    if (local) {
      leave(local, "replaced");
      local.socket.emit("replaced", {});
    } else {
      io.to(key).except(key + "/" + stale.data.peer.peerId).emit("peer-left", { peerId: stale.data.peer.peerId, reason: "replaced" });
      io.serverSideEmit("evict", stale.data.peer.peerId);
    }
  }
  let room = rooms.get(roomId);
  if (!room) rooms.set(roomId, (room = { id: roomId, key, members: new Map(), byClient: new Map() }));
  const list = others.filter((s) => s !== stale).map((s) => s.data.peer);
  const m = { peerId: newPeerId(), clientId, displayName: name, socket, room };
  io.to(key).emit("peer-joined", { peerId: m.peerId, clientId, displayName: name });
  room.members.set(m.peerId, m);
  room.byClient.set(clientId, m);
  peers.set(m.peerId, m);
  socket.data.member = m;
  socket.data.peer = { peerId: m.peerId, clientId, displayName: name };
  socket.join([key, key + "/" + m.peerId]);
  ack?.({ ok: true, peerId: m.peerId, peers: list, iceServers: ICE_SERVERS });
}

function join(socket, data, ack) {
  if (typeof data !== "object" || data === null) return ack?.(ERR["bad-request"]);
  const { roomId, clientId, displayName } = data;
  if (typeof roomId !== "string" || typeof clientId !== "string") return ack?.(ERR["bad-request"]);
  if (displayName != null && typeof displayName !== "string") return ack?.(ERR["bad-request"]);
  if (!ROOM_RE.test(roomId)) return ack?.(ERR["invalid-room"]);
  const name = displayName ?? "";
  if (!CLIENT_RE.test(clientId) || !validName(name)) return ack?.(ERR["bad-request"]);

  if (CLUSTER) return joinCluster(socket, roomId, clientId, name, ack);

  const self = socket.data.member;
  let room = rooms.get(roomId);
  if (room && MAX_ROOM > 0) {
    // neither this socket nor a stale seat of the same clientId counts
    const stale = room.byClient.get(clientId);
    let others = room.members.size;
    if (self && self.room === room) others--;
    if (stale && stale !== self) others--;
    if (others >= MAX_ROOM) return ack?.(ERR["room-full"]);
  }

  if (self) leave(self, "left");
  room = rooms.get(roomId);
  if (room) {
    const stale = room.byClient.get(clientId);
    if (stale) {
      leave(stale, "replaced");
      stale.socket.emit("replaced", {});
      room = rooms.get(roomId); // it may have emptied
    }
  }
  if (!room) {
    room = { id: roomId, key: "room:" + roomId, members: new Map(), byClient: new Map() };
    rooms.set(roomId, room);
  }

  const list = [];
  for (const p of room.members.values())
    list.push({ peerId: p.peerId, clientId: p.clientId, displayName: p.displayName });
  const m = { peerId: newPeerId(), clientId, displayName: name, socket, room };
  if (list.length) io.to(room.key).emit("peer-joined", { peerId: m.peerId, clientId, displayName: name });
  room.members.set(m.peerId, m);
  room.byClient.set(clientId, m);
  peers.set(m.peerId, m);
  socket.data.member = m;
  socket.join(room.key);
  ack?.({ ok: true, peerId: m.peerId, peers: list, iceServers: ICE_SERVERS });
}

function signal(socket, msg, ack) {
  if (signalTooLarge(msg)) return ack?.(ERR["too-large"]);
  if (typeof msg !== "object" || msg === null || Array.isArray(msg)) return ack?.(ERR["bad-request"]);
  const { to, type } = msg;
  if (typeof to !== "string" || typeof type !== "string" || type.length > MAX_TYPE) return ack?.(ERR["bad-request"]);
  const self = socket.data.member;
  const target = self && peers.get(to);
  const payload = msg.payload;
  if (CLUSTER && self && !target && to !== self.peerId) {
    // Maybe a member on another node: every member is alone in a room named
    // after its room and peerId, so the emit reaches it only if it is in
    // ours. (Whether it exists is not known here: no unknown-peer.)
    io.to(self.room.key + "/" + to).emit("signal", { from: self.peerId, type, payload: payload === undefined ? null : payload });
    return ack?.(OK);
  }
  if (!target || target.room !== self.room || target === self) return ack?.(ERR["unknown-peer"]);
  target.socket.emit("signal", { from: self.peerId, type, payload: payload === undefined ? null : payload });
  ack?.(OK);
}

function leaveRoom(socket, ack) {
  const self = socket.data.member;
  if (!self) return ack?.(ERR["not-in-room"]);
  leave(self, "left");
  ack?.(OK);
}

// ---------------------------------------------------------------- sockets

const KNOWN = new Set(["join-room", "signal", "leave-room"]);
const evBurst = cfg["event-burst"];
const evRate = cfg["event-rate"];

// (data, ack) with the ack optional and the data possibly omitted
const argsOf = (a, b) => (typeof b === "function" ? b : typeof a === "function" ? a : undefined);
const dataOf = (a) => (typeof a === "function" ? undefined : a);

io.on("connection", (socket) => {
  // Not enumerable: the Redis adapter serializes socket.data for fetchSockets().
  Object.defineProperty(socket.data, "member", { value: null, writable: true, enumerable: false });

  // One middleware: per-connection event rate limit, and bad-request for
  // unknown events that ask for an acknowledgement.
  if (evBurst > 0) {
    const bucket = { tokens: evBurst, last: Date.now() };
    socket.use((packet, next) => {
      if (!take(bucket, evBurst, evRate)) {
        const last = packet[packet.length - 1];
        if (typeof last === "function") last(ERR["rate-limited"]);
        return;
      }
      if (KNOWN.has(packet[0])) return next();
      const last = packet[packet.length - 1];
      if (typeof last === "function") last(ERR["bad-request"]);
    });
  } else {
    socket.use((packet, next) => {
      if (KNOWN.has(packet[0])) return next();
      const last = packet[packet.length - 1];
      if (typeof last === "function") last(ERR["bad-request"]);
    });
  }

  socket.on("join-room", (a, b) => join(socket, dataOf(a), argsOf(a, b)));
  socket.on("signal", (a, b) => signal(socket, dataOf(a), argsOf(a, b)));
  socket.on("leave-room", (a, b) => leaveRoom(socket, argsOf(a, b)));
  socket.on("disconnect", () => {
    const self = socket.data.member;
    if (self) leave(self, "disconnected");
  });
});

// ---------------------------------------------------------------- run

httpServer.on("error", (e) => fail(`cannot listen on ${cfg.host}:${cfg.port}: ${e.message}`));
httpServer.listen(cfg.port, cfg.host, () => {
  const { port } = httpServer.address();
  const host = cfg.host.includes(":") ? `[${cfg.host}]` : cfg.host;
  process.stdout.write(`listening on http://${host}:${port}\n`);
});

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(0), 2000).unref();
  io.close(() => process.exit(0));
  httpServer.closeAllConnections();
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
