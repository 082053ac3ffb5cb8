// What the app exists for: chat survives the signaling server going away,
// and a reloaded tab is back with its history.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "../support/server.mjs";
import { launchBrowser, person } from "../support/browser.mjs";

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
  const server = await startServer(["--stun-urls", "none"], { webRoot });
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
  const server = await startServer(["--stun-urls", "none"], { webRoot });
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
  let server = await startServer(["--stun-urls", "none"], { webRoot });
  const port = server.port;
  const [a, b] = await pair(server, room);
  await server.stop();
  await a.page.getByText("offline: chatting peer-to-peer only").waitFor({ timeout: 10000 });
  server = await startServer(["--stun-urls", "none", "--port", String(port)], { webRoot });
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
