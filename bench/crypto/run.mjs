// Private rooms' costs (issue 12), in headless Chromium: the app's own
// crypto code per chat message (sign + verify) and per signal (seal +
// open) on the WebCrypto path (a secure context) and the pure-JS path (the
// plain-http venue LAN); the time from opening a room's link to the room,
// by link (HKDF only) and by code (scrypt first), at full speed and with
// Chromium's CPU throttling standing in for a phone; and the bundle.
// Figures, never assertions. Run it with bench/crypto/run.sh (a network
// namespace, as the browser tests use); --write puts the tables in
// docs/benchmarks.md between <!-- crypto:begin --> and <!-- crypto:end -->.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { launchBrowser, person } from "../../tests/support/browser.mjs";
import { startServer } from "../../tests/support/server.mjs";

const repo = join(dirname(fileURLToPath(import.meta.url)), "../..");
const webDir = join(repo, "web");
const outDir = join(repo, "build/bench-crypto");
const write = process.argv.includes("--write");
const quick = process.argv.includes("--quick");
const RUNS = quick ? 1 : 5;
const THROTTLE = 4; // Chromium's "mid-tier mobile" preset slows the CPU 4x
const lanHost = process.env.FC_LAN_HOST ?? "127.0.0.1";
const log = (...a) => console.error(new Date().toISOString().slice(11, 19), ...a);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// The bench script: entry.ts and what it imports, built with the web app's Vite.
const vite = await import(pathToFileURL(createRequire(join(webDir, "package.json")).resolve("vite")).href);
await vite.build({
  configFile: false,
  root: webDir,
  logLevel: "warn",
  build: {
    target: "es2020",
    outDir,
    emptyOutDir: true,
    lib: { entry: join(repo, "bench/crypto/entry.ts"), formats: ["iife"], name: "fcCryptoBenchLib", fileName: () => "crypto-bench.js" },
  },
});
const script = join(outDir, "crypto-bench.js");

const server = await startServer(["--stun-urls", "none"], { webRoot: join(webDir, "dist"), host: lanHost, listen: "0.0.0.0" });
const origins = { webcrypto: `http://127.0.0.1:${server.port}`, noble: `http://${lanHost}:${server.port}` };
const browser = await launchBrowser();
const results = { date: new Date().toISOString(), chromium: browser.version(), throttle: THROTTLE, perMessage: {}, join: {}, bundle: {} };

async function page(origin, rate) {
  // The app's CSP allows no inline script; the bench script is added as one.
  const p = await person(browser, { bypassCSP: true });
  const cdp = await p.context.newCDPSession(p.page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate });
  await p.page.goto(`${origin}/`);
  return p;
}

try {
  // Per message and per signal, on both paths, at full speed and throttled.
  for (const rate of [1, THROTTLE]) {
    const p = await page(origins.webcrypto, rate);
    await p.page.addScriptTag({ path: script });
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await p.page.evaluate((n) => window.fcCryptoBench.run(n), quick ? 50 : 300));
    const pick = (path, op) => Math.round(median(runs.map((r) => r[path][op])) * 10) / 10;
    results.perMessage[`cpu/${rate}`] = Object.fromEntries(
      ["webcrypto", "noble"].map((path) => [path, Object.fromEntries(["sign", "verify", "seal", "open"].map((op) => [op, pick(path, op)]))]),
    );
    log(`per message at cpu/${rate}:`, JSON.stringify(results.perMessage[`cpu/${rate}`]));
    await p.context.close();
  }

  // Opening a room: navigation to the room's view, a fresh device each time.
  for (const rate of [1, THROTTLE]) {
    for (const [path, origin] of Object.entries(origins)) {
      for (const kind of ["link", "code"]) {
        const times = [];
        for (let i = 0; i < RUNS; i++) {
          const p = await page(origin, rate);
          const hash = kind === "link" ? "#k=AAECAwQFBgcICQoLDA0ODw" : `#c=k7qf-m2xp-th${i}r`;
          const t = Date.now();
          await p.page.goto(`${origin}/r${hash}`);
          await p.page.locator("main.room[data-room-id]").waitFor({ timeout: 120000 });
          times.push(Date.now() - t);
          await p.context.close();
        }
        results.join[`cpu/${rate} ${path} ${kind}`] = median(times);
        log(`open a room by ${kind}, ${path}, cpu/${rate}: ${median(times)} ms (${times.join(", ")})`);
      }
    }
  }
} finally {
  await browser.close();
  await server.stop();
}

// The bundle: what every first visit loads, and the chunks loaded on demand.
const assets = join(webDir, "dist/assets");
for (const f of readdirSync(assets).filter((f) => /\.(js|css)$/.test(f))) {
  const name = f.replace(/-[A-Za-z0-9_-]{8}\.(js|css)$/, ".$1");
  results.bundle[name] = gzipSync(readFileSync(join(assets, f))).length;
}
const initial = (results.bundle["index.js"] ?? 0) + (results.bundle["index.css"] ?? 0);
results.bundle.initial = initial;

const kb = (b) => `${(b / 1024).toFixed(1)} KiB`;
const us = (x) => `${x} µs`;
const pm = (r) => results.perMessage[`cpu/${r}`];
const lines = [
  `Produced by \`bench/crypto/run.sh${write ? " --write" : ""}\` on ${results.date.slice(0, 19).replace("T", " ")} UTC in ${results.chromium} (headless, this machine: shared, 2 cores). Median of ${RUNS} runs. The web app's own code (\`web/src/crypto\`, \`chat/authors.ts\`), built into a page; CPU throttling by the DevTools protocol (\`Emulation.setCPUThrottlingRate\`, ${THROTTLE}x, Chromium's mid-tier phone preset).`,
  "",
  "| Per chat message or signal | WebCrypto | pure JS (noble) | WebCrypto, CPU/" + THROTTLE + " | noble, CPU/" + THROTTLE + " |",
  "| --- | ---: | ---: | ---: | ---: |",
  ...[["sign", "sign a message (Ed25519)"], ["verify", "check a message's signature"], ["seal", "seal a 2 KiB signal (AES-256-GCM)"], ["open", "open a sealed signal"]].map(
    ([op, what]) => `| ${what} | ${us(pm(1).webcrypto[op])} | ${us(pm(1).noble[op])} | ${us(pm(THROTTLE).webcrypto[op])} | ${us(pm(THROTTLE).noble[op])} |`,
  ),
  `| a message, written and read (sign + verify) | ${us(Math.round((pm(1).webcrypto.sign + pm(1).webcrypto.verify) * 10) / 10)} | ${us(Math.round((pm(1).noble.sign + pm(1).noble.verify) * 10) / 10)} | ${us(Math.round((pm(THROTTLE).webcrypto.sign + pm(THROTTLE).webcrypto.verify) * 10) / 10)} | ${us(Math.round((pm(THROTTLE).noble.sign + pm(THROTTLE).noble.verify) * 10) / 10)} |`,
  "",
  "| Opening a room (navigation to the room view, a new device) | full speed | CPU/" + THROTTLE + " |",
  "| --- | ---: | ---: |",
  ...["link", "code"].flatMap((kind) =>
    Object.keys(origins).map((path) => `| by ${kind === "link" ? "link (HKDF only)" : "typed code (scrypt N=2^15 first)"}, ${path === "noble" ? "plain-http LAN (noble)" : "secure context (WebCrypto; scrypt is noble)"} | ${results.join[`cpu/1 ${path} ${kind}`]} ms | ${results.join[`cpu/${THROTTLE} ${path} ${kind}`]} ms |`),
  ),
  "",
  `Bundle (gzip): first load ${kb(initial)} (index.js ${kb(results.bundle["index.js"])} + index.css ${kb(results.bundle["index.css"])}; budget 60 KiB); loaded on demand: ${Object.entries(results.bundle).filter(([n]) => !/^index\.|^initial$/.test(n)).map(([n, b]) => `${n} ${kb(b)}`).join(", ")}.`,
];
const table = lines.join("\n");
console.log(table);
if (!quick) {
  mkdirSync(join(repo, "bench/results"), { recursive: true });
  writeFileSync(join(repo, `bench/results/crypto-${results.date.slice(0, 10)}.json`), JSON.stringify(results, null, 2) + "\n");
}
if (write) {
  const doc = join(repo, "docs/benchmarks.md");
  const text = readFileSync(doc, "utf8");
  const begin = "<!-- crypto:begin -->";
  const end = "<!-- crypto:end -->";
  const block = `${begin}\n${table}\n${end}`;
  writeFileSync(doc, text.includes(begin) ? text.replace(new RegExp(`${begin}[\\s\\S]*?${end}`), block) : `${text.trimEnd()}\n\n## Private rooms: crypto cost, joining, bundle\n\n${block}\n`);
}
