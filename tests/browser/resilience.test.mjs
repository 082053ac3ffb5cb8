// What the app exists for: chat survives the signaling server going away,
// and a reloaded tab is back with its history.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "../support/server.mjs";
import { lanHost, launchBrowser, person } from "../support/browser.mjs";

const webRoot = join(dirname(fileURLToPath(import.meta.url)), "../../web/dist");
let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

async function send(page, text) {
  await page.getByLabel("Message").fill(text);
  await page.getByRole("button", { name: "Send" }).click();
}

async function pair(server, room) {
  const a = await person(browser);
  const b = await person(browser);
  await a.page.goto(`${server.url}/r/${room}`);
  await b.page.goto(`${server.url}/r/${room}`);
  for (const p of [a, b]) await p.page.locator(".peer.direct").first().waitFor({ timeout: 20000 });
  return [a, b];
}

test("messages keep flowing when the signaling server dies", async () => {
  const server = await startServer(["--stun-urls", "none"], { webRoot, host: lanHost });
  const [a, b] = await pair(server, `dies-${process.pid}`);
  await server.stop();
  await a.page.getByText("offline: chatting peer-to-peer only").waitFor({ timeout: 10000 });
  await send(a.page, "still here after the server left");
  await b.page.getByText("still here after the server left").waitFor({ timeout: 10000 });
  await send(b.page, "and back");
  await a.page.getByText("and back").waitFor({ timeout: 10000 });
  await a.context.close();
  await b.context.close();
});

test("a reloaded tab is chatting again with its history", async () => {
  const server = await startServer(["--stun-urls", "none"], { webRoot, host: lanHost });
  try {
    const [a, b] = await pair(server, `reload-${process.pid}`);
    await send(a.page, "before the reload");
    await b.page.getByText("before the reload").waitFor({ timeout: 10000 });
    const started = Date.now();
    await b.page.reload();
    await b.page.getByText("before the reload").waitFor({ timeout: 5000 }); // history kept
    await b.page.locator(".peer.direct").first().waitFor({ timeout: 20000 });
    const reconnectMs = Date.now() - started;
    // one member only: the stale self was replaced, not duplicated
    assert.equal(await a.page.locator(".peer").count(), 1);
    await send(b.page, "after the reload");
    await a.page.getByText("after the reload").waitFor({ timeout: 10000 });
    await send(a.page, "welcome back");
    await b.page.getByText("welcome back").waitFor({ timeout: 10000 });
    console.log(`# reload -> direct again in ${reconnectMs} ms`);
    await a.context.close();
    await b.context.close();
  } finally {
    await server.stop();
  }
});

test("after a signaling restart the room heals: a newcomer reaches everyone", async () => {
  const room = `restart-${process.pid}`;
  let server = await startServer(["--stun-urls", "none"], { webRoot, host: lanHost });
  const port = server.port;
  const [a, b] = await pair(server, room);
  await server.stop();
  await a.page.getByText("offline: chatting peer-to-peer only").waitFor({ timeout: 10000 });
  server = await startServer(["--stun-urls", "none", "--port", String(port)], { webRoot, host: lanHost });
  try {
    for (const p of [a, b]) await p.page.getByText("online", { exact: true }).waitFor({ timeout: 20000 });
    const c = await person(browser);
    await c.page.goto(`${server.url}/r/${room}`);
    await c.page.locator(".peer.direct").nth(1).waitFor({ timeout: 20000 });
    await send(c.page, "newcomer says hi");
    await a.page.getByText("newcomer says hi").waitFor({ timeout: 10000 });
    await b.page.getByText("newcomer says hi").waitFor({ timeout: 10000 });
    // the old pair never lost each other
    assert.equal(await a.page.locator(".peer.direct").count(), 2);
    for (const p of [a, b, c]) await p.context.close();
  } finally {
    await server.stop();
  }
});

test("a phone that loses signaling for a while keeps chatting, then rejoins", async () => {
  // A short heartbeat so both sides notice the outage quickly.
  const server = await startServer(["--stun-urls", "none", "--ping-interval", "1000", "--ping-timeout", "1000"], { webRoot, host: lanHost });
  try {
    const [a, b] = await pair(server, `blip-${process.pid}`);
    // Only HTTP and WebSocket traffic goes offline; WebRTC is untouched.
    const cdp = await b.context.newCDPSession(b.page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", { offline: true, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await b.page.getByText("offline: chatting peer-to-peer only").waitFor({ timeout: 15000 });
    await send(b.page, "during the outage");
    await a.page.getByText("during the outage").waitFor({ timeout: 10000 });
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await b.page.getByText("online", { exact: true }).waitFor({ timeout: 20000 });
    await send(a.page, "after the outage");
    await b.page.getByText("after the outage").waitFor({ timeout: 10000 });
    assert.equal(await a.page.locator(".peer").count(), 1);
    assert.equal(await b.page.locator(".peer.direct").count(), 1);
    await a.context.close();
    await b.context.close();
  } finally {
    await server.stop();
  }
});

// Makes the page think its tab went to the background (or came back).
async function setHidden(page, hidden) {
  await page.evaluate((h) => {
    Object.defineProperty(document, "hidden", { configurable: true, get: () => h });
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => (h ? "hidden" : "visible") });
    document.dispatchEvent(new Event("visibilitychange"));
  }, hidden);
}

test("a backgrounded tab lets go of signaling but keeps chatting, and rejoins on return", async () => {
  const server = await startServer(["--stun-urls", "none"], { webRoot, host: lanHost });
  const room = `background-${process.pid}`;
  try {
    const a = await person(browser);
    const b = await person(browser);
    await a.page.goto(`${server.url}/r/${room}`);
    await b.page.goto(`${server.url}/r/${room}?background=500`);
    for (const p of [a, b]) await p.page.locator(".peer.direct").first().waitFor({ timeout: 20000 });
    await setHidden(b.page, true);
    await b.page.getByText("offline: chatting peer-to-peer only").waitFor({ timeout: 10000 });
    // the server saw b go: a newcomer now would not find b
    const health = async () => (await (await fetch(`${server.url}/healthz`)).json()).members;
    for (let i = 0; i < 50 && (await health()) !== 1; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await health(), 1);
    await send(a.page, "while you were away");
    await b.page.getByText("while you were away").waitFor({ timeout: 10000 });
    await setHidden(b.page, false);
    await b.page.getByText("online", { exact: true }).waitFor({ timeout: 20000 });
    const c = await person(browser);
    await c.page.goto(`${server.url}/r/${room}`);
    await c.page.locator(".peer.direct").nth(1).waitFor({ timeout: 20000 });
    await send(c.page, "found you both");
    for (const p of [a, b]) await p.page.getByText("found you both").waitFor({ timeout: 10000 });
    assert.equal(await a.page.locator(".peer").count(), 2);
    for (const p of [a, b, c]) await p.context.close();
  } finally {
    await server.stop();
  }
});
