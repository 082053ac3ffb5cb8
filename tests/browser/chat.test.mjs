// Three people join one room through /r/<room>; every message reaches
// everyone over WebRTC data channels.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "../support/server.mjs";
import { lanHost, launchBrowser, person } from "../support/browser.mjs";

const webRoot = join(dirname(fileURLToPath(import.meta.url)), "../../web/dist");
let server;
let browser;
before(async () => {
  server = await startServer(["--stun-urls", "none"], { webRoot, host: lanHost });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function send(page, text) {
  await page.getByLabel("Message").fill(text);
  await page.getByRole("button", { name: "Send" }).click();
}

test("three people in one room all see each other's messages", async () => {
  const room = `stage-${process.pid}`;
  const people = [];
  for (let i = 0; i < 3; i++) {
    const p = await person(browser);
    await p.page.goto(`${server.url}/r/${room}`);
    people.push(p);
  }
  // As at a venue: plain http at the LAN address is not a secure context.
  assert.equal(await people[0].page.evaluate(() => window.isSecureContext), lanHost === "127.0.0.1");
  // everyone sees two direct peers
  for (const p of people)
    await p.page.locator(".peer.direct").nth(1).waitFor({ timeout: 20000 });
  for (const [i, p] of people.entries()) await send(p.page, `hello from ${i}`);
  for (const p of people)
    for (let i = 0; i < 3; i++)
      await p.page.getByText(`hello from ${i}`).waitFor({ timeout: 10000 });
  for (const p of people) assert.deepEqual(p.errors, []);
  // The README screenshot (docs/screenshot-room.png is a copy of this one).
  await people[0].page.screenshot({ path: join(dirname(fileURLToPath(import.meta.url)), "../../build/screenshot-room.png") });
  for (const p of people) await p.context.close();
});

test("a person renames themself: the others see the new name, and it is remembered", async () => {
  const room = `names-${process.pid}`;
  const a = await person(browser);
  const b = await person(browser);
  await a.page.goto(`${server.url}/r/${room}`);
  await b.page.goto(`${server.url}/r/${room}`);
  for (const p of [a, b]) await p.page.locator(".peer.direct").first().waitFor({ timeout: 20000 });
  await a.page.getByRole("button", { name: "Change name" }).click();
  await a.page.getByLabel("Your name").fill("Captain Ana");
  await a.page.getByLabel("Your name").press("Enter");
  await a.page.getByText("Captain Ana (you)").waitFor({ timeout: 5000 });
  await b.page.locator(".peer", { hasText: "Captain Ana" }).waitFor({ timeout: 10000 });
  await send(a.page, "new name, same me");
  await b.page.locator(".messages li", { hasText: "new name, same me" }).getByText("Captain Ana").waitFor({ timeout: 10000 });
  // Remembered (localStorage) and carried by the next join.
  await a.page.reload();
  await a.page.getByText("Captain Ana (you)").waitFor({ timeout: 5000 });
  await b.page.locator(".peer.direct", { hasText: "Captain Ana" }).waitFor({ timeout: 20000 });
  assert.deepEqual(a.errors, []);
  assert.deepEqual(b.errors, []);
  await a.context.close();
  await b.context.close();
});

test("someone who joins after a rename sees the new name, not the one the server was told", async () => {
  const room = `late-${process.pid}`;
  const a = await person(browser);
  await a.page.goto(`${server.url}/r/${room}`);
  await a.page.getByText("online", { exact: true }).waitFor({ timeout: 10000 });
  await a.page.getByRole("button", { name: "Change name" }).click();
  await a.page.getByLabel("Your name").fill("Renamed Rita");
  await a.page.getByLabel("Your name").press("Enter");
  await a.page.getByText("Renamed Rita (you)").waitFor({ timeout: 5000 });
  const b = await person(browser);
  await b.page.goto(`${server.url}/r/${room}`);
  await b.page.locator(".peer.direct", { hasText: "Renamed Rita" }).waitFor({ timeout: 20000 });
  assert.deepEqual(a.errors, []);
  assert.deepEqual(b.errors, []);
  await a.context.close();
  await b.context.close();
});
