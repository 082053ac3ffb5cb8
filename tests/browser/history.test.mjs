// The room's history as people live it: it survives a closed tab (it is in
// IndexedDB), a phone that was away catches up from whoever is there, in
// the same order as everyone else, with a marker where it was away, and
// what someone said before they left still reaches a newcomer.
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
  await page.locator("#message").fill(text);
  await page.getByRole("button", { name: "Send" }).click();
}

/** The texts a person sees, top to bottom. */
const shown = (page) => page.locator("ol.messages li .text").allTextContents();

async function waitForTexts(page, texts, timeout = 20000) {
  const deadline = Date.now() + timeout;
  let seen = [];
  while (Date.now() < deadline) {
    seen = await shown(page);
    if (texts.every((t) => seen.includes(t))) return seen;
    await page.waitForTimeout(100);
  }
  assert.fail(`still missing ${texts.filter((t) => !seen.includes(t)).join(", ")}; shown: ${seen.join(" | ")}`);
}

async function open(p, room) {
  await p.page.goto(`${server.url}/r/${room}`);
}

test("history survives closing the tab: a new tab of the room shows it before anyone else is there", async () => {
  const room = `kept-${process.pid}`;
  const a = await person(browser);
  await open(a, room);
  for (const t of ["first", "second", "third"]) await send(a.page, t);
  await waitForTexts(a.page, ["first", "second", "third"]);
  await a.page.close();
  const again = await a.context.newPage();
  await again.goto(`${server.url}/r/${room}`);
  assert.deepEqual(await waitForTexts(again, ["first", "second", "third"], 10000), ["first", "second", "third"]);
  await a.context.close();
});

test("a phone that was away catches up from the others, in the same order, with a marker", async () => {
  const room = `away-${process.pid}`;
  const [a, b, c] = [await person(browser), await person(browser), await person(browser)];
  for (const p of [a, b, c]) await open(p, room);
  for (const p of [a, b, c]) await p.page.locator(".peer.direct").nth(1).waitFor({ timeout: 30000 });
  await send(a.page, "before the break");
  for (const p of [a, b, c]) await waitForTexts(p.page, ["before the break"]);

  // c closes its tab and is away while a and b talk.
  await c.page.close();
  await send(a.page, "said while c was away 1");
  await send(b.page, "said while c was away 2");
  await send(a.page, "said while c was away 3");
  const expected = ["before the break", "said while c was away 1", "said while c was away 2", "said while c was away 3"];
  await waitForTexts(a.page, expected);
  await waitForTexts(b.page, expected);

  // c comes back in a new tab: its stored history at once, the rest caught up.
  c.page = await c.context.newPage();
  await open(c, room);
  await waitForTexts(c.page, expected, 30000);
  const order = await shown(a.page);
  assert.deepEqual(await shown(b.page), order);
  assert.deepEqual(await shown(c.page), order);
  // The marker sits right above the first message c missed.
  const firstMissed = c.page.locator("ol.messages li", { hasText: "said while c was away 1" });
  const marker = c.page.getByText("New since you were away");
  await marker.waitFor({ timeout: 5000 });
  const [mBox, fBox] = [await marker.boundingBox(), await firstMissed.boundingBox()];
  assert.ok(mBox && fBox && mBox.y < fBox.y, "the marker is above the first missed message");
  for (const p of [a, b, c]) assert.deepEqual(p.errors, []);
  for (const p of [a, b, c]) await p.context.close();
});

test("what was said before someone left reaches a newcomer through whoever is still there", async () => {
  const room = `relay-${process.pid}`;
  const [a, b] = [await person(browser), await person(browser)];
  await open(a, room);
  await send(a.page, "typed while alone"); // the outbox: no one is there yet
  const own = a.page.locator("ol.messages li", { hasText: "typed while alone" });
  await own.getByText("not sent yet").waitFor({ timeout: 5000 });
  await open(b, room);
  await waitForTexts(b.page, ["typed while alone"], 30000);
  // b's receipt: a's message now says it reached everyone present.
  await own.getByText("sent to everyone").waitFor({ timeout: 10000 });
  await send(a.page, "a's last words");
  await waitForTexts(b.page, ["a's last words"]);
  await a.context.close(); // a leaves
  const c = await person(browser);
  await open(c, room);
  assert.deepEqual(await waitForTexts(c.page, ["typed while alone", "a's last words"], 30000), ["typed while alone", "a's last words"]);
  assert.deepEqual(c.errors, []);
  for (const p of [b, c]) await p.context.close();
});
