// Same device, no server: two tabs of one browser chat over
// BroadcastChannel.
import { test } from "node:test";
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "../support/server.mjs";
import { lanHost, launchBrowser } from "../support/browser.mjs";

const webRoot = join(dirname(fileURLToPath(import.meta.url)), "../../web/dist");

test("two tabs chat with no signaling server reachable", async () => {
  // The server only serves the files; the app is pointed at a signaling
  // address where nothing listens.
  const server = await startServer([], { webRoot, host: lanHost });
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const url = `${server.url}/r/tabs-${process.pid}?signal=http://127.0.0.1:9`;
    const one = await context.newPage();
    const two = await context.newPage();
    await one.goto(url);
    await two.goto(url);
    for (const p of [one, two]) await p.locator(".peer.same-device").waitFor({ timeout: 10000 });
    await one.getByLabel("Message").fill("tab one here");
    await one.getByRole("button", { name: "Send" }).click();
    await two.getByText("tab one here").waitFor({ timeout: 5000 });
    await two.getByLabel("Message").fill("tab two too");
    await two.keyboard.press("Enter");
    await one.getByText("tab two too").waitFor({ timeout: 5000 });
    assert.equal(await one.getByText("offline: chatting peer-to-peer only").count(), 1);
    await context.close();
  } finally {
    await browser.close();
    await server.stop();
  }
});
