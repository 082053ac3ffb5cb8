// Helpers for the adversarial suite (tests/adversarial/): what an attacker
// does by hand (raw WebSocket frames over node:net, raw Engine.IO polling,
// oversized HTTP requests) and what a test measures from outside (the
// server's resident memory and open descriptors from /proc). Every wait has
// a deadline scaled by `slow`; every loop is bounded.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { serverBin, slow, sleep, withDeadline, connectClient, emitWithAck, clientId } from "./server.mjs";

export const sanitized = process.env.FC_SANITIZED === "1";
export const MB = 1024 * 1024;

// --- flags the fixes add -----------------------------------------------------
// Tests pass new flags (--write-timeout, --attachment-timeout, --memory-budget)
// only to a binary that knows them: today's binary refuses unknown flags at
// start, and a test should fail on the behaviour it reproduces (a held socket,
// memory that grows), not on a refused flag. A binary without the flag runs
// with its defaults, so the test's deadlines still catch the missing fix.
let helpText;
export function knownFlag(flag) {
  if (helpText === undefined) {
    try {
      helpText = execFileSync(serverBin, ["--help"], { encoding: "utf8" });
    } catch (e) {
      helpText = String(e.stdout ?? "");
    }
  }
  return new RegExp(`^\\s*${flag}\\b`, "m").test(helpText);
}
export function optionalFlags(flags) {
  const args = [];
  for (const [flag, value] of Object.entries(flags)) if (knownFlag(flag)) args.push(flag, String(value));
  return args;
}

// ASan keeps freed memory in a quarantine (256 MB by default), so resident
// memory would measure the quarantine, not what the server holds. Tests that
// bound memory call this before starting the server (child processes inherit
// the environment).
export function capSanitizerQuarantine() {
  if (!sanitized) return;
  const cur = process.env.ASAN_OPTIONS ?? "";
  if (!/quarantine_size_mb/.test(cur)) {
    process.env.ASAN_OPTIONS = [cur, "quarantine_size_mb=4", "thread_local_quarantine_size_kb=64"].filter(Boolean).join(":");
  }
}

// --- measuring the server from outside ---------------------------------------
export function rssBytes(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) * 1024 : 0;
}
export function fdCount(pid) {
  return readdirSync(`/proc/${pid}/fd`).length;
}
// Polls `check` (sync or async) until it returns a truthy value; bounded by a
// deadline (scaled by `slow`), resolves with that value.
export async function waitFor(check, ms, what, every = 50) {
  const end = Date.now() + ms * slow;
  let last;
  for (;;) {
    last = await check();
    if (last) return last;
    if (Date.now() > end) throw new Error(`timed out after ${ms * slow} ms waiting for ${what}`);
    await sleep(every);
  }
}
// Waits until the server holds no more descriptors than `baseline`.
/** Whether process `pid` still holds a TCP socket whose far end is local
 *  port `peerPort` (one connection, exactly: on a cluster a node's other
 *  descriptors, to Redis and to other nodes, come and go on their own). */
export function holdsConnectionFrom(pid, peerPort) {
  const inodes = new Set();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  for (const table of ["tcp", "tcp6"]) {
    let text = "";
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      const remotePort = parseInt(f[2].split(":")[1], 16);
      if (remotePort === peerPort && inodes.has(f[9])) return true;
    }
  }
  return false;
}

export async function fdsBackTo(pid, baseline, ms, what = "the server's descriptors back to baseline") {
  let n;
  try {
    await waitFor(() => (n = fdCount(pid)) <= baseline, ms, what, 100);
  } catch (e) {
    e.message += ` (baseline ${baseline}, now ${n})`;
    throw e;
  }
}

// --- plain HTTP without keep-alive (so descriptor counts stay exact) --------
export function httpRequest(url, { method = "GET", headers = {}, body, timeout = 5000 } = {}) {
  return withDeadline(
    new Promise((res, rej) => {
      const req = http.request(url, { method, headers, agent: false }, (r) => {
        let data = "";
        r.setEncoding("utf8");
        r.on("data", (d) => (data += d));
        r.on("end", () => res({ status: r.statusCode, headers: r.headers, body: data }));
        r.on("error", rej);
      });
      req.on("error", rej);
      if (body !== undefined) req.write(body);
      req.end();
    }),
    timeout,
    `${method} ${url}`,
  );
}
// On a cluster (FC_NODES), the cluster's view: every node must answer, and
// members and connections are the nodes' summed (a room on two nodes is
// counted by both, so rooms are not).
export async function healthz(server) {
  const all = await Promise.all((server.urls ?? [server.url]).map(async (url) => {
    const r = await httpRequest(`${url}/healthz`);
    return { status: r.status, json: r.status === 200 ? JSON.parse(r.body) : undefined };
  }));
  const bad = all.find((h) => h.status !== 200);
  if (bad || all.length === 1) return bad ?? all[0];
  const json = { ...all[0].json };
  for (const key of ["members", "connections"])
    if (typeof json[key] === "number") json[key] = all.reduce((n, h) => n + (h.json[key] ?? 0), 0);
  return { status: 200, json };
}
export async function assertHealthy(server, assert) {
  let h;
  try {
    h = await healthz(server);
  } catch (e) {
    throw new Error(`server is not answering /healthz (crashed?): ${e.message}\n${server.output().slice(-2000)}`);
  }
  assert.equal(h.status, 200, "/healthz answers 200");
  return h.json;
}
// A counter's value; on a cluster, the nodes' summed.
export async function metric(server, name) {
  let total;
  for (const url of server.urls ?? [server.url]) {
    const r = await httpRequest(`${url}/metrics`);
    const m = new RegExp(`^${name.replace(/[{}"]/g, "\\$&")} (\\S+)$`, "m").exec(r.body);
    if (m) total = (total ?? 0) + Number(m[1]);
  }
  return total;
}

// A socket.io client that only uses the WebSocket transport (one descriptor,
// no polling requests), joined into `room`.
export async function joinedWs(url, room, { clientId: id = clientId(), resumeToken, displayName = "" } = {}) {
  const socket = await connectClient(url, { transports: ["websocket"] });
  // Recording starts before the join: events broadcast during the join come before its ack.
  const rec = recorder(socket);
  const req = { roomId: room, clientId: id, displayName };
  if (resumeToken !== undefined) req.resumeToken = resumeToken;
  const ack = await emitWithAck(socket, "join-room", req);
  if (!ack.ok) {
    socket.close();
    throw new Error(`join failed: ${JSON.stringify(ack)}`);
  }
  return { socket, ack, rec, clientId: id, peerId: ack.peerId };
}
// Records every named event a socket.io client receives, in order.
export function recorder(socket, names = ["peer-joined", "peer-left", "signal", "replaced"]) {
  const events = [];
  for (const n of names) socket.on(n, (p) => events.push({ event: n, payload: p }));
  return {
    events,
    of: (n) => events.filter((e) => e.event === n).map((e) => e.payload),
    waitFor: (pred, ms, what) => waitFor(() => events.find((e) => pred(e)), ms, what, 20),
  };
}

// --- raw Engine.IO long-polling -------------------------------------------------
// A polling session the test drives by hand: it issues a GET only when told,
// so it can stop draining its queue on purpose.
export class RawPolling {
  static async open(url) {
    const res = await fetch(`${url}/socket.io/?EIO=4&transport=polling`);
    const text = await res.text();
    if (res.status !== 200) throw new Error(`handshake ${res.status}: ${text}`);
    const p = new RawPolling(url, JSON.parse(text.slice(1)).sid);
    p.received = [];
    return p;
  }
  constructor(url, sid) {
    this.url = url;
    this.sid = sid;
  }
  get endpoint() {
    return `${this.url}/socket.io/?EIO=4&transport=polling&sid=${this.sid}`;
  }
  async post(body) {
    const res = await withDeadline(fetch(this.endpoint, { method: "POST", body }), 5000, "polling POST");
    const text = await res.text();
    if (res.status !== 200) throw new Error(`POST ${res.status}: ${text}`);
    return text;
  }
  // One GET; only call it when something is queued (it long-polls otherwise).
  async get(ms = 5000) {
    const res = await withDeadline(fetch(this.endpoint), ms, "polling GET");
    const text = await res.text();
    if (res.status !== 200) throw new Error(`GET ${res.status}: ${text}`);
    const packets = text.split("\x1e");
    this.received.push(...packets);
    return packets;
  }
  // GETs until a packet matches; every GET returns at once as long as the
  // awaited packet is still queued. Bounded.
  async until(pred, what, max = 50) {
    for (let i = 0; i < max; i++) {
      const hit = this.received.find(pred);
      if (hit) return hit;
      await this.get();
    }
    throw new Error(`polling: no packet for ${what} after ${max} GETs`);
  }
  async join(room, id = clientId("s"), extra = {}) {
    await this.post("40");
    await this.until((p) => p.startsWith("40{"), "CONNECT reply");
    const args = JSON.stringify(["join-room", { roomId: room, clientId: id, ...extra }]);
    await this.post(`4290${args}`);
    const ackPacket = await this.until((p) => p.startsWith("4390["), "join ack");
    const ack = JSON.parse(ackPacket.slice(4))[0];
    if (!ack.ok) throw new Error(`polling join failed: ${ackPacket}`);
    this.clientId = id;
    this.peerId = ack.peerId;
    this.ack = ack;
    return ack;
  }
}

// A room whose first `slowCount` members are polling sessions that stop
// issuing GETs once each queue holds exactly `maxQueued - gap` bytes, so the
// next room event (any frame longer than `gap`) overflows them. Then
// `normalCount` socket.io members (WebSocket transport) that keep reading.
// Queue accounting: the sum of queued Engine.IO packets' text. The exact
// length of a relayed signal is learnt from a marker signal the slow member
// does read; after it the queue is empty, so the fill is exact.
// With `fillerLeaves`, the filling member (the first normal one) leaves once
// the queues are full (room space was kept for its peer-left), so the room
// holds only the full members and the other normal ones.
export async function slowRoom(url, room, { slowCount, normalCount, maxQueued, gap = 16, fillerLeaves = false }) {
  const slowMembers = [];
  for (let i = 0; i < slowCount; i++) {
    const p = await RawPolling.open(url);
    await p.join(room);
    slowMembers.push(p);
  }
  const normals = [];
  for (let i = 0; i < normalCount; i++) {
    normals.push(await joinedWs(url, room));
  }
  const sender = normals[0];
  for (const s of slowMembers) {
    const ok = await emitWithAck(sender.socket, "signal", { to: s.peerId, type: "m", payload: "" });
    if (!ok.ok) throw new Error(`setup: marker signal refused ${JSON.stringify(ok)}`);
    const marker = await s.until((p) => p.startsWith(`42["signal",{"from":"${sender.peerId}","type":"m"`), "marker signal");
    // Signals are at most 64 KiB: fill with frames of up to 48 KiB.
    const reserve = fillerLeaves ? `42["peer-left",{"peerId":"${sender.peerId}","reason":"left"}]`.length : 0;
    let left = maxQueued - gap - reserve;
    for (let i = 0; left > 0 && i < 100; i++) {
      const frame = Math.min(left, 48 * 1024);
      const n = frame - marker.length;
      if (n < 0) throw new Error(`setup: cannot fill the last ${left} bytes (marker ${marker.length})`);
      const fill = await emitWithAck(sender.socket, "signal", { to: s.peerId, type: "m", payload: "x".repeat(n) });
      if (!fill.ok) throw new Error(`setup: a fill signal overflowed already ${JSON.stringify(fill)}`);
      left -= frame;
    }
  }
  if (fillerLeaves) {
    const ack = await emitWithAck(sender.socket, "leave-room", {});
    if (!ack.ok) throw new Error(`setup: filler leave ${JSON.stringify(ack)}`);
    sender.socket.close();
    normals.shift();
  }
  return { slowMembers, normals, sender };
}

// --- raw WebSocket over node:net -------------------------------------------------
// RFC 6455 by hand: the handshake, masked client frames (any opcode, any
// length, partial frames), and a reader for the server's unmasked frames.
// `pause()` stops reading so the server's writes back up.
export function encodeFrame(opcode, payload, { fin = true, mask = true, announce } = {}) {
  const data = typeof payload === "string" ? Buffer.from(payload) : payload ?? Buffer.alloc(0);
  const len = announce ?? data.length;
  let header;
  if (len < 126) {
    header = Buffer.from([(fin ? 0x80 : 0) | opcode, (mask ? 0x80 : 0) | len]);
  } else if (len < 65536) {
    header = Buffer.alloc(4);
    header[0] = (fin ? 0x80 : 0) | opcode;
    header[1] = (mask ? 0x80 : 0) | 126;
    header.writeUInt16BE(len, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = (fin ? 0x80 : 0) | opcode;
    header[1] = (mask ? 0x80 : 0) | 127;
    header.writeBigUInt64BE(BigInt(len), 2);
  }
  if (!mask) return Buffer.concat([header, data]);
  const key = randomBytes(4);
  const body = Buffer.from(data);
  for (let i = 0; i < body.length; i++) body[i] ^= key[i & 3];
  return Buffer.concat([header, key, body]);
}
// Masking a large body with a zero key leaves it unchanged: cheap floods.
export function maskedHeader(opcode, len, { fin = true } = {}) {
  const f = encodeFrame(opcode, Buffer.alloc(0), { fin, announce: len });
  const zero = Buffer.alloc(4);
  zero.copy(f, f.length - 4);
  return f;
}

export class RawWs {
  static async open(url, { path = "/socket.io/?EIO=4&transport=websocket", headers = {}, autoPong = true } = {}) {
    const { port } = new URL(url);
    const sock = net.connect({ host: "127.0.0.1", port: Number(port) });
    const ws = new RawWs(sock, autoPong);
    await withDeadline(new Promise((res, rej) => { sock.once("connect", res); sock.once("error", rej); }), 3000, "tcp connect");
    const key = randomBytes(16).toString("base64");
    const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("");
    sock.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`,
    );
    await withDeadline(ws.upgraded, 3000, "101 Switching Protocols");
    return ws;
  }
  constructor(sock, autoPong) {
    this.sock = sock;
    this.autoPong = autoPong;
    this.buf = Buffer.alloc(0);
    this.head = true;
    this.frames = []; // text (string) and binary (Buffer) messages, Engine.IO packets
    this.waiters = [];
    this.closeCode = undefined;
    this.ended = false;
    this.writeError = undefined;
    let upgradedRes, upgradedRej;
    this.upgraded = new Promise((res, rej) => { upgradedRes = res; upgradedRej = rej; });
    this.closed = new Promise((res) => (this._closed = res));
    sock.on("data", (d) => this._data(d, upgradedRes, upgradedRej));
    sock.on("end", () => { this.ended = true; this._closed("end"); });
    sock.on("close", () => { this.ended = true; this._closed("close"); upgradedRej(new Error("closed before upgrade")); });
    sock.on("error", (e) => { this.writeError = e; this._closed("error"); });
  }
  _data(d, upgradedRes, upgradedRej) {
    this.buf = Buffer.concat([this.buf, d]);
    if (this.head) {
      const i = this.buf.indexOf("\r\n\r\n");
      if (i < 0) return;
      const status = this.buf.subarray(0, i).toString();
      this.buf = this.buf.subarray(i + 4);
      this.head = false;
      if (!/^HTTP\/1\.1 101/.test(status)) return upgradedRej(new Error(`upgrade refused: ${status.split("\r\n")[0]}`));
      upgradedRes();
    }
    for (;;) {
      if (this.buf.length < 2) return;
      const op = this.buf[0] & 0x0f;
      let len = this.buf[1] & 0x7f;
      let off = 2;
      if (len === 126) {
        if (this.buf.length < 4) return;
        len = this.buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (this.buf.length < 10) return;
        len = Number(this.buf.readBigUInt64BE(2));
        off = 10;
      }
      if (this.buf.length < off + len) return;
      const payload = this.buf.subarray(off, off + len);
      this.buf = this.buf.subarray(off + len);
      if (op === 0x8) {
        this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        this._closed("close frame");
      } else if (op === 0x1) {
        const text = payload.toString();
        if (text === "2" && this.autoPong) this.sendText("3");
        else this._push(text);
      } else if (op === 0x2) {
        this._push(Buffer.from(payload));
      }
    }
  }
  _push(f) {
    this.frames.push(f);
    while (this.waiters.length) {
      const w = this.waiters[0];
      const i = this.frames.findIndex(w.pred);
      if (i < 0) break;
      this.waiters.shift();
      w.res(this.frames.splice(i, 1)[0]);
    }
  }
  // The next received message matching `pred` (taken out of the buffer).
  next(pred = () => true, ms = 3000, what = "a ws message") {
    const i = this.frames.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.frames.splice(i, 1)[0]);
    return withDeadline(new Promise((res) => this.waiters.push({ pred, res })), ms, what);
  }
  write(buf) {
    if (this.sock.destroyed) return false;
    return this.sock.write(buf);
  }
  sendText(s) { return this.write(encodeFrame(0x1, s)); }
  sendBinary(b) { return this.write(encodeFrame(0x2, b)); }
  // Stop reading: the kernel's receive buffer fills, then the server's writes block.
  pause() { this.sock.pause(); }
  get isClosed() { return this.ended || this.closeCode !== undefined || this.writeError !== undefined || this.sock.destroyed; }
  // Resolves true when written or false when the socket died; rejects when the
  // peer stopped reading for `ms` (backpressure held).
  drain(ms) {
    if (!this.sock.writableNeedDrain) return Promise.resolve(true);
    return withDeadline(new Promise((res) => {
      const done = (v) => { this.sock.off("drain", ok); this.sock.off("close", bad); res(v); };
      const ok = () => done(true);
      const bad = () => done(false);
      this.sock.once("drain", ok);
      this.sock.once("close", bad);
    }), ms, "drain");
  }
  destroy() { this.sock.destroy(); }
  // Engine.IO open, Socket.IO CONNECT, then join-room; resolves the ack.
  async joinRoom(room, id = clientId("w"), extra = {}) {
    await this.next((f) => typeof f === "string" && f.startsWith("0{"), 3000, "Engine.IO open");
    this.sendText("40");
    await this.next((f) => typeof f === "string" && f.startsWith("40"), 3000, "Socket.IO CONNECT");
    this.sendText(`4291${JSON.stringify(["join-room", { roomId: room, clientId: id, ...extra }])}`);
    const a = await this.next((f) => typeof f === "string" && f.startsWith("4391["), 3000, "join ack");
    const ack = JSON.parse(a.slice(4))[0];
    if (!ack.ok) throw new Error(`raw join failed: ${a}`);
    this.clientId = id;
    this.peerId = ack.peerId;
    this.ack = ack;
    return ack;
  }
}

// A raw HTTP exchange over node:net: what fetch will not send (any Host, huge
// headers). Resolves { status, head, raw } or { reset: true } when the server
// cut the connection without an answer.
export function rawHttp(port, request, ms = 5000) {
  return withDeadline(
    new Promise((res) => {
      const sock = net.connect({ host: "127.0.0.1", port });
      let raw = "";
      let reset = false;
      sock.on("data", (d) => {
        raw += d.toString("latin1");
        if (/\r\n\r\n/.test(raw) && /content-length: 0\r\n/i.test(raw)) sock.end();
      });
      sock.on("error", () => (reset = true));
      sock.on("close", () => {
        const m = /^HTTP\/1\.[01] (\d{3})/.exec(raw);
        res({ status: m ? Number(m[1]) : undefined, raw, reset: reset && !m });
      });
      sock.on("connect", () => sock.write(request));
      setTimeout(() => sock.destroy(), 3000 * slow);
    }),
    ms,
    "raw HTTP answer",
  );
}

export { slow, sleep, withDeadline };
