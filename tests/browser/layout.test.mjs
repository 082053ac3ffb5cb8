// The room as a person sees it: at 360 x 740 (a small phone) and 1280 x 800,
// with 2, 3, 5 and 20 people and a history longer than the list renders,
// the newest message is fully on screen above the input, the member list
// takes a bounded strip (unfolded, it scrolls inside its own box), nothing
// overlaps and nothing scrolls sideways. Share and Leave open over the
// conversation without moving it. Reading further up, a new message does
// not move the view; "↓ New messages" brings the reader down. Back after
// being away, the divider above what was missed is on screen. Leave asks
// whether this device should forget the room, and does as told.
//
// Two real people (Chromium contexts) chat over WebRTC; the others in the
// room are socket.io clients that joined it (members "connecting" forever,
// which is all the layout needs). Screenshots of each step go to
// build/screenshots/; the three-person one is the README's.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { joined, startServer } from "../support/server.mjs";
import { lanHost, launchBrowser, person, roomIdOf } from "../support/browser.mjs";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const webRoot = process.env.FC_WEB_ROOT ?? join(repo, "web/dist");
// What the tests saw, for people to look at: room-360x740.png is the
// README's (scripts/screenshot copies it to docs/screenshot-room.png).
const shots = join(repo, "build/screenshots");
const shot = async (page, name) => {
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, `${name}.png`) });
};

const PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1280, height: 800 };
const room = "main-stage-42";
/** More than the list renders at once (RENDER_ALL_UP_TO in MessageList.tsx). */
const LONG_HISTORY = 260;

let server;
let browser;
let ana; // the one whose screen is measured
let bo; // sends most of the messages
const sockets = []; // everyone else in the room
const sent = []; // every message text, in order

before(async () => {
  server = await startServer(["--stun-urls", "none"], { webRoot, host: lanHost });
  browser = await launchBrowser();
  ana = await named("Ana");
  bo = await named("Bo");
});

after(async () => {
  for (const s of sockets) s.close();
  await browser?.close();
  await server?.stop();
});

/** A person with a remembered display name (as on a second visit). */
async function named(name, viewport = PHONE) {
  const p = await person(browser, { viewport });
  await p.context.addInitScript((n) => localStorage.setItem("fc.displayName", n), name);
  await p.page.goto(`${server.url}/r/${room}`);
  return p;
}

async function send(p, text) {
  await p.page.getByLabel("Message").fill(text);
  await p.page.getByRole("button", { name: "Send", exact: true }).click();
  sent.push(text);
}

async function addSocketMembers(total) {
  // `total` people in the room: Ana, Bo, and socket.io clients.
  while (sockets.length + 2 < total) {
    const n = sockets.length + 1;
    // Our own clientIds: support's clientId() pads short ones, so its 1st
    // and 10th can be the same id (the second join would replace the first).
    const { socket } = await joined(server.url, await roomIdOf(ana.page), `Guest ${n}`, { clientId: `guest-${n}-${process.pid}` });
    sockets.push(socket);
  }
  for (const p of [ana, bo]) {
    const toggle = p.page.locator(".members-toggle");
    await toggle
      .filter({ hasText: new RegExp(`^${total} people`) })
      .waitFor({ timeout: 20000 })
      .catch(async (e) =>
        assert.fail(
          `${e.message}\nthe member list says: ${await toggle.textContent()}\n` +
            (await p.page.locator(".members li").allTextContents()).join(" | "),
        ),
      );
  }
}

/** Types and sends each text through the input, as a person would (faster). */
async function typeAll(p, texts) {
  await p.page.evaluate(async (all) => {
    const input = document.querySelector("#message");
    const form = document.querySelector("form.composer");
    const turn = () => new Promise((r) => setTimeout(r, 0));
    for (const t of all) {
      input.value = t;
      input.dispatchEvent(new Event("input", { bubbles: true }));
      await turn(); // the input's state is rendered
      form.requestSubmit();
      await turn();
    }
  }, texts);
  sent.push(...texts);
}

/** Waits until `text` is the newest message Ana's list holds, then lets the
 *  layout settle (two frames: effects, ResizeObserver, scroll). */
async function newestIs(p, text) {
  await p.page.waitForFunction(
    (t) => [...document.querySelectorAll("ol.messages li[data-id] .text")].at(-1)?.textContent === t,
    text,
    { timeout: 20000 },
  );
  await frames(p.page);
}

const frames = (page) =>
  page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));

/** Boxes of the room's parts, in viewport pixels. */
function measure(page) {
  return page.evaluate(() => {
    const box = (el) => {
      if (!el) return null;
      const b = el.getBoundingClientRect();
      return { top: b.top, bottom: b.bottom, left: b.left, right: b.right, height: b.height, width: b.width };
    };
    const list = document.querySelector("ol.messages");
    const items = [...list.querySelectorAll("li[data-id]")];
    return {
      vw: innerWidth,
      vh: innerHeight,
      page: {
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
        scrollHeight: document.documentElement.scrollHeight,
        clientHeight: document.documentElement.clientHeight,
      },
      header: box(document.querySelector(".room header")),
      members: box(document.querySelector(".members")),
      memberList: box(document.querySelector(".members ul")),
      list: box(list),
      listScroll: { top: list.scrollTop, height: list.scrollHeight, client: list.clientHeight },
      composer: box(document.querySelector("form.composer")),
      newest: box(items.at(-1)),
      newestText: items.at(-1)?.querySelector(".text")?.textContent ?? null,
      rows: items.map(box),
      rendered: items.length,
      toNewest: box(document.querySelector(".to-newest")),
    };
  });
}

const near = 0.5; // sub-pixel rounding

/** What must hold on every screen of the room. */
function assertRoomLayout(g, what) {
  const at = `${what} at ${g.vw}x${g.vh}`;
  // Nothing scrolls sideways, and the page itself does not scroll: the room
  // is one screen, only the conversation (and members) scroll inside.
  assert.ok(g.page.scrollWidth <= g.page.clientWidth, `${at}: page scrolls sideways (${g.page.scrollWidth} > ${g.page.clientWidth})`);
  assert.ok(g.page.scrollHeight <= g.page.clientHeight + near, `${at}: page scrolls vertically`);
  // Header, members, conversation, input: stacked in that order, no overlap,
  // all within the viewport.
  const stack = [
    ["header", g.header],
    ["members", g.members],
    ["messages", g.list],
    ["input", g.composer],
  ];
  for (const [name, b] of stack) {
    assert.ok(b && b.height > 0, `${at}: ${name} missing`);
    assert.ok(b.left >= -near && b.right <= g.vw + near, `${at}: ${name} sticks out sideways`);
    assert.ok(b.top >= -near && b.bottom <= g.vh + near, `${at}: ${name} is off screen (${b.top}..${b.bottom})`);
  }
  for (let i = 1; i < stack.length; i++) {
    const [upper, a] = stack[i - 1];
    const [lower, b] = stack[i];
    assert.ok(a.bottom <= b.top + near, `${at}: ${upper} (bottom ${a.bottom}) overlaps ${lower} (top ${b.top})`);
  }
  // The room is one column of at most 720 px, centred on a wide screen.
  assert.ok(g.list.width <= 720 + near, `${at}: messages wider than 720 px`);
  if (g.vw > 720) assert.ok(Math.abs(g.list.left - (g.vw - g.list.right)) <= 1, `${at}: room not centred`);
  // The folded member list is a bounded strip, however many people.
  assert.ok(g.members.height <= 0.25 * g.vh, `${at}: members take ${g.members.height} px of ${g.vh}`);
  // The conversation has room to be read: at least half the screen.
  assert.ok(g.list.height >= 0.5 * g.vh, `${at}: messages get only ${g.list.height} px of ${g.vh}`);
  // The newest message is wholly visible inside the list, above the input.
  assert.ok(g.newest, `${at}: no message rendered`);
  assert.ok(g.newest.top >= g.list.top - near, `${at}: newest message cut at the top`);
  assert.ok(g.newest.bottom <= g.list.bottom + near, `${at}: newest message below the list's fold`);
  assert.ok(g.newest.bottom <= g.composer.top + near, `${at}: newest message behind the input`);
  // No message is wider than the list.
  for (const r of g.rows) assert.ok(r.left >= g.list.left - near && r.right <= g.list.right + near, `${at}: a message sticks out`);
  // Following the newest: no "new messages" button.
  assert.equal(g.toNewest, null, `${at}: "New messages" shown while at the bottom`);
}

/** Checks the room at both sizes; Ana's window is resized, as a rotated
 *  phone or a resized desktop window would be. */
async function assertBothSizes(p, what, newest) {
  for (const size of [PHONE, DESKTOP]) {
    await p.page.setViewportSize(size);
    await newestIs(p, newest);
    const g = await measure(p.page);
    assert.equal(g.newestText, newest);
    assertRoomLayout(g, what);
  }
  await p.page.setViewportSize(PHONE);
  await frames(p.page);
}

test("two people and a short conversation", async () => {
  for (const p of [ana, bo]) await p.page.locator(".peer.direct").first().waitFor({ timeout: 30000 });
  await send(bo, "Anyone near the main stage?");
  await send(ana, "Right in front of the sound desk");
  await send(bo, "On my way, look for the yellow flag");
  await newestIs(ana, "On my way, look for the yellow flag");
  await assertBothSizes(ana, "2 people", "On my way, look for the yellow flag");
  await assertBothSizes(bo, "2 people (sender)", "On my way, look for the yellow flag");
  // One's own messages say whether they reached the others, in words a
  // screen reader reads.
  const own = ana.page.locator("ol.messages li.own").first();
  await own.locator(".delivery").waitFor();
  assert.match(await own.locator(".delivery").innerText(), /sent to everyone|sent to some|not sent yet|✓|◷/);
  assert.match(await own.locator(".delivery .visually-hidden").textContent(), /^(sent to everyone|sent to some|not sent yet)$/);
  assert.deepEqual(ana.errors, []);
});

test("three people: the README screenshot", async () => {
  const chidi = await named("Chidi");
  try {
    for (const p of [ana, bo, chidi]) await p.page.locator(".peer.direct").nth(1).waitFor({ timeout: 30000 });
    await send(chidi, "Coming from the food trucks, two minutes");
    await newestIs(ana, "Coming from the food trucks, two minutes");
    await send(ana, "See you both there!");
    await newestIs(ana, "See you both there!");
    await ana.page.getByRole("button", { name: /^3 people · 2 direct/ }).waitFor();
    // Everything Ana said has reached both others (no "not sent yet" marks
    // left in the picture).
    await ana.page.waitForFunction(
      () => [...document.querySelectorAll("ol.messages li.own .delivery")].every((d) => d.classList.contains("all")),
      null,
      { timeout: 20000 },
    );
    await frames(ana.page);
    const g = await measure(ana.page);
    assertRoomLayout(g, "3 people");
    await shot(ana.page, "room-360x740");
    await ana.page.setViewportSize(DESKTOP);
    await newestIs(ana, "See you both there!");
    await shot(ana.page, "room-1280x800");
    await ana.page.setViewportSize(PHONE);
    // Chidi leaves (keeping the history): gone from the others' lists.
    await chidi.page.getByRole("button", { name: "Leave", exact: true }).click();
    await chidi.page.getByRole("dialog", { name: "Leave this room" }).getByRole("button", { name: "Leave", exact: true }).click();
    await chidi.page.getByRole("button", { name: "Start a new room" }).waitFor({ timeout: 10000 });
    for (const p of [ana, bo]) await p.page.locator(".members-toggle", { hasText: /^2 people/ }).waitFor({ timeout: 20000 });
    assert.deepEqual(chidi.errors, []);
  } finally {
    await chidi.context.close();
  }
});

test("five people and a long history: the newest stays in view, only rows near the view are rendered", async () => {
  await addSocketMembers(5);
  await send(bo, "Five of us now");
  await assertBothSizes(ana, "5 people", "Five of us now");

  // Bo types a long history through the input, as a person would (faster).
  const texts = Array.from({ length: LONG_HISTORY }, (_, i) =>
    i % 9 === 4 ? `history ${i}: ${"a longer message that wraps over several lines on a phone ".repeat(3).trim()}` : `history ${i}`,
  );
  await typeAll(bo, texts);
  const last = texts.at(-1);
  await newestIs(ana, last);
  await assertBothSizes(ana, "5 people, long history", last);
  await assertBothSizes(bo, "5 people, long history (sender)", last);

  // Windowed: far fewer rows in the DOM than messages, yet the list scrolls
  // over all of them, and the oldest come back when scrolled to.
  const g = await measure(ana.page);
  assert.ok(g.rendered < sent.length / 2, `${g.rendered} of ${sent.length} messages rendered`);
  assert.ok(g.listScroll.height > sent.length * 30, `list is ${g.listScroll.height} px for ${sent.length} messages`);
  await ana.page.evaluate(() => (document.querySelector("ol.messages").scrollTop = 0));
  const first = ana.page.locator("ol.messages li[data-id]", { hasText: sent[0] });
  await first.waitFor({ timeout: 10000 });
  await frames(ana.page);
  const top = await measure(ana.page);
  const box = await first.boundingBox();
  assert.ok(box.y >= top.list.top - near && box.y + box.height <= top.list.bottom + near, "the oldest message is on screen at the top");
  // Back to the newest.
  await ana.page.evaluate(() => {
    const l = document.querySelector("ol.messages");
    l.scrollTop = l.scrollHeight;
  });
  await newestIs(ana, last);
  await ana.page.waitForFunction(() => {
    const l = document.querySelector("ol.messages");
    return l.scrollHeight - l.scrollTop - l.clientHeight < 2;
  }, null, { timeout: 10000 });
  await frames(ana.page);
  assertRoomLayout(await measure(ana.page), "back at the newest");
  assert.deepEqual(ana.errors, []);
  assert.deepEqual(bo.errors, []);
});

test("twenty people: folded, the member list is one line; unfolded, it scrolls in a bounded box", async () => {
  await addSocketMembers(20);
  await send(bo, "Twenty of us!");
  await assertBothSizes(ana, "20 people", "Twenty of us!");

  const toggle = ana.page.getByRole("button", { name: /^20 people/ });
  assert.equal(await toggle.getAttribute("aria-expanded"), "false");
  await toggle.click();
  assert.equal(await toggle.getAttribute("aria-expanded"), "true");
  for (const size of [PHONE, DESKTOP]) {
    await ana.page.setViewportSize(size);
    await newestIs(ana, "Twenty of us!");
    const g = await measure(ana.page);
    const at = `20 people unfolded at ${size.width}x${size.height}`;
    assert.ok(g.memberList.height <= 0.35 * g.vh + near, `${at}: member box ${g.memberList.height} px`);
    assert.ok(g.members.bottom <= g.list.top + near, `${at}: members overlap messages`);
    assert.ok(g.page.scrollWidth <= g.page.clientWidth, `${at}: page scrolls sideways`);
    assert.ok(g.newest.top >= g.list.top - near && g.newest.bottom <= g.composer.top + near, `${at}: newest not in view`);
    assert.ok(g.composer.bottom <= g.vh + near, `${at}: input off screen`);
    await shot(ana.page, `members-20-open-${size.width}x${size.height}`);
  }
  // On the phone the twenty chips need more than the box: it scrolls inside.
  await ana.page.setViewportSize(PHONE);
  await frames(ana.page);
  const scrolls = await ana.page.evaluate(() => {
    const ul = document.querySelector(".members ul");
    return ul.scrollHeight > ul.clientHeight && getComputedStyle(ul).overflowY === "auto";
  });
  assert.ok(scrolls, "the unfolded member list scrolls in its own box");
  await toggle.click();
  assert.equal(await toggle.getAttribute("aria-expanded"), "false");
  await frames(ana.page);
  assertRoomLayout(await measure(ana.page), "20 people folded again");
});

test("Share opens over the conversation without moving it, and closes", async () => {
  for (const size of [PHONE, DESKTOP]) {
    await ana.page.setViewportSize(size);
    await frames(ana.page);
    const before = await measure(ana.page);
    await ana.page.getByRole("button", { name: "Share", exact: true }).click();
    const dialog = ana.page.getByRole("dialog", { name: "Share this room" });
    await dialog.waitFor();
    await ana.page.locator(".share-qr").evaluate((img) => img.complete || new Promise((r) => (img.onload = img.onerror = r)));
    const share = await ana.page.evaluate(() => {
      const d = document.querySelector("dialog.sheet");
      const b = (el) => el.getBoundingClientRect();
      return {
        modal: d.matches(":modal"),
        dialog: b(d).toJSON(),
        qr: b(d.querySelector(".share-qr")).toJSON(),
        close: b([...d.querySelectorAll("button")].find((x) => x.textContent === "Close")).toJSON(),
      };
    });
    const at = `Share at ${size.width}x${size.height}`;
    await shot(ana.page, `share-${size.width}x${size.height}`);
    // An overlay: the page behind is inert and keeps its layout.
    assert.equal(share.modal, true, `${at}: not a modal overlay`);
    const during = await measure(ana.page);
    assert.deepEqual(during.newest, before.newest, `${at}: the conversation moved`);
    assert.deepEqual(during.composer, before.composer, `${at}: the input moved`);
    assert.ok(during.page.scrollWidth <= during.page.clientWidth, `${at}: page scrolls sideways`);
    // The QR code and the way out are wholly on screen.
    for (const [name, b] of [["dialog", share.dialog], ["QR code", share.qr], ["Close", share.close]])
      assert.ok(b.top >= -near && b.bottom <= size.height + near && b.left >= -near && b.right <= size.width + near, `${at}: ${name} off screen`);
    assert.ok(share.qr.width >= 200, `${at}: QR code too small to scan (${share.qr.width} px)`);
    // Closes with its button on the phone, with Escape on the desktop.
    if (size === PHONE) await dialog.getByRole("button", { name: "Close" }).click();
    else await ana.page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    assertRoomLayout(await measure(ana.page), `after Share at ${size.width}x${size.height}`);
  }
  await ana.page.setViewportSize(PHONE);
});

test("reading further up: a new message does not move the view; '↓ New messages' brings you down", async () => {
  const page = ana.page;
  await frames(page);
  const list = page.locator("ol.messages");
  const lb = await list.boundingBox();
  await page.mouse.move(lb.x + lb.width / 2, lb.y + lb.height / 2);
  for (let i = 0; i < 4; i++) await page.mouse.wheel(0, -600);
  await page.waitForFunction(() => {
    const l = document.querySelector("ol.messages");
    return l.scrollHeight - l.scrollTop - l.clientHeight > 1500;
  }, null, { timeout: 10000 });
  await frames(page);
  // The message at the top of the view, and where it is.
  const anchor = () =>
    page.evaluate(() => {
      const l = document.querySelector("ol.messages");
      const top = l.getBoundingClientRect().top;
      const row = [...l.querySelectorAll("li[data-id]")].find((li) => li.getBoundingClientRect().bottom > top + 1);
      return { id: row.dataset.id, offset: row.getBoundingClientRect().top - top };
    });
  const reading = await anchor();
  await send(bo, "Did everyone find the stage?");
  await page.getByRole("button", { name: "↓ New messages" }).waitFor({ timeout: 20000 });
  await frames(page);
  await shot(page, "reading-further-up-360x740");
  const still = await anchor();
  assert.equal(still.id, reading.id, "the view moved to another message");
  assert.ok(Math.abs(still.offset - reading.offset) <= 2, `the view moved by ${still.offset - reading.offset} px`);
  // The button sits over the conversation, above the input.
  const g = await measure(page);
  assert.ok(g.toNewest.bottom <= g.list.bottom + near && g.toNewest.top >= g.list.top - near, "button outside the conversation");
  await page.getByRole("button", { name: "↓ New messages" }).click();
  await newestIs(ana, "Did everyone find the stage?");
  await page.getByRole("button", { name: "↓ New messages" }).waitFor({ state: "detached", timeout: 5000 });
  assertRoomLayout(await measure(page), "after '↓ New messages'");
});

test("sending while reading further up shows one's own message", async () => {
  const page = ana.page;
  await page.evaluate(() => (document.querySelector("ol.messages").scrollTop = 0));
  await frames(page);
  await send(ana, "Sent from up here");
  await newestIs(ana, "Sent from up here");
  assertRoomLayout(await measure(page), "after sending from further up");
});

test("back after being away: the divider above what was missed is on screen, and the newest a tap away", async () => {
  // Bo has everything said so far (the last test's message may still be
  // on its way: then it is rightly among what Bo missed, and the divider
  // sits above it), then closes the tab; Ana says more than a screenful
  // meanwhile.
  await newestIs(bo, "Sent from up here");
  await bo.page.close();
  const missed = Array.from({ length: 40 }, (_, i) => `while Bo was away ${i}`);
  await typeAll(ana, missed);
  await newestIs(ana, missed.at(-1));
  // Bo opens the room again: stored history first, then what was missed.
  bo.page = await bo.context.newPage();
  bo.page.on("pageerror", (e) => bo.errors.push(e));
  await bo.page.goto(`${server.url}/r/${room}`);
  const divider = bo.page.getByRole("separator");
  await divider.waitFor({ timeout: 30000 });
  await frames(bo.page);
  const at = await bo.page.evaluate(() => {
    const l = document.querySelector("ol.messages").getBoundingClientRect();
    const d = document.querySelector('ol.messages [role="separator"]');
    const next = d.nextElementSibling;
    return { list: l.toJSON(), divider: d.getBoundingClientRect().toJSON(), text: d.textContent, next: next?.querySelector(".text")?.textContent };
  });
  await shot(bo.page, "back-after-away-360x740");
  assert.equal(at.text, "New since you were away");
  assert.equal(at.next, missed[0], "the divider sits above the first message Bo missed");
  assert.ok(at.divider.top >= at.list.top - near && at.divider.bottom <= at.list.bottom + near, "the divider is on screen");
  // More was missed than fits: the way to the newest is shown.
  await bo.page.getByRole("button", { name: "↓ New messages" }).click();
  await newestIs(bo, missed.at(-1));
  assertRoomLayout(await measure(bo.page), "after catching up");
  assert.deepEqual(bo.errors, []);
});

test("Leave asks whether this device should forget the room's history", async () => {
  const page = ana.page;
  await page.getByRole("button", { name: "Leave", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Leave this room" });
  await dialog.waitFor();
  for (const name of ["Leave", "Leave and forget history", "Cancel"])
    await dialog.getByRole("button", { name, exact: true }).waitFor();
  await shot(page, "leave-360x740");
  const box = await dialog.boundingBox();
  assert.ok(box.y >= 0 && box.y + box.height <= PHONE.height + near && box.x >= 0 && box.x + box.width <= PHONE.width + near, "dialog off screen");
  // Cancel: still in the room, nothing moved.
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await dialog.waitFor({ state: "detached" });
  await newestIs(ana, sent.at(-1));
  // Leave, keeping the history: back at the start page.
  await page.getByRole("button", { name: "Leave", exact: true }).click();
  await dialog.getByRole("button", { name: "Leave", exact: true }).click();
  await page.getByRole("button", { name: "Start a new room" }).waitFor({ timeout: 10000 });
  // Bo leaves and forgets.
  await bo.page.getByRole("button", { name: "Leave", exact: true }).click();
  await bo.page.getByRole("dialog", { name: "Leave this room" }).getByRole("button", { name: "Leave and forget history" }).click();
  await bo.page.getByRole("button", { name: "Start a new room" }).waitFor({ timeout: 10000 });
  assert.deepEqual(ana.errors, []);
  assert.deepEqual(bo.errors, []);
});

test("after 'Leave and forget history' the room opens empty on that device; after 'Leave' it opens with its history", async () => {
  // Alone in the room (Ana left), so nobody can hand the history back.
  const shown = (p) => p.page.locator("ol.messages li[data-id] .text").allTextContents();
  await bo.page.goto(`${server.url}/r/${room}`);
  await send(bo, "fresh start");
  await newestIs(bo, "fresh start");
  assert.deepEqual(await shown(bo), ["fresh start"], "Bo's device forgot the room");
  await bo.context.close();
  // The control, under the same conditions: Ana kept hers, and it is there
  // by the time her first message after coming back is.
  await ana.page.goto(`${server.url}/r/${room}`);
  await send(ana, "back again");
  await newestIs(ana, "back again");
  const kept = await shown(ana);
  assert.ok(kept.includes("while Bo was away 39"), `Ana's device kept the room: ${kept.slice(-3).join(" | ")}`);
  assert.deepEqual(ana.errors, []);
});
