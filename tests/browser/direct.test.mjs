// No server at all: two people pair by exchanging an invite and an answer,
// once by copy-paste and once by reading the QR codes the app shows.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import jsQR from "jsqr";
import { qrVideo } from "../support/y4m.mjs";
import { startServer } from "../support/server.mjs";
import { lanHost, launchBrowser, person } from "../support/browser.mjs";

const webRoot = join(dirname(fileURLToPath(import.meta.url)), "../../web/dist");
let server;
let browser;
before(async () => {
  // Only serves the page: the pairing view never opens a signaling connection.
  // All interfaces: the camera test needs a secure context (127.0.0.1).
  server = await startServer([], { webRoot, host: lanHost, listen: "0.0.0.0" });
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

test("the pairing view opens after the server is gone (the page fetched it while idle)", async () => {
  const own = await startServer([], { webRoot, host: lanHost });
  const a = await person(browser);
  try {
    await a.page.goto(`${own.url}/`);
    // Loaded, then left idle a moment: the pairing chunks come in by themselves.
    await a.page.waitForFunction(
      () => performance.getEntriesByType("resource").some((e) => /DirectView-.*\.js$/.test(e.name)),
      null, { timeout: 10000 });
    await own.stop(); // the organiser's laptop goes away
    await a.page.getByRole("button", { name: "No network? Pair directly" }).click();
    await a.page.getByRole("button", { name: "Create an invite" }).click();
    assert.match(await a.page.getByLabel("Your invite", { exact: true }).inputValue(), /^FC1\.o\./);
    assert.deepEqual(a.errors, []);
  } finally {
    await a.context.close();
    await own.stop();
  }
});

test("on plain http the pairing view says in one line why there is no camera or copy, and links to the help", async (t) => {
  if (lanHost === "127.0.0.1") return t.skip("localhost is a secure context");
  const a = await open();
  await a.page.getByText("Scanning with the camera needs a secure (https://) address").waitFor({ timeout: 5000 });
  await a.page.getByRole("button", { name: "Create an invite" }).click();
  await a.page.getByText("Copying needs a secure (https://) address").first().waitFor({ timeout: 5000 });
  await a.page.getByRole("link", { name: "Why, and how to serve HTTPS" }).first().click();
  await a.page.getByRole("heading", { name: "HTTPS at the venue" }).waitFor({ timeout: 5000 });
  assert.deepEqual(a.errors, []);
  await a.context.close();
});

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

test("the invited phone scans the invite with its camera", async () => {
  const a = await open();
  await a.page.getByRole("button", { name: "Create an invite" }).click();
  const invite = await a.page.getByLabel("Your invite", { exact: true }).inputValue();
  // B's camera looks at A's screen.
  const video = join(mkdtempSync(join(tmpdir(), "fc-cam-")), "invite.y4m");
  qrVideo(video, invite);
  const camBrowser = await launchBrowser({ camera: video });
  try {
    const b = await person(camBrowser);
    // The camera needs a secure context: at a venue that means HTTPS; here,
    // localhost (A stays at the LAN address).
    await b.page.goto(`${server.url.replace(lanHost, "127.0.0.1")}/direct`);
    await b.page.getByRole("button", { name: "Scan with camera" }).click();
    await b.page.waitForFunction(() => document.querySelector("#invite-in")?.value.startsWith("FC1.o."), null, {
      timeout: 15000,
    });
    assert.equal(await b.page.getByLabel("Or paste an invite").inputValue(), invite);
    await b.page.getByRole("button", { name: "Answer the invite" }).click();
    const answer = await b.page.getByLabel("Your answer", { exact: true }).inputValue();
    await a.page.getByLabel("Paste their answer").fill(answer);
    await a.page.getByRole("button", { name: "Connect" }).click();
    await chat(a, b);
    await b.context.close();
  } finally {
    await camBrowser.close();
    await a.context.close();
  }
});
