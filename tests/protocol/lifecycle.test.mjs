// The process: configuration errors, --help/--version, clean shutdown,
// privacy of logs, garbage input, TLS.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import WebSocket from "ws";
import { startServer, serverBin, connectClient, joined, emitWithAck, once, handshake, uniqueRoom, sleep, withDeadline } from "../support/server.mjs";

const run = promisify(execFile);

async function exitOf(args) {
  try {
    const { stdout, stderr } = await run(serverBin, args, { timeout: 10000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test("bad settings stop the server with a clear message", async () => {
  for (const [args, pattern] of [
    [["--port", "abc"], /port/],
    [["--port", "70000"], /port/],
    [["--ping-interval", "-5"], /ping-interval/],
    [["--room-size", "0"], /room-size/],
    [["--tls-cert", "x.pem"], /tls-key/],
    [["--turn-secret", "s"], /turn-urls/],
    [["--bogus"], /unknown option --bogus/],
    [["--log-level", "chatty"], /log-level/],
  ]) {
    const r = await exitOf(args);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.stderr, pattern, args.join(" "));
  }
  const env = await run(serverBin, ["--version"], { env: { ...process.env, FC_PORT: "nope" } }).catch((e) => e);
  assert.equal(env.code, 2);
  assert.match(env.stderr, /FC_PORT/);
});

test("--help and --version", async () => {
  const help = await exitOf(["--help"]);
  assert.equal(help.code, 0);
  for (const flag of ["--host", "--port", "--ping-interval", "--turn-secret", "--tls-cert", "--cors-origin", "--room-size"])
    assert.ok(help.stdout.includes(flag), flag);
  const version = await exitOf(["--version"]);
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^festival-chat-server \d+\.\d+\.\d+/);
});

test("SIGTERM closes every connection and exits 0", async () => {
  const server = await startServer();
  const a = await connectClient(server.url, { transports: ["websocket"] });
  const b = await connectClient(server.url, { transports: ["polling"] });
  const da = once(a, "disconnect", 5000);
  const db = once(b, "disconnect", 5000);
  await server.stop(); // asserts exit code 0
  await da;
  await db;
});

test("logs hold no room names, display names or payloads", async () => {
  const server = await startServer(["--log-level", "debug"]);
  const room = "secret-room-xyz";
  const a = await joined(server.url, room, "Zed Secret");
  const b = await joined(server.url, room, "Yara Hidden");
  await emitWithAck(b.socket, "signal", { to: a.ack.peerId, type: "offer", payload: { sdp: "PAYLOAD-MARKER" } });
  await emitWithAck(b.socket, "join-room", { roomId: "Bad Room Name", clientId: "abcdefgh", displayName: "Zed Secret" });
  a.socket.close();
  b.socket.close();
  await sleep(100);
  await server.stop();
  const out = server.output();
  assert.match(out, /event=join/);
  for (const secret of ["secret-room-xyz", "Zed Secret", "Yara Hidden", "PAYLOAD-MARKER", "Bad Room Name"])
    assert.ok(!out.includes(secret), secret);
});

test("garbage never brings the server down", async () => {
  const server = await startServer();
  try {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const junk = (n) => Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));
    const prefixes = ["", "4", "40", "42", "42[", '42["signal",', "45", "451-", "b", "0", "1", "2probe", "5", "6", "\x1e"];
    for (let i = 0; i < 100; i++) {
      const { sid } = await handshake(server.url);
      const body = Buffer.concat([Buffer.from(prefixes[i % prefixes.length]), junk(Math.floor(rand() * 200))]);
      await fetch(`${server.url}/socket.io/?EIO=4&transport=polling&sid=${sid}`, { method: "POST", body }).catch(() => {});
    }
    for (let i = 0; i < 100; i++) {
      const ws = new WebSocket(`${server.url.replace("http", "ws")}/socket.io/?EIO=4&transport=websocket`);
      ws.on("error", () => {});
      await withDeadline(new Promise((r) => ws.once("open", r)), 3000, "open");
      const p = prefixes[i % prefixes.length];
      if (i % 2) ws.send("40");
      ws.send(i % 3 ? Buffer.concat([Buffer.from(p), junk(Math.floor(rand() * 300))]).toString("latin1") : junk(50));
      ws.close();
    }
    // raw TCP garbage at the HTTP parser
    const { connect } = await import("node:net");
    for (let i = 0; i < 20; i++) {
      await new Promise((res) => {
        const s = connect(server.port, "127.0.0.1", () => { s.end(junk(500)); });
        s.on("close", res);
        s.on("error", res);
        s.resume();
      });
    }
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    const c = await joined(server.url, uniqueRoom("after"));
    assert.equal(c.ack.ok, true);
    c.socket.close();
  } finally {
    await server.stop();
  }
});

test("HTTPS and WSS with --tls-cert/--tls-key", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "fc-tls-"));
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  try {
    await run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
      "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]);
  } catch {
    t.skip("openssl not available");
    return;
  }
  const { spawn } = await import("node:child_process");
  const proc = spawn(serverBin, ["--host", "127.0.0.1", "--port", "0", "--no-qr", "--tls-cert", cert, "--tls-key", key]);
  let out = "";
  proc.stdout.on("data", (d) => (out += d));
  const exited = new Promise((r) => proc.on("exit", (code) => r(code)));
  try {
    await withDeadline((async () => { while (!/listening on https:/.test(out)) await sleep(20); })(), 10000, "tls listen");
    const port = /https:\/\/127\.0\.0\.1:(\d+)/.exec(out)[1];
    const { io } = await import("socket.io-client");
    const url = `https://127.0.0.1:${port}`;
    const s = io(url, { forceNew: true, reconnection: false, ca: readFileSync(cert) });
    await once(s, "connect", 5000);
    const ack = await emitWithAck(s, "join-room", { roomId: uniqueRoom("tls"), clientId: "tlsclient1" });
    assert.equal(ack.ok, true);
    s.close();
  } finally {
    proc.kill("SIGTERM");
    assert.equal(await exited, 0);
  }
});

test("--protocol-test-mode hands over to the protocol-test binary (the production one links none of it)", () => {
  const out = execFileSync(serverBin, ["--protocol-test-mode", "--version"], { encoding: "utf8" });
  assert.match(out, /^festival-chat-protocol-test /);
  assert.match(execFileSync(serverBin, ["--version"], { encoding: "utf8" }), /^festival-chat-server /);
});
