// No server at all: two people pair by exchanging an invite and an answer,
// once by copy-paste and once by reading the QR codes the app shows.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import jsQR from "jsqr";
import { startServer } from "../support/server.mjs";
import { launchBrowser, person } from "../support/browser.mjs";

const webRoot = join(dirname(fileURLToPath(import.meta.url)), "../../web/dist");
let server;
let browser;
before(async () => {
  // Only serves the page: the pairing view never opens a signaling connection.
  server = await startServer([], { webRoot });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function open() {
  const p = await person(browser);
  await p.page.goto(`${server.url}/`);
  await p.page.getByRole("button", { name: "No network? Pair directly" }).click();
  return p;
}

/** Reads the QR code drawn on the page's canvas, as a camera would. */
async function readQr(page) {
  const canvas = page.locator("canvas.pair-qr");
  await canvas.waitFor();
  const img = await canvas.evaluate((c) => {
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height);
    return { width: d.width, height: d.height, data: Array.from(d.data) };
  });
  const result = jsQR(Uint8ClampedArray.from(img.data), img.width, img.height);
  assert.ok(result, "QR code decodes");
  return result.data;
}

async function chat(a, b) {
  for (const p of [a, b]) await p.page.getByText("connected directly").waitFor({ timeout: 20000 });
  await a.page.getByLabel("Message").fill("direct hello");
  await a.page.getByRole("button", { name: "Send" }).click();
  await b.page.getByText("direct hello").waitFor({ timeout: 10000 });
  await b.page.getByLabel("Message").fill("direct reply");
  await b.page.getByRole("button", { name: "Send" }).click();
  await a.page.getByText("direct reply").waitFor({ timeout: 10000 });
}

test("pairing by copy-paste, then chatting with no server", async () => {
  const a = await open();
  const b = await open();
  await a.page.getByRole("button", { name: "Create an invite" }).click();
  const invite = await a.page.getByLabel("Your invite", { exact: true }).inputValue();
  assert.match(invite, /^FC1\.o\./);
  await b.page.getByLabel("Or paste an invite").fill(invite);
  await b.page.getByRole("button", { name: "Answer the invite" }).click();
  const answer = await b.page.getByLabel("Your answer", { exact: true }).inputValue();
  assert.match(answer, /^FC1\.a\./);
  await a.page.getByLabel("Paste their answer").fill(answer);
  await a.page.getByRole("button", { name: "Connect" }).click();
  await chat(a, b);
  assert.deepEqual([...a.errors, ...b.errors], []);
  await a.context.close();
  await b.context.close();
});

test("pairing by QR codes", async () => {
  const a = await open();
  const b = await open();
  await a.page.getByRole("button", { name: "Create an invite" }).click();
  const invite = await readQr(a.page);
  assert.equal(invite, await a.page.getByLabel("Your invite", { exact: true }).inputValue());
  await b.page.getByLabel("Or paste an invite").fill(invite);
  await b.page.getByRole("button", { name: "Answer the invite" }).click();
  const answer = await readQr(b.page);
  await a.page.getByLabel("Paste their answer").fill(answer);
  await a.page.getByRole("button", { name: "Connect" }).click();
  await chat(a, b);
  await a.context.close();
  await b.context.close();
});
