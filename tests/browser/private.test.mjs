// Private rooms, proven from outside (issue 12). Three people chat in a
// room; afterwards nothing the server could have kept (its logs at debug
// level, /metrics, /healthz, a memory image of the process) and nothing
// the browsers sent (every WebSocket frame and HTTP request, captured
// through the DevTools protocol) holds the room's code or secret, a
// display name or a message. A server that rewrites, injects or replays
// signals is caught: the pages refuse the link and say so. A damaged link
// says so too.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { closeSync, openSync, readFileSync, readSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { lanHost, launchBrowser, person, roomIdOf } from "../support/browser.mjs";
import { open as openSealed, seal } from "../support/room-crypto.mjs";
import { startRewritingProxy } from "../support/rewriting-proxy.mjs";
import { joined, startServer } from "../support/server.mjs";

const webRoot = join(dirname(fileURLToPath(import.meta.url)), "../../web/dist");
let server;
let browser;
before(async () => {
  server = await startServer(["--stun-urls", "none", "--log-level", "debug"], { webRoot, host: lanHost });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A person with a display name, everything its page sends recorded:
 *  WebSocket frames, and every request's URL and body. */
async function recorded(name) {
  const p = await person(browser);
  await p.context.addInitScript((n) => localStorage.setItem("fc.displayName", n), name);
  const cdp = await p.context.newCDPSession(p.page);
  await cdp.send("Network.enable");
  p.sent = [];
  cdp.on("Network.webSocketFrameSent", (e) => p.sent.push(e.response.payloadData));
  cdp.on("Network.requestWillBeSent", (e) => p.sent.push(`${e.request.url}\n${e.request.postData ?? ""}`));
  return p;
}

async function send(p, text) {
  await p.page.getByLabel("Message").fill(text);
  await p.page.getByRole("button", { name: "Send", exact: true }).click();
}

const people = (p, n) => p.page.locator(".members-toggle").filter({ hasText: new RegExp(`^${n} people · ${n - 1} direct`) }).waitFor({ timeout: 30000 });

/** Every readable mapping of a process's memory, concatenated (the test
 *  runs as the server's parent, which may read its memory). */
function memoryImage(pid) {
  const parts = [];
  const fd = openSync(`/proc/${pid}/mem`, "r");
  try {
    for (const line of readFileSync(`/proc/${pid}/maps`, "utf8").split("\n")) {
      const m = /^([0-9a-f]+)-([0-9a-f]+) r/.exec(line);
      if (!m || /\[(vvar|vsyscall|vvar_vclock)\]/.test(line)) continue;
      const start = parseInt(m[1], 16);
      const length = parseInt(m[2], 16) - start;
      const buf = Buffer.alloc(length);
      try {
        readSync(fd, buf, 0, length, start);
        parts.push(buf);
      } catch {
        // a mapping that cannot be read (guard pages): nothing there
      }
    }
  } finally {
    closeSync(fd);
  }
  return Buffer.concat(parts);
}

test("three people: the server's logs, metrics and memory and the browsers' traffic hold no code, secret, name or message", async () => {
  const tag = process.pid.toString(36);
  const names = [`Aurelia Quokka${tag}`, `Bartholomew Ibis${tag}`, `Cordelia Newt${tag}`];
  const texts = [`marmalade at the north gate ${tag}`, `the drummer's left shoe ${tag}`, `meet by the yellow flag ${tag}`];
  const [ana, ben, cleo] = [await recorded(names[0]), await recorded(names[1]), await recorded(names[2])];

  // Ana makes up a code on the start page and joins; Ben opens the link
  // she shares; Cleo types the code.
  await ana.page.goto(`${server.url}/`);
  await ana.page.getByRole("button", { name: "Make up a code to read aloud" }).click();
  const code = await ana.page.locator("#room-code").inputValue();
  assert.match(code, /^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
  await ana.page.getByRole("button", { name: "Join", exact: true }).click();
  const roomId = await roomIdOf(ana.page);
  await ana.page.getByRole("button", { name: "Share" }).click();
  const link = await ana.page.locator(".sheet .link").textContent();
  assert.ok(link.includes(`#c=${code}`), link);
  await ana.page.getByRole("button", { name: "Close" }).click();
  await ben.page.goto(link);
  await cleo.page.goto(`${server.url}/`);
  await cleo.page.locator("#room-code").fill(code.toUpperCase().replace(/-/g, " "));
  await cleo.page.getByRole("button", { name: "Join", exact: true }).click();
  for (const p of [ana, ben, cleo]) assert.equal(await roomIdOf(p.page), roomId);
  for (const p of [ana, ben, cleo]) await people(p, 3);
  for (let i = 0; i < 3; i++) await send([ana, ben, cleo][i], texts[i]);
  for (const p of [ana, ben, cleo]) for (const t of texts) await p.page.getByText(t).waitFor({ timeout: 15000 });
  // Names reached the others, peer to peer.
  await cleo.page.getByRole("button", { name: /3 people/ }).click();
  for (const n of names.slice(0, 2))
    await cleo.page.locator("#member-list").getByText(n).waitFor({ timeout: 10000 })
      .catch(async (e) => assert.fail(`${e.message}\nCleo's member list: ${await cleo.page.locator("#member-list").textContent()}`));

  // And a room by link: its 16-byte secret is in the fragment only.
  await ana.page.goto(`${server.url}/`);
  await ana.page.getByRole("button", { name: "Start a new room" }).click();
  const linkRoomId = await roomIdOf(ana.page);
  const secret = new URL(ana.page.url()).hash.replace(/^#k=/, "");
  assert.equal(Buffer.from(secret, "base64url").length, 16);
  await ben.page.goto(ana.page.url());
  for (const p of [ana, ben]) await people(p, 2);
  await send(ben, texts[1] + " again");
  await ana.page.getByText(texts[1] + " again").waitFor({ timeout: 15000 });

  const stretched = await ana.page.evaluate(() => JSON.parse(sessionStorage.getItem("fc.codeSecret")).secret);
  const needles = {
    code,
    "code as typed": code.toUpperCase().replace(/-/g, " "),
    "code, canonical": code.replace(/-/g, ""),
    "code's secret": stretched,
    "code's secret, raw": Buffer.from(stretched, "base64url"),
    "link's secret": secret,
    "link's secret, raw": Buffer.from(secret, "base64url"),
    ...Object.fromEntries(names.map((n, i) => [`name ${i}`, n])),
    ...Object.fromEntries(names.map((n, i) => [`first name ${i}`, n.split(" ")[0]])),
    ...Object.fromEntries(texts.map((t, i) => [`message ${i}`, t])),
  };
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  const health = await (await fetch(`${server.url}/healthz`)).text();
  const image = memoryImage(server.proc.pid);
  const places = {
    "server log": Buffer.from(server.output()),
    "/metrics": Buffer.from(metrics),
    "/healthz": Buffer.from(health),
    "server memory": image,
    ...Object.fromEntries([ana, ben, cleo].map((p, i) => [`what browser ${i} sent`, Buffer.from(p.sent.join("\n"))])),
  };
  // The looking works: what the server is meant to know is found.
  assert.ok(image.includes(roomId) && image.includes(linkRoomId), "the room ids are in the server's memory");
  assert.ok(places["what browser 0 sent"].includes(roomId), "the join is in the captured frames");
  assert.ok(image.length > 1 << 20, `memory image of ${image.length} bytes`);
  for (const [where, haystack] of Object.entries(places))
    for (const [what, needle] of Object.entries(needles)) assert.ok(!haystack.includes(needle), `${what} found in ${where}`);
  // Every signal the browsers sent was sealed.
  const signals = [ana, ben, cleo].flatMap((p) => p.sent.filter((f) => f.startsWith('42["signal"')));
  assert.ok(signals.length > 0);
  for (const f of signals) assert.equal(JSON.parse(f.slice(2))[1].type, "sealed", f.slice(0, 200));
  for (const p of [ana, ben, cleo]) assert.deepEqual(p.errors, []);
  for (const p of [ana, ben, cleo]) await p.context.close();
});

/** Two people in a new room reached through `proxy`. */
async function pairThrough(url) {
  const ana = await person(browser);
  const ben = await person(browser);
  for (const [n, p] of [["ana", ana], ["ben", ben]]) p.page.on("console", (m) => process.env.FC_PROXY_TRACE && console.error(n, m.text()));
  await ana.page.goto(`${url}/`);
  await ana.page.getByRole("button", { name: "Start a new room" }).click();
  await roomIdOf(ana.page);
  await ben.page.goto(ana.page.url());
  await roomIdOf(ben.page);
  return [ana, ben];
}

async function refusedAndApart(ana, ben, tag) {
  for (const p of [ana, ben]) {
    await p.page.getByRole("alert").filter({ hasText: "A connection was refused" }).waitFor({ timeout: 20000 })
      .catch(async (e) => assert.fail(`${e.message}\n${tag}: the page says: ${await p.page.locator("main").innerText()}`));
    await p.page.locator(".members-toggle").click();
    await p.page.locator("#member-list").getByText("refused: its connection was tampered with").waitFor({ timeout: 20000 });
  }
  await send(ana, `not for the server ${tag}`);
  await ben.page.waitForTimeout(3000);
  assert.equal(await ben.page.getByText(`not for the server ${tag}`).count(), 0);
}

const flipped = (s) => (s[0] === "A" ? "B" : "A") + s.slice(1);

test("a server that changes sealed signals, or swaps in an offer of its own, is refused and named", async () => {
  const modes = {
    // Changes the ciphertext (as rewriting the fingerprint inside would).
    changed: (event, data) => (event === "signal" && data?.type === "sealed" ? [[event, { ...data, payload: { ...data.payload, c: flipped(data.payload.c) } }]] : [[event, data]]),
    // Replaces each sealed signal with an offer in clear whose DTLS
    // fingerprint is the server's.
    swapped: (event, data) =>
      event === "signal" && data?.type === "sealed"
        ? [[event, { from: data.from, type: "offer", payload: { type: "offer", sdp: "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=fingerprint:sha-256 AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99\r\n" } }]]
        : [[event, data]],
  };
  for (const [mode, rewrite] of Object.entries(modes)) {
    const proxy = await startRewritingProxy(server.url, rewrite, { host: lanHost });
    try {
      const [ana, ben] = await pairThrough(proxy.url);
      await refusedAndApart(ana, ben, mode);
      for (const p of [ana, ben]) assert.deepEqual(p.errors, [], mode);
      for (const p of [ana, ben]) await p.context.close();
    } finally {
      await proxy.stop();
    }
  }
});

test("a server that replays a sealed signal is caught, and the link still works", async () => {
  const proxy = await startRewritingProxy(
    server.url,
    (event, data, conn) => {
      if (event !== "signal") return [[event, data]];
      conn.seen = (conn.seen ?? 0) + 1;
      conn.first ??= data;
      return conn.seen === 2 ? [[event, data], [event, conn.first]] : [[event, data]];
    },
    { host: lanHost },
  );
  try {
    const [ana, ben] = await pairThrough(proxy.url);
    for (const p of [ana, ben]) await people(p, 2);
    await send(ana, "through anyway");
    await ben.page.getByText("through anyway").waitFor({ timeout: 15000 });
    await ben.page.getByRole("alert").filter({ hasText: "an old connection request was sent again" }).waitFor({ timeout: 10000 });
    for (const p of [ana, ben]) assert.deepEqual(p.errors, []);
    for (const p of [ana, ben]) await p.context.close();
  } finally {
    await proxy.stop();
  }
});

test("an impostor without the secret (the server's own member) gets refused and learns nothing", async () => {
  const ana = await person(browser);
  const ben = await person(browser);
  await ana.page.goto(`${server.url}/`);
  await ana.page.getByRole("button", { name: "Start a new room" }).click();
  const roomId = await roomIdOf(ana.page);
  await ben.page.goto(ana.page.url());
  for (const p of [ana, ben]) await people(p, 2);

  // It knows the room id (the server does) and joins under it.
  const { socket, ack } = await joined(server.url, roomId, "Trust Me");
  const heard = [];
  socket.on("signal", (s) => heard.push(s));
  const wrongKey = Buffer.alloc(32, 7);
  for (const peer of ack.peers) {
    socket.emit("signal", { to: peer.peerId, type: "offer", payload: { type: "offer", sdp: "v=0\r\n" } });
    socket.emit("signal", { to: peer.peerId, type: "sealed", payload: seal(wrongKey, ack.peerId, peer.peerId, "offer", { type: "offer", sdp: "v=0\r\n" }, 1) });
  }
  for (const p of [ana, ben]) {
    await p.page.getByRole("alert").filter({ hasText: "A connection was refused" }).waitFor({ timeout: 15000 });
    await p.page.locator(".members-toggle").filter({ hasText: /^3 people · 1 direct/ }).waitFor({ timeout: 15000 });
  }
  await send(ana, "members only");
  await ben.page.getByText("members only").waitFor({ timeout: 15000 });
  await ana.page.waitForTimeout(2000);
  // What reached the impostor: sealed signals it cannot open, no names, no text.
  const wire = JSON.stringify(heard);
  for (const s of heard) {
    assert.equal(s.type, "sealed");
    assert.equal(openSealed(wrongKey, s.from, ack.peerId, s.payload), null);
  }
  assert.ok(!wire.includes("members only"));
  assert.ok(!ack.peers.some((p) => p.displayName), "the server was told no names");
  socket.close();
  for (const p of [ana, ben]) assert.deepEqual(p.errors, []);
  for (const p of [ana, ben]) await p.context.close();
});

test("a damaged link says so; a wrong code opens an empty room that says a different code is a different room", async () => {
  const p = await person(browser);
  for (const hash of ["#k=AAECAwQFBgcICQoLDA0OD", "#k=", "#c=!!!", "#x=1"]) {
    await p.page.goto(`${server.url}/r${hash}`);
    await p.page.getByRole("heading", { name: "This room link is damaged" }).waitFor({ timeout: 10000 });
  }
  await p.page.getByRole("button", { name: "Back to the start" }).click();
  await p.page.getByRole("button", { name: "Start a new room" }).waitFor({ timeout: 10000 });
  await p.page.goto(`${server.url}/r#c=nobody-here-${process.pid}`);
  await p.page.getByText("a different code opens a different room").waitFor({ timeout: 20000 });
  assert.deepEqual(p.errors, []);
  await p.context.close();
});
