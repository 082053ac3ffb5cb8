// RFC 6455 framing as the server speaks it, byte by byte over a raw TCP
// socket: fragments, control frames, frames split or glued across reads,
// and every protocol violation failing only its own connection with the
// close code that says why.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { randomBytes } from "node:crypto";
import { startServer, connectClient, emitWithAck, once, uniqueRoom, clientId, withDeadline } from "../support/server.mjs";

let server;
before(async () => { server = await startServer(); });
after(async () => { await server.stop(); });

// A client frame, masked unless told otherwise.
function frame(first, payload, { masked = true } = {}) {
  const data = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const len = data.length;
  const head = [first];
  const m = masked ? 0x80 : 0;
  if (len < 126) head.push(m | len);
  else if (len < 65536) head.push(m | 126, len >> 8, len & 0xff);
  else {
    head.push(m | 127);
    for (let i = 7; i >= 0; i--) head.push(i >= 4 ? 0 : (len / 2 ** (8 * i)) & 0xff);
  }
  if (!masked) return Buffer.concat([Buffer.from(head), data]);
  const key = randomBytes(4);
  const body = Buffer.from(data.map((b, i) => b ^ key[i % 4]));
  return Buffer.concat([Buffer.from(head), key, body]);
}
const text = (s, fin = true) => frame((fin ? 0x80 : 0) | 0x1, s);

// Parses the server's (unmasked) frames out of a byte stream.
function parseFrames(buf) {
  const out = [];
  let i = 0;
  while (buf.length - i >= 2) {
    const op = buf[i] & 0x0f;
    let len = buf[i + 1] & 0x7f;
    let h = 2;
    if (len === 126) { if (buf.length - i < 4) break; len = buf.readUInt16BE(i + 2); h = 4; }
    else if (len === 127) { if (buf.length - i < 10) break; len = Number(buf.readBigUInt64BE(i + 2)); h = 10; }
    if (buf.length - i < h + len) break;
    out.push({ op, fin: !!(buf[i] & 0x80), masked: !!(buf[i + 1] & 0x80), payload: buf.subarray(i + h, i + h + len) });
    i += h + len;
  }
  return { frames: out, rest: buf.subarray(i) };
}

// A raw WebSocket client over node:net: handshake, then frames in and out.
async function rawWs({ version = "13" } = {}) {
  const { port } = new URL(server.url);
  const sock = net.connect(Number(port), "127.0.0.1");
  await withDeadline(once(sock, "connect"), 3000, "tcp connect");
  const key = randomBytes(16).toString("base64");
  sock.write(
    "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n" +
      `Host: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: ${version}\r\n\r\n`,
  );
  let buf = Buffer.alloc(0);
  let head = null;
  const frames = [];
  const waiters = [];
  let ended = false;
  const endWaiters = [];
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  sock.on("data", (d) => {
    buf = Buffer.concat([buf, d]);
    if (head === null) {
      const at = buf.indexOf("\r\n\r\n");
      if (at < 0) return;
      head = buf.subarray(0, at).toString();
      buf = buf.subarray(at + 4);
    }
    const { frames: got, rest } = parseFrames(buf);
    frames.push(...got);
    buf = rest;
    wake();
  });
  sock.on("error", () => {});
  sock.on("close", () => { ended = true; wake(); for (const w of endWaiters.splice(0)) w(); });
  const until = (pred, what, ms = 3000) =>
    withDeadline(
      (async () => {
        for (;;) {
          const r = pred();
          if (r !== undefined) return r;
          if (ended) throw new Error(`connection ended before ${what}`);
          await new Promise((res) => waiters.push(res));
        }
      })(),
      ms,
      what,
    );
  await until(() => (head !== null ? true : undefined), "handshake answer");
  return {
    head,
    sock,
    // The next frame that is not an Engine.IO ping.
    next(what = "a frame") {
      return until(() => {
        while (frames.length) {
          const f = frames.shift();
          if (f.op === 1 && f.payload.toString() === "2") continue;
          return f;
        }
        return undefined;
      }, what);
    },
    ended: () => withDeadline(ended ? Promise.resolve() : new Promise((r) => endWaiters.push(r)), 7000, "tcp close"),
  };
}

async function opened() {
  const c = await rawWs();
  assert.match(c.head, /^HTTP\/1\.1 101 /);
  const open = await c.next("open packet");
  assert.equal(open.op, 1);
  assert.match(open.payload.toString(), /^0\{"sid"/);
  return c;
}

async function expectClose(c, code) {
  const f = await c.next(`close ${code}`);
  assert.equal(f.op, 8, `expected a close frame, got opcode ${f.op}`);
  assert.equal(f.payload.readUInt16BE(0), code);
  await c.ended();
}

test("server frames are unmasked and unfragmented", async () => {
  const c = await opened();
  c.sock.write(text("40"));
  const f = await c.next("CONNECT answer");
  assert.equal(f.fin, true);
  assert.equal(f.masked, false);
  assert.match(f.payload.toString(), /^40\{"sid"/);
  c.sock.destroy();
});

test("a ping is answered with a pong carrying the same payload", async () => {
  const c = await opened();
  c.sock.write(frame(0x89, "festival"));
  const f = await c.next("pong");
  assert.equal(f.op, 0xa);
  assert.equal(f.payload.toString(), "festival");
  c.sock.destroy();
});

test("a fragmented message with a ping between its fragments is delivered whole", async () => {
  const c = await opened();
  c.sock.write(Buffer.concat([text("4", false), frame(0x89, "p"), frame(0x80, "0")]));
  const pong = await c.next("pong");
  assert.equal(pong.op, 0xa);
  const f = await c.next("CONNECT answer");
  assert.match(f.payload.toString(), /^40\{"sid"/);
  c.sock.destroy();
});

test("frames glued in one write and frames cut into single bytes both arrive", async () => {
  const c = await opened();
  const glued = Buffer.concat([text("40"), text('42["no-such-event"]'), text("3")]);
  c.sock.write(glued);
  assert.match((await c.next("CONNECT answer")).payload.toString(), /^40/);
  const bytes = text("41");
  for (const b of bytes) {
    c.sock.write(Buffer.from([b]));
    await new Promise((r) => setTimeout(r, 2));
  }
  // DISCONNECT from the client: the server keeps the Engine.IO session,
  // so a new CONNECT still works over the same connection.
  c.sock.write(text("40"));
  assert.match((await c.next("second CONNECT answer")).payload.toString(), /^40/);
  c.sock.destroy();
});

// Each read may end anywhere in a frame (in its header, its masking key or
// its payload), and a frame may be bigger than a read: cut a stream of
// frames of every header form (7-bit, 16-bit and 64-bit lengths, a ping
// among them) at many places and check every message arrives, in order.
test("a stream of frames of every size cut anywhere arrives whole and in order", async () => {
  const c = await opened();
  c.sock.setNoDelay(true);
  c.sock.write(text("40"));
  assert.match((await c.next("CONNECT answer")).payload.toString(), /^40/);
  const sizes = [0, 90, 200, 3000, 70000, 5, 65000, 1];
  const parts = [];
  sizes.forEach((n, id) => {
    parts.push(text(`42${id}["signal",{"to":"p_nobody","type":"x","payload":"${"y".repeat(n)}"}]`));
    if (id === 3) parts.push(frame(0x89, "mid"));
  });
  const stream = Buffer.concat(parts);
  const cuts = [1, 1, 2, 3, 5, 8, 13, 21, 100, 4097, 65536, 7, 70001, 3];
  for (let at = 0, i = 0; at < stream.length; i++) {
    const n = cuts[i % cuts.length];
    c.sock.write(stream.subarray(at, at + n));
    at += n;
    await new Promise((r) => setTimeout(r, 2));
  }
  let pong = false;
  for (let id = 0; id < sizes.length; ) {
    const f = await c.next(`ack ${id}`);
    if (f.op === 0xa) {
      assert.equal(f.payload.toString(), "mid");
      pong = true;
      continue;
    }
    const body = f.payload.toString();
    assert.ok(body.startsWith(`43${id}[`), `ack ${id} in order, got ${body.slice(0, 80)}`);
    id++;
  }
  assert.ok(pong, "the ping between them was answered");
  c.sock.destroy();
});

test("a close from the client is echoed and the server closes TCP", async () => {
  const c = await opened();
  const payload = Buffer.alloc(2);
  payload.writeUInt16BE(4000);
  c.sock.write(frame(0x88, payload));
  await expectClose(c, 4000);
});

const violations = [
  ["invalid UTF-8 in a text frame", () => frame(0x81, Buffer.from([0x34, 0xc3, 0x28])), 1007],
  ["an unmasked frame", () => frame(0x81, "40", { masked: false }), 1002],
  ["a reserved bit without an extension", () => frame(0xc1, "40"), 1002],
  ["a reserved opcode", () => frame(0x83, "40"), 1002],
  ["a continuation without a message", () => frame(0x80, "40"), 1002],
  ["a control frame over 125 bytes", () => frame(0x89, Buffer.alloc(126)), 1002],
  ["a close code that may not be sent", () => frame(0x88, Buffer.from([0x03, 0xed])), 1002],
];
for (const [what, bytes, code] of violations) {
  test(`${what} fails only its connection, with close code ${code}`, async () => {
    const bystander = await connectClient(server.url);
    const c = await opened();
    c.sock.write(bytes());
    await expectClose(c, code);
    // The server carries on: the bystander still gets answers.
    assert.equal(bystander.connected, true);
    const ack = await emitWithAck(bystander, "join-room", { roomId: uniqueRoom(), clientId: clientId() });
    assert.equal(ack.ok, true);
    bystander.disconnect();
  });
}

test("a message over maxPayload is refused with 1009 from its header alone", async () => {
  const c = await opened();
  // Only the header of a 2 MB frame: the server must not wait for the body.
  const head = frame(0x82, Buffer.alloc(2_000_000)).subarray(0, 14);
  c.sock.write(head);
  await expectClose(c, 1009);
});

test("an unsupported WebSocket version gets 426 and the version we speak", async () => {
  const c = await rawWs({ version: "8" });
  assert.match(c.head, /^HTTP\/1\.1 426 /);
  assert.match(c.head, /Sec-WebSocket-Version: 13/i);
  await c.ended();
});
