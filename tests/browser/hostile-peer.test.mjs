// A member whose page has been tampered with sends garbage, floods, forged
// copies and endless summaries over real data channels. The victim's page
// keeps working, keeps its own history intact and its store bounded, and
// neither it nor a bystander takes a forgery.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { deviceKey, signChat } from "../support/room-crypto.mjs";
import { startServer } from "../support/server.mjs";
import { lanHost, launchBrowser, person, roomIdOf } from "../support/browser.mjs";

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

/** The texts of the messages the page's IndexedDB holds for the room. */
const stored = (page, room) =>
  page.evaluate(
    (room) =>
      new Promise((resolve, reject) => {
        const r = indexedDB.open("festival-chat");
        r.onerror = () => reject(r.error);
        r.onsuccess = () => {
          const q = r.result.transaction("messages").objectStore("messages").getAll(IDBKeyRange.bound([room, ""], [room, "\uffff"]));
          q.onsuccess = () => resolve(q.result.map((rec) => rec.message.text));
        };
      }),
    room,
  );

test("garbage, a flood, forgeries and a summary storm over a data channel harm nothing", async () => {
  const room = `hostile-${process.pid}`;
  const victim = await person(browser);
  await victim.page.goto(`${server.url}/r/${room}`);
  for (const t of ["mine one", "mine two"]) await send(victim.page, t);
  // Someone else in the room, who gets the same forgeries: they are
  // dropped by everyone, not only by the author they name.
  const bystander = await person(browser);
  await bystander.page.goto(`${server.url}/r/${room}`);
  await bystander.page.getByText("mine two").waitFor({ timeout: 30000 });

  // The attacker joins last, so its page creates the channels: keep them.
  const evil = await person(browser);
  await evil.page.addInitScript(() => {
    const create = RTCPeerConnection.prototype.createDataChannel;
    window.__channels = [];
    RTCPeerConnection.prototype.createDataChannel = function (...args) {
      const c = create.apply(this, args);
      window.__channels.push(c);
      return c;
    };
  });
  await evil.page.goto(`${server.url}/r/${room}`);
  await evil.page.getByText("mine two").waitFor({ timeout: 30000 });
  const victimId = await victim.page.evaluate(() => sessionStorage.getItem("fc.clientId"));

  // What the attacker sends, made here: members' messages are signed, so a
  // flood that is to reach the log needs keys (two made-up authors, each
  // with a device key of its own), and forging the victim needs the
  // victim's key, which the attacker does not have.
  const roomId = await roomIdOf(victim.page);
  const now = Date.now();
  const chat = (clientId, seq, text, lamport = seq) =>
    ({ type: "chat", id: `${clientId}:${seq}`, clientId, seq, lamport, displayName: "x", text, sentAt: now });
  const keys = { evil0: deviceKey(), evil1: deviceKey(), mine: deviceKey() };
  const out = [];
  const put = (v) => out.push(typeof v === "string" ? v : JSON.stringify(v));
  // Malformed, oversized, mistyped.
  for (const bad of ["", "{", "null", "[]", "\u0000", '{"type":"batch","messages":[1]}', '{"type":"sync","have":[],"floor":0}',
    '{"type":"ack","have":{"a":[5,1]}}', '{"type":"chat","id":"a:1","clientId":"a","seq":1}', "x".repeat(100 * 1024)]) put(bad);
  put({ type: "sync", have: { __proto__: [1, 2] }, floor: 0 });
  // A forged copy of the victim's own message: unsigned, then signed with
  // the attacker's key, then a new one in the victim's name; and replays.
  put(chat(victimId, 1, "forged words"));
  put(signChat(roomId, chat(victimId, 1, "forged words"), keys.mine));
  put(signChat(roomId, chat(victimId, 9, "forged words"), keys.mine));
  put(signChat(roomId, chat(victimId, 9, "forged words"), keys.mine));
  // Signed, but the text changed after signing.
  put({ ...signChat(roomId, chat("evil-x", 1, "as signed"), keys.mine), text: "forged words" });
  // A Lamport time near the float limit.
  put(signChat(roomId, chat("evil-hi", 1, "far future", 2 ** 60), keys.mine));
  // A flood: 6,000 signed messages in batches of 100, from two made-up authors.
  for (let b = 0; b < 60; b++) {
    const author = `evil${b % 2}`;
    put({ type: "batch", messages: Array.from({ length: 100 }, (_, i) =>
      signChat(roomId, chat(author, 1000 + Math.floor(b / 2) * 100 + i + 1, `spam ${b}-${i}`), keys[author])) });
  }
  // A summary storm.
  for (let i = 0; i < 500; i++) put({ type: "sync", have: {}, floor: 0 });

  await evil.page.locator(".members-toggle").filter({ hasText: /^3 people · 2 direct/ }).waitFor({ timeout: 30000 });
  const sent = await evil.page.evaluate(async (out) => {
    const open = window.__channels.filter((c) => c.readyState === "open");
    for (const s of out)
      for (const ch of open) {
        while (ch.bufferedAmount > 1 << 20) await new Promise((r) => setTimeout(r, 10));
        try {
          ch.send(s);
        } catch {
          // too big for the channel: also fine
        }
      }
    return open.length * out.length;
  }, out);
  assert.ok(sent > 500);

  // The victim is still fully usable, and its own words are its own.
  await send(victim.page, "still here");
  await victim.page.locator("ol.messages li", { hasText: "still here" }).waitFor({ timeout: 10000 });
  await evil.page.locator("ol.messages li", { hasText: "still here" }).waitFor({ timeout: 20000 });
  // Bounded by retention per author (500) whatever was thrown at it, with
  // the victim's own words intact and nothing forged among them.
  for (const [who, p] of [["victim", victim], ["bystander", bystander]]) {
    const deadline = Date.now() + 15000;
    let texts = [];
    while (Date.now() < deadline) {
      texts = await stored(p.page, roomId);
      if (texts.includes("still here") && texts.length >= 1003) break;
      await p.page.waitForTimeout(200);
    }
    assert.equal(texts.length, 1003, `${who}: 500 of each flooding author and the victim's three`);
    for (const t of ["mine one", "mine two", "still here"]) assert.equal(texts.filter((x) => x === t).length, 1, `${who}: ${t}`);
    for (const t of ["forged words", "far future"]) assert.ok(!texts.includes(t), `${who}: ${t}`);
    // Told that someone wrote in the victim's name with another key.
    await p.page.getByText(/device key of .* changed/).waitFor({ timeout: 5000 });
    assert.deepEqual(p.errors, [], who);
  }
  // ...and they come back after a reload.
  await victim.page.reload();
  await victim.page.locator("ol.messages li", { hasText: "still here" }).waitFor({ timeout: 10000 });
  assert.deepEqual(victim.errors, []);
  for (const p of [victim, bystander, evil]) await p.context.close();
});
