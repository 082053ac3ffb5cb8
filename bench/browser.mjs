// Browser-level figures for the web app, measured in headless Chromium
// against the real server on loopback (run inside the test network
// namespace, see run-browser.sh):
//   - join -> first data channel open -> first message shown
//   - reload -> chatting again (direct data channel, history shown)
//   - first load on an emulated slow 3G link
// Prints one JSON object; never asserts timings (these machines are noisy).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "../tests/support/server.mjs";
import { launchBrowser, person } from "../tests/support/browser.mjs";

const webRoot = join(dirname(fileURLToPath(import.meta.url)), "../web/dist");
const runs = Number(process.env.RUNS ?? 5);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function joinToMessage(browser, server, i) {
  const room = `bench-${i}`;
  const a = await person(browser);
  await a.page.goto(`${server.url}/r/${room}`);
  await a.page.getByText("online", { exact: true }).waitFor();
  const b = await person(browser);
  const t0 = Date.now();
  await b.page.goto(`${server.url}/r/${room}`);
  await b.page.locator(".peer.direct").first().waitFor({ timeout: 20000 });
  const open = Date.now() - t0;
  await a.page.getByLabel("Message").fill("ping");
  await a.page.getByRole("button", { name: "Send" }).click();
  await b.page.getByText("ping", { exact: true }).waitFor();
  const message = Date.now() - t0;
  const r0 = Date.now();
  await b.page.reload();
  await b.page.locator(".peer.direct").first().waitFor({ timeout: 20000 });
  await b.page.getByText("ping", { exact: true }).waitFor();
  const reload = Date.now() - r0;
  await a.context.close();
  await b.context.close();
  return { open, message, reload };
}

async function slow3g(browser, server) {
  const p = await person(browser);
  const cdp = await p.context.newCDPSession(p.page);
  await cdp.send("Network.enable");
  // Chrome DevTools' "Slow 3G" preset
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 400 * 5 / 4,
    downloadThroughput: (500 * 1000) / 8 * 0.8,
    uploadThroughput: (500 * 1000) / 8 * 0.8,
  });
  const t0 = Date.now();
  await p.page.goto(`${server.url}/`);
  await p.page.getByRole("button", { name: "Start a new room" }).waitFor();
  const usable = Date.now() - t0;
  await p.context.close();
  return usable;
}

const server = await startServer(["--stun-urls", "none", "--log-level", "warn"], { webRoot });
const browser = await launchBrowser();
try {
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(await joinToMessage(browser, server, i));
  const result = {
    runs,
    join_to_channel_open_ms: median(samples.map((s) => s.open)),
    join_to_first_message_ms: median(samples.map((s) => s.message)),
    reload_to_chatting_ms: median(samples.map((s) => s.reload)),
    slow3g_first_load_usable_ms: await slow3g(browser, server),
    reference_system: { connect_ms: "215-225", refresh_recovery_ms: "5000-8000" },
  };
  console.log(JSON.stringify(result, null, 2));
} finally {
  await browser.close();
  await server.stop();
}
