// The web app on a cluster: two nodes on one Redis, behind a round-robin
// HAProxy with no stickiness, served at the LAN address over plain http.
// Three people reach the room through different nodes (one each directly,
// one through the balancer, whose requests land on both) and chat.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startCluster } from "../support/server.mjs";
import { startHaproxy } from "../support/haproxy.mjs";
import { lanHost, launchBrowser, person } from "../support/browser.mjs";

const webRoot = join(dirname(fileURLToPath(import.meta.url)), "../../web/dist");
let cluster;
let lb;
let browser;
before(async () => {
  cluster = await startCluster(2, ["--stun-urls", "none"], { webRoot, host: lanHost, spread: false });
  lb = await startHaproxy(cluster.urls, { host: lanHost });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await lb?.stop();
  await cluster?.stop();
});

async function send(page, text) {
  await page.getByLabel("Message").fill(text);
  await page.getByRole("button", { name: "Send" }).click();
}

async function members(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^fc_members (\d+)$/m.exec(text)?.[1] ?? NaN);
}

test("three people on two nodes and a balancer chat in one room", async () => {
  const room = `cluster-${process.pid}`;
  const people = [];
  for (const url of [cluster.urls[0], cluster.urls[1], lb.url]) {
    const p = await person(browser);
    await p.page.goto(`${url}/r/${room}`);
    people.push(p);
  }
  for (const p of people) await p.page.locator(".peer.direct").nth(1).waitFor({ timeout: 20000 });
  // Members really are on both nodes.
  assert.ok((await members(cluster.urls[0])) >= 1);
  assert.ok((await members(cluster.urls[1])) >= 1);
  for (const [i, p] of people.entries()) await send(p.page, `hello from ${i}`);
  for (const p of people)
    for (let i = 0; i < 3; i++) await p.page.getByText(`hello from ${i}`).waitFor({ timeout: 10000 });
  for (const p of people) assert.deepEqual(p.errors, []);
  for (const p of people) await p.context.close();
});
