// Field figures: the web app on the network lab (tests/lab/net.mjs), each
// phone its own Chromium in its own namespace, the server at the hub's LAN
// address over plain http, as at a venue. Run inside the lab's namespace
// (bench/field/run.sh). Prints one JSON object and, with --write, puts a
// table into docs/benchmarks.md between the field markers. Never asserts:
// these machines are shared and noisy; figures are medians of RUNS runs.
//
//   join -> first message on the LAN       B opens the room; A's message shown on B
//   cut -> caught up                       20 s of silent Wi-Fi while two others talk;
//                                          Wi-Fi back -> every missed message shown
//   roaming recovery                       new address -> a message sent right after
//                                          it shown on the roamed phone and back
//   TURN-relayed connect                   two phones behind symmetric NATs: B opens
//                                          the room -> both chips "relayed via TURN"
//   sync throughput                        a newcomer's first data channel open -> the
//                                          room's 1,000 messages in its IndexedDB
//   IndexedDB cost per 1,000 messages      growth of the profile's IndexedDB folder
//   history first paint after reload       reload -> first message row painted
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "../../tests/support/server.mjs";
import { Lab } from "../../tests/lab/net.mjs";
import { lanLab } from "../../tests/lab/lan-lab.mjs";
import { launchPhone, messages, members, openRoom, poll, send, sleep, waitAllShown, waitMembers, webRoot } from "../../tests/lab/phones.mjs";

const repo = join(dirname(fileURLToPath(import.meta.url)), "../..");
const RUNS = Number(process.env.RUNS ?? 5);
const CUT_MS = Number(process.env.CUT_MS ?? 20000);
const CATCH_UP_MS = Number(process.env.CATCH_UP_MS ?? 30000);
const only = process.argv.find((a) => a.startsWith("--only="))?.slice(7).split(",");
const want = (k) => !only || only.includes(k);

const median = (xs) => {
  const v = xs.filter((x) => typeof x === "number").sort((a, b) => a - b);
  return v.length ? v[Math.floor(v.length / 2)] : null;
};
const log = (...a) => console.error("#", ...a);

/** Sends `n` messages from the page itself (no round trip per message). */
function burst(p, prefix, n) {
  return p.page.evaluate(
    async ({ prefix, n }) => {
      const input = document.querySelector("#message");
      const form = input.closest("form");
      const tick = () => new Promise((r) => setTimeout(r, 0));
      for (let i = 0; i < n; i++) {
        input.value = `${prefix} ${i}`;
        input.dispatchEvent(new Event("input", { bubbles: true }));
        await tick();
        form.requestSubmit();
        for (let k = 0; k < 1000 && input.value !== ""; k++) await tick();
      }
    },
    { prefix, n },
  );
}

/** Messages of `room` in this origin's IndexedDB (the app's log store). */
function storedCount(p, room) {
  return p.page.evaluate(
    (room) =>
      new Promise((res) => {
        const open = indexedDB.open("festival-chat");
        open.onerror = () => res(-1);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains("messages")) return res(-1);
          const req = db.transaction("messages").objectStore("messages").count(IDBKeyRange.bound([room, ""], [room, "\uffff"]));
          req.onsuccess = () => {
            res(req.result);
            db.close();
          };
          req.onerror = () => res(-1);
        };
      }),
    room,
  );
}

// --- join -> first message, history first paint ------------------------------
async function joinToMessage() {
  const env = await lanLab(["ana", "ben"], "join");
  const [ana, ben] = env.phones;
  const out = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const url = `${env.server.url}/r/join-${i}`;
      await ana.page.goto(url);
      await ana.page.getByText("online", { exact: true }).waitFor({ timeout: 30000 });
      const t0 = Date.now();
      await ben.page.goto(url);
      await waitMembers(ben, 1, "direct");
      const open = Date.now() - t0;
      await send(ana, `ping ${i}`);
      await ben.page.getByText(`ping ${i}`, { exact: true }).waitFor({ timeout: 20000 });
      out.push({ open, message: Date.now() - t0 });
      log(`join run ${i}: open ${open} ms, message ${out.at(-1).message} ms`);
    }
  } finally {
    await env.close();
  }
  return { open: median(out.map((r) => r.open)), message: median(out.map((r) => r.message)), runs: out };
}

// --- cut -> caught up ----------------------------------------------------------
async function cutToCaughtUp() {
  const env = await lanLab(["ana", "ben", "cleo"], "cut");
  const [ana, ben, cleo] = env.phones;
  const out = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const url = `${env.server.url}/r/cut-${i}`;
      for (const p of env.phones) await openRoom(p, url, "");
      for (const p of env.phones) await waitMembers(p, 2, "direct");
      await send(ana, `hello ${i}`);
      await waitAllShown(env.phones, [`hello ${i}`], 15000);
      cleo.net.silence();
      const cutAt = Date.now();
      const missed = [];
      for (let k = 0; k < 8; k++) {
        const p = k % 2 ? ben : ana;
        await send(p, `cut ${i}.${k}`);
        missed.push(`cut ${i}.${k}`);
        await sleep(Math.max(0, cutAt + ((k + 1) * CUT_MS) / 9 - Date.now()));
      }
      await sleep(Math.max(0, cutAt + CUT_MS - Date.now()));
      const early = (await messages(cleo)).filter((m) => missed.includes(m.text)).length;
      cleo.net.restore();
      const ms = await waitAllShown([cleo], missed, CATCH_UP_MS);
      out.push(ms);
      log(`cut run ${i}: ${early} crossed the cut; caught up ${ms === null ? `not within ${CATCH_UP_MS / 1000} s` : `in ${ms} ms`}`);
      await sleep(1000);
    }
  } finally {
    await env.close();
  }
  return { medianMs: median(out), runs: out, cutMs: CUT_MS, waitedMs: CATCH_UP_MS };
}

// --- roaming recovery ---------------------------------------------------------
async function roaming() {
  const env = await lanLab(["ana", "cleo"], "roam");
  const [ana, cleo] = env.phones;
  const out = [];
  try {
    const url = `${env.server.url}/r/roam`;
    for (const p of env.phones) await openRoom(p, url, "");
    for (const p of env.phones) await waitMembers(p, 1, "direct");
    for (let i = 0; i < RUNS; i++) {
      cleo.net.roam(env.lab.freeAddr());
      const t0 = Date.now();
      await send(ana, `to roamer ${i}`);
      await send(cleo, `from roamer ${i}`);
      const a = await waitAllShown([cleo], [`to roamer ${i}`], 60000);
      const b = await waitAllShown([ana], [`from roamer ${i}`], 60000);
      const ms = a === null || b === null ? null : Date.now() - t0;
      out.push(ms);
      log(`roam run ${i}: ${ms === null ? "not recovered in 60 s" : `${ms} ms`}`);
      await waitMembers(cleo, 1, "direct", 60000).catch(() => {});
      await sleep(2000);
    }
  } finally {
    await env.close();
  }
  return { medianMs: median(out), runs: out };
}

// --- TURN-relayed connect -----------------------------------------------------
async function turnConnect() {
  const lab = await Lab.create("turn");
  const phones = [{ net: await (await lab.natSite("home")).phone("ana") }, { net: await (await lab.natSite("cgnat")).phone("ben") }];
  await lab.settle();
  const turn = await lab.coturn({ secret: "bench" });
  const server = await startServer(["--stun-urls", "none", "--turn-urls", turn.url, "--turn-secret", turn.secret], { webRoot, host: lab.hubAddr });
  for (const p of phones) Object.assign(p, await launchPhone(p.net));
  const [ana, ben] = phones;
  const out = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const url = `${server.url}/r/turn-${i}`;
      await ana.page.goto(url);
      await ana.page.getByText("online", { exact: true }).waitFor({ timeout: 30000 });
      const t0 = Date.now();
      await ben.page.goto(url);
      const ok = await poll(async () => {
        for (const p of phones) if (!(await members(p)).some((m) => /relayed via TURN/.test(m.text))) return false;
        return true;
      }, 60000, 50);
      out.push(ok ? Date.now() - t0 : null);
      log(`turn run ${i}: ${ok ? `${out.at(-1)} ms` : "not relayed in 60 s"}`);
    }
  } finally {
    for (const p of phones) await p.close();
    await server.stop().catch(() => {});
    await turn.stop();
    await lab.close();
  }
  return { medianMs: median(out), runs: out };
}

/** Watches the room's stored count from inside the page (every few ms,
 *  no round trip to the test): when the first message landed and when
 *  all `n` had, in ms since the page's navigation started. */
function watchStored(p, room, n, ms) {
  return p.page.evaluate(
    ({ room, n, ms }) =>
      new Promise((res) => {
        let firstAt = null;
        let firstCount = 0;
        let last = 0;
        const end = performance.now() + ms;
        const range = IDBKeyRange.bound([room, ""], [room, "\uffff"]);
        const tick = () => {
          const open = indexedDB.open("festival-chat");
          open.onsuccess = () => {
            const db = open.result;
            if (!db.objectStoreNames.contains("messages")) {
              db.close();
              return again();
            }
            const req = db.transaction("messages").objectStore("messages").count(range);
            req.onsuccess = () => {
              db.close();
              last = req.result;
              const now = performance.now();
              if (firstAt === null && last > 0) [firstAt, firstCount] = [now, last];
              if (last >= n) return res({ firstAt, firstCount, allAt: now, last });
              again();
            };
          };
          open.onerror = again;
        };
        const again = () => (performance.now() > end ? res({ firstAt, firstCount, allAt: null, last }) : setTimeout(tick, 2));
        tick();
      }),
    { room, n, ms },
  );
}

// --- IndexedDB cost, history first paint after reload ------------------------
function duBytes(dir) {
  try {
    return Number(execFileSync("du", ["-sb", dir], { encoding: "utf8" }).split(/\s/)[0]);
  } catch {
    return 0;
  }
}
async function storageReloadSync() {
  const lab = await Lab.create("idb");
  const phones = [{ net: await lab.phone("ana") }, { net: await lab.phone("ben") }];
  const newcomer = await launchPhone(await lab.phone("cleo"));
  await lab.settle();
  const server = await startServer(["--stun-urls", "none"], { webRoot, host: lab.hubAddr });
  const profile = mkdtempSync(join(tmpdir(), "fc-field-profile-"));
  Object.assign(phones[0], await launchPhone(phones[0].net, { userDataDir: profile }));
  Object.assign(phones[1], await launchPhone(phones[1].net));
  const [ana, ben] = phones;
  const idbDir = join(profile, "Default", "IndexedDB");
  try {
    const code = "history";
    for (const p of phones) await openRoom(p, `${server.url}/r/${code}`, "");
    for (const p of phones) await waitMembers(p, 1, "direct");
    // The app stores a room under the id derived from its code.
    const room = await ana.page.locator("main.room[data-room-id]").getAttribute("data-room-id");
    await send(ana, "first");
    await poll(async () => (await storedCount(ana, room)) >= 1, 10000);
    await sleep(1000);
    const before = duBytes(idbDir);
    // 1,000 messages: 500 from each phone (the app keeps 500 per author).
    const t0 = Date.now();
    await Promise.all([burst(ana, "a", 500), burst(ben, "b", 500)]);
    const stored = await poll(async () => {
      const n = await storedCount(ana, room);
      return n >= 1000 ? n : false;
    }, 120000, 200);
    const writeMs = Date.now() - t0;
    await sleep(3000); // let LevelDB flush its log
    const after = duBytes(idbDir);
    const n = (await storedCount(ana, room)) - 1;
    log(`idb: ${n} messages added, ${before} -> ${after} bytes (${writeMs} ms to send and store)`);
    const perThousand = n > 0 ? Math.round(((after - before) * 1000) / n) : null;
    const paints = [];
    for (let i = 0; i < RUNS; i++) {
      const t = Date.now();
      await ana.page.reload({ waitUntil: "commit" });
      await ana.page.locator("ol.messages li").first().waitFor({ timeout: 30000 });
      paints.push(Date.now() - t);
      log(`reload run ${i}: first message row after ${paints.at(-1)} ms (${(await messages(ana)).length} rows in the DOM)`);
      await waitMembers(ana, 1, "direct");
    }
    // Sync: a newcomer (a fresh browser context each run: empty IndexedDB)
    // joins and catches up with the whole history from the two phones.
    const syncs = [];
    for (let i = 0; i < RUNS; i++) {
      const context = await newcomer.browser.newContext({ viewport: { width: 360, height: 740 } });
      // When the first data channel opens: the sync's start.
      await context.addInitScript(() => {
        const Native = window.RTCPeerConnection;
        window.RTCPeerConnection = class extends Native {
          constructor(c) {
            super(c);
            const mark = (ch) => ch.addEventListener("open", () => (window.__fcFirstOpen ??= performance.now()));
            this.addEventListener("datachannel", (e) => mark(e.channel));
            const create = this.createDataChannel.bind(this);
            this.createDataChannel = (...a) => {
              const ch = create(...a);
              mark(ch);
              return ch;
            };
          }
        };
      });
      const p = { name: "cleo", page: await context.newPage() };
      await p.page.goto(`${server.url}/r/${code}`);
      const w = await watchStored(p, room, n + 1, 60000);
      const open = await p.page.evaluate(() => window.__fcFirstOpen ?? null);
      const r = w.allAt && open !== null ? { ms: Math.round(w.allAt - open), openMs: Math.round(open), firstCount: w.firstCount } : null;
      if (r) r.perSecond = Math.round(((n + 1) * 1000) / Math.max(1, r.ms));
      syncs.push(r);
      log(`sync run ${i}: ${r ? `channel open ${r.openMs} ms after navigation, all ${n + 1} stored ${r.ms} ms later (the first ${r.firstCount} at once): ${r.perSecond}/s` : `only ${w.last} of ${n + 1} in 60 s`}`);
      await context.close();
    }
    const ok = syncs.filter(Boolean);
    return {
      storage: { stored: stored || n, bytesPerThousand: perThousand, sendAndStoreMs: writeMs, historyFirstPaintMs: median(paints), historyMessages: n + 1, runs: paints },
      sync: { messages: n + 1, medianMs: median(ok.map((r) => r.ms)), perSecond: median(ok.map((r) => r.perSecond)), runs: syncs },
    };
  } finally {
    await newcomer.close();
    for (const p of phones) await p.close();
    await server.stop().catch(() => {});
    await lab.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

// The app measured: the commit its build came from (FC_LAB_WEB_ROOT may
// name a build of another checkout; its repository is asked).
function appCommit() {
  try {
    return execFileSync("git", ["-C", dirname(webRoot), "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}
const result = { date: new Date().toISOString().slice(0, 10), runs: RUNS, app: appCommit() };
const steps = [
  ["join", joinToMessage],
  ["cut", cutToCaughtUp],
  ["roam", roaming],
  ["turn", turnConnect],
  ["storage", storageReloadSync], // also "sync"
];
for (const [k, f] of steps) {
  if (!want(k)) continue;
  log(`--- ${k}`);
  try {
    const r = await f();
    if (k === "storage") Object.assign(result, r);
    else result[k] = r;
  } catch (e) {
    result[k] = { error: String(e.message).split("\n")[0] };
    log(`${k} failed: ${e.stack}`);
  }
}
console.log(JSON.stringify(result, null, 2));

if (process.argv.includes("--write")) {
  // A partial run (--only) updates its figures and keeps the day's others.
  const out = join(repo, "bench/field/results", `${result.date}.json`);
  mkdirSync(dirname(out), { recursive: true });
  let merged = result;
  try {
    merged = { ...JSON.parse(readFileSync(out, "utf8")), ...result };
  } catch {
    // first run of the day
  }
  writeFileSync(out, JSON.stringify(merged, null, 2) + "\n");
  writeDocs(merged);
}

function writeDocs(r) {
  const ms = (v) => (typeof v === "number" ? `${v.toLocaleString("en-US")} ms` : "—");
  const runs = (xs, none = "none") => (xs ?? []).map((x) => (x === null ? none : typeof x === "object" ? x.ms : x)).join(", ");
  const fail = (x) => (x?.error ? ` (failed: ${x.error})` : "");
  const rows = [
    ["Join → first message shown, LAN", ms(r.join?.message), `open → direct ${ms(r.join?.open)}; runs ${runs(r.join?.runs?.map((x) => x.message))}${fail(r.join)}`],
    [`Wi-Fi back after a ${(r.cut?.cutMs ?? CUT_MS) / 1000} s cut → every missed message shown`, ms(r.cut?.medianMs), `target ≤ 2 s; runs ${runs(r.cut?.runs, `not within ${(r.cut?.waitedMs ?? CATCH_UP_MS) / 1000} s`)}${fail(r.cut)}`],
    ["Roaming: new address → a message each way", ms(r.roam?.medianMs), `runs ${runs(r.roam?.runs)}${fail(r.roam)}`],
    ["Open → \"relayed via TURN\" on both phones, two symmetric NATs", ms(r.turn?.medianMs), `runs ${runs(r.turn?.runs)}${fail(r.turn)}`],
    [`Sync: a newcomer catches up with ${(r.sync?.messages ?? 1000).toLocaleString("en-US")} messages`, r.sync?.perSecond ? `${r.sync.perSecond.toLocaleString("en-US")} messages/s` : "—", `first data channel open → all in IndexedDB ${ms(r.sync?.medianMs)}; runs ${runs(r.sync?.runs)}${fail(r.storage)}`],
    ["IndexedDB on disk per 1,000 messages", r.storage?.bytesPerThousand ? `${Math.round(r.storage.bytesPerThousand / 1024)} KiB` : "—", `growth of the profile's IndexedDB folder (LevelDB, before any compaction) with ${r.storage?.stored ?? "?"} stored; sending and storing them took ${ms(r.storage?.sendAndStoreMs)}${fail(r.storage)}`],
    [`History first paint after reload (${(r.storage?.historyMessages ?? 0).toLocaleString("en-US")} messages)`, ms(r.storage?.historyFirstPaintMs), `runs ${runs(r.storage?.runs)}`],
  ];
  const table = [
    "## On the network lab",
    "",
    `Each phone its own Chromium in its own network namespace on the lab's LAN (\`tests/lab/\`), the server at the hub's address over plain http; \`bench/field/run.sh --write\` (${r.date}, the app at ${r.app ?? "?"}, median of ${r.runs} runs unless noted; raw figures in \`bench/field/results/${r.date}.json\`). Timings only, never asserted.`,
    "",
    "|  | median | notes |",
    "| --- | ---: | --- |",
    ...rows.map((c) => `| ${c.join(" | ")} |`),
  ].join("\n");
  const docs = join(repo, "docs/benchmarks.md");
  const md = readFileSync(docs, "utf8");
  const begin = "<!-- field:begin -->";
  const end = "<!-- field:end -->";
  const block = `${begin}\n${table}\n${end}`;
  const next = md.includes(begin)
    ? md.replace(new RegExp(`${begin}[\\s\\S]*?${end}`), block)
    : md.replace(/\n## Notes\n/, `\n${block}\n\n## Notes\n`);
  writeFileSync(docs, next);
  log(`wrote ${docs}`);
}
