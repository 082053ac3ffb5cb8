// One Chromium process per phone, started inside that phone's namespace
// through a two-line wrapper (`exec ip netns exec <ns> chromium "$@"`); the
// DevTools pipe playwright-core drives survives `ip netns exec`. And what a
// person does in the app: open the room, send, read the message list.
import { chmodSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const repo = join(dirname(fileURLToPath(import.meta.url)), "../..");
/** The built app the lab's server serves (FC_LAB_WEB_ROOT to test another build). */
export const webRoot = process.env.FC_LAB_WEB_ROOT ?? join(repo, "web/dist");
const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

// Lab runs wait longer than the browser tests: every phone is a Chromium
// process of its own on a 2-core machine others share.
export const slow = Number(process.env.FC_LAB_SLOW ?? 1);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts Chromium for `phone` (from net.mjs) and opens one page. With
 *  `userDataDir`, the profile lives there (to measure what it stores). */
export async function launchPhone(phone, { userDataDir } = {}) {
  const wrapper = join(phone.lab.tmp, `chromium-${phone.name}`);
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${phone.ns} ${chromiumPath} "$@"\n`);
  chmodSync(wrapper, 0o755);
  const options = {
    executablePath: wrapper,
    headless: true,
    timeout: 60000 * slow,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      // host candidates as plain addresses: nothing here resolves .local names
      "--disable-features=WebRtcHideLocalIpsWithMdns",
    ],
  };
  const viewport = { width: 360, height: 740 };
  let browser = null;
  let context;
  if (userDataDir) {
    context = await chromium.launchPersistentContext(userDataDir, { ...options, viewport });
  } else {
    browser = await chromium.launch(options);
    context = await browser.newContext({ viewport });
  }
  // FC_LAB_TRACE=1: every RTCPeerConnection's state changes go to the
  // page's console (and the test's output), to see what ICE did.
  if (process.env.FC_LAB_TRACE === "1") await context.addInitScript(traceIce);
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  page.on("pageerror", (e) => errors.push(e));
  const console_ = [];
  page.on("console", (m) => {
    console_.push(`${m.type()}: ${m.text()}`);
    if (process.env.FC_LAB_TRACE === "1") console.log(`# [${phone.name} ${new Date().toISOString().slice(14, 23)}] ${m.text()}`);
  });
  return {
    name: phone.name,
    phone,
    browser,
    context,
    page,
    errors,
    console: console_,
    async close() {
      await (browser ?? context).close().catch(() => {});
    },
  };
}

function traceIce() {
  // Socket.IO frames other than heartbeats, abridged.
  const NativeWs = window.WebSocket;
  let w = 0;
  window.WebSocket = class extends NativeWs {
    constructor(...a) {
      super(...a);
      const id = ++w;
      const show = (dir, d) => {
        if (typeof d !== "string" || d === "2" || d === "3") return;
        console.log(`ws${id} ${dir} ${d.replace(/"sdp":"[^"]*"/, '"sdp":…').replace(/"candidate":"[^"]*"/, '"candidate":…').slice(0, 160)}`);
      };
      this.addEventListener("message", (e) => show("<", e.data));
      this.addEventListener("close", () => console.log(`ws${id} closed`));
      const send = this.send.bind(this);
      this.send = (d) => {
        show(">", d);
        send(d);
      };
    }
  };
  const Native = window.RTCPeerConnection;
  let n = 0;
  window.RTCPeerConnection = class extends Native {
    constructor(config) {
      super(config);
      const id = ++n;
      const log = (what) => console.log(`pc${id} ${what}`);
      log(`new ${JSON.stringify((config?.iceServers ?? []).map((s) => s.urls))}`);
      this.addEventListener("connectionstatechange", async () => {
        let pair = "";
        if (this.connectionState === "connected") {
          const stats = await this.getStats();
          stats.forEach((s) => {
            if (s.type === "candidate-pair" && s.nominated && s.state === "succeeded") {
              const l = stats.get(s.localCandidateId);
              const r = stats.get(s.remoteCandidateId);
              pair = ` ${l?.candidateType} ${l?.address}:${l?.port} -> ${r?.candidateType} ${r?.address}:${r?.port}`;
            }
          });
        }
        log(`connection ${this.connectionState}${pair}`);
      });
      this.addEventListener("iceconnectionstatechange", () => log(`ice ${this.iceConnectionState}`));
      this.addEventListener("icecandidate", (e) => e.candidate && log(`candidate ${e.candidate.type} ${e.candidate.address}:${e.candidate.port}`));
      const close = this.close.bind(this);
      this.close = () => {
        log(`close() ${new Error().stack?.split("\n").slice(2, 4).join(" <- ")}`);
        close();
      };
      const channel = (ch, how) => {
        log(`channel ${ch.label} ${how}`);
        for (const ev of ["open", "close", "error"]) ch.addEventListener(ev, () => log(`channel ${ch.label} ${ev}`));
      };
      this.addEventListener("datachannel", (e) => channel(e.channel, "received"));
      const create = this.createDataChannel.bind(this);
      this.createDataChannel = (...a) => {
        const ch = create(...a);
        channel(ch, "created");
        return ch;
      };
      this.addEventListener("signalingstatechange", () => log(`signaling ${this.signalingState}`));
      for (const m of ["setLocalDescription", "setRemoteDescription", "addIceCandidate"]) {
        const f = this[m].bind(this);
        this[m] = (...a) => {
          const what = `${m}(${a[0]?.type ?? (a[0]?.candidate !== undefined ? "candidate" : "")})`;
          return f(...a).then(
            (r) => (m === "addIceCandidate" ? r : (log(`${what} ok`), r)),
            (e) => {
              log(`${what} failed: ${e?.message}`);
              throw e;
            },
          );
        };
      }
      const restart = this.restartIce.bind(this);
      this.restartIce = () => {
        log("restartIce()");
        restart();
      };
    }
  };
}

/** Opens the room and waits for the composer. `name` is the display name. */
export async function openRoom(p, url, name = p.name) {
  await p.page.goto(url, { timeout: 30000 * slow });
  await p.page.getByLabel("Message").waitFor({ timeout: 30000 * slow });
  if (name) await rename(p, name);
}

export async function rename(p, name) {
  await p.page.getByRole("button", { name: "Change name" }).click();
  await p.page.getByLabel("Your name").fill(name);
  await p.page.getByLabel("Your name").press("Enter");
  await p.page.getByText(`${name} (you)`).waitFor({ timeout: 10000 * slow });
}

export async function send(p, text) {
  await p.page.getByLabel("Message").fill(text);
  await p.page.getByRole("button", { name: "Send" }).click();
  // The composer empties once the app took the message.
  await p.page.waitForFunction(() => document.querySelector("#message")?.value === "", null, { timeout: 10000 * slow });
}

/** The message list as shown: [{ id, text }] in display order (message
 *  rows only: not the "while you were away" separator or spacer rows). */
export function messages(p) {
  return p.page.evaluate(() =>
    [...document.querySelectorAll("ol.messages li:not([role=separator]):not(.spacer)")].map((li) => ({
      id: li.getAttribute("data-id"),
      text: li.querySelector(".text")?.textContent ?? "",
    })),
  );
}

/** Member chips: [{ text, cls }] (class holds the link state). */
export function members(p) {
  return p.page.evaluate(() =>
    [...document.querySelectorAll(".members li.peer")].map((li) => ({ text: li.textContent ?? "", cls: li.className })),
  );
}

/** Waits until `p` has `n` members in state `state` (a class: direct, relayed). */
export async function waitMembers(p, n, state, ms = 30000) {
  await p.page.locator(`.members li.peer.${state}`).nth(n - 1).waitFor({ timeout: ms * slow });
}

/** Polls until `check()` returns a truthy value or the deadline passes
 *  (then returns the last value: the caller asserts on what it saw). */
export async function poll(check, ms, every = 200) {
  const end = Date.now() + ms * slow;
  for (;;) {
    const v = await check();
    if (v || Date.now() > end) return v;
    await sleep(every);
  }
}

/** Waits until every phone shows every expected text (or the deadline);
 *  returns how long that took, null when the deadline passed first. */
export async function waitAllShown(phones, expected, ms) {
  const start = Date.now();
  const ok = await poll(async () => {
    for (const p of phones) {
      const shown = new Set((await messages(p)).map((m) => m.text));
      if (!expected.every((t) => shown.has(t))) return false;
    }
    return true;
  }, ms);
  return ok ? Date.now() - start : null;
}

/** The lab's promise, checked on every phone: each expected text shown
 *  exactly once, nothing else, every sender's messages in the order sent,
 *  and the same order on every phone. `expected` lists texts in send order
 *  per sender (texts are unique; "<sender> <n>" style). Throws one error
 *  describing every phone's difference. */
export async function assertConsistent(phones, expected, { senderOf = (t) => t.split(" ")[0] } = {}) {
  const problems = [];
  const views = [];
  for (const p of phones) {
    const shown = await messages(p);
    const texts = shown.map((m) => m.text);
    views.push({ p, texts });
    const missing = expected.filter((t) => !texts.includes(t));
    const extra = texts.filter((t) => !expected.includes(t));
    const dupTexts = texts.filter((t, i) => texts.indexOf(t) !== i);
    const ids = shown.map((m) => m.id).filter((id) => id);
    const dupIds = ids.filter((id, i) => ids.indexOf(id) !== i);
    if (missing.length) problems.push(`${p.name}: lost ${missing.length}: ${JSON.stringify(missing)}`);
    if (extra.length) problems.push(`${p.name}: unexpected ${JSON.stringify(extra)}`);
    if (dupTexts.length) problems.push(`${p.name}: duplicated ${JSON.stringify(dupTexts)}`);
    if (dupIds.length) problems.push(`${p.name}: duplicated data-id ${JSON.stringify(dupIds)}`);
    // Per sender, the order sent.
    const bySender = new Map();
    for (const t of expected) bySender.set(senderOf(t), [...(bySender.get(senderOf(t)) ?? []), t]);
    for (const [sender, sent] of bySender) {
      const seen = texts.filter((t) => sent.includes(t));
      const order = sent.filter((t) => seen.includes(t));
      const firstSeen = seen.filter((t, i) => seen.indexOf(t) === i);
      if (JSON.stringify(firstSeen) !== JSON.stringify(order))
        problems.push(`${p.name}: ${sender}'s messages misordered: ${JSON.stringify(firstSeen)}`);
    }
  }
  const ref = JSON.stringify(views[0].texts);
  for (const v of views.slice(1))
    if (JSON.stringify(v.texts) !== ref)
      problems.push(`${v.p.name} shows another order than ${views[0].p.name}:\n    ${views[0].p.name}: ${ref}\n    ${v.p.name}: ${JSON.stringify(v.texts)}`);
  if (problems.length)
    throw new Error(`messages are not consistent on every phone:\n  ${problems.join("\n  ")}\n${await describe(phones)}`);
}

/** Each phone's signaling status and member chips, for failure reports. */
export async function describe(phones) {
  const lines = [];
  for (const p of phones) {
    const status = await p.page.evaluate(() => document.querySelector(".signaling")?.textContent ?? "?").catch((e) => `(${e.message})`);
    const chips = await members(p).then((ms) => ms.map((m) => m.text).join(" | ")).catch(() => "?");
    lines.push(`  ${p.name}: ${status}; members: ${chips}`);
  }
  return lines.join("\n");
}
