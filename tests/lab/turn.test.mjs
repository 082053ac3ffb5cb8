// Scenario 7: two phones behind two separate symmetric NATs (one router
// namespace each, MASQUERADE --random-fully) can only meet through TURN. A
// real coturn (Debian's turnserver, use-auth-secret) on the hub; the server
// hands out credentials (--turn-urls, --turn-secret). With TURN the member
// list says "relayed via TURN" and they chat; without it the app says why
// they cannot connect instead of spinning.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../support/server.mjs";
import { Lab } from "./net.mjs";
import { assertConsistent, describe, launchPhone, members, openRoom, poll, send, waitAllShown, webRoot } from "./phones.mjs";

let lab, turn;
const phones = [];
before(async () => {
  lab = await Lab.create("turn");
  const home = await lab.natSite("home");
  const carrier = await lab.natSite("cgnat");
  phones.push({ net: await home.phone("ana") }, { net: await carrier.phone("ben") });
  await lab.settle();
  turn = await lab.coturn({ secret: `s${process.pid}` });
  for (const p of phones) Object.assign(p, await launchPhone(p.net));
});
after(async () => {
  for (const p of phones) await p.close?.();
  await turn?.stop();
  await lab?.close();
});

test("the NATs are symmetric and let the phones reach coturn, never each other", async () => {
  const [ana, ben] = phones;
  for (const p of phones) {
    assert.equal(p.net.reaches(lab.hubAddr, turn.port), true, `${p.name} reaches coturn`);
    const [a, b] = await lab.observedSources(p.net);
    assert.equal(a.split(":")[0], p.net.site.uplink, `${p.name} is seen at its NAT's address`);
    assert.notEqual(a.split(":")[1], b.split(":")[1], `${p.name}'s NAT maps each destination to another port`);
  }
  assert.equal(await ana.net.udpReaches(ben.net), false, "no direct path between the two private networks");
  assert.equal(await ben.net.udpReaches(ana.net), false, "no direct path between the two private networks");
});

test("with TURN: the two phones chat, relayed, and the member list says so", async () => {
  const server = await startServer(
    ["--stun-urls", "none", "--turn-urls", turn.url, "--turn-secret", turn.secret],
    { webRoot, host: lab.hubAddr },
  );
  try {
    const [ana, ben] = phones;
    const url = `${server.url}/r/turn-${process.pid}`;
    const started = Date.now();
    for (const p of phones) await openRoom(p, url);
    const relayed = await poll(async () => {
      for (const p of phones) if (!(await members(p)).some((m) => /relayed via TURN/.test(m.text))) return false;
      return true;
    }, 60000);
    assert.ok(relayed, `both phones show the other "relayed via TURN":\n${await describe(phones)}`);
    console.log(`# open -> relayed via TURN on both phones: ${Date.now() - started} ms (two page loads included)`);
    assert.ok(turn.allocations() > 0, "coturn made allocations");
    const expected = [];
    for (let i = 0; i < 3; i++)
      for (const p of [ana, ben]) {
        await send(p, `${p.name} relayed${i}`);
        expected.push(`${p.name} relayed${i}`);
        await waitAllShown(phones, expected, 15000);
      }
    await assertConsistent(phones, expected);
    for (const p of phones) assert.deepEqual(p.errors, [], `${p.name}: page errors`);
  } finally {
    await server.stop();
  }
});

test("without TURN the app says why the two cannot connect", async () => {
  // STUN is there (coturn answers binding requests): each phone learns its
  // NAT's public address, and the symmetric NATs still keep them apart.
  const server = await startServer(["--stun-urls", `stun:${lab.hubAddr}:${turn.port}`], { webRoot, host: lab.hubAddr });
  try {
    const url = `${server.url}/r/noturn-${process.pid}`;
    for (const p of phones) await openRoom(p, url);
    const said = await poll(async () => {
      for (const p of phones) if (!(await members(p)).some((m) => /no TURN relay/.test(m.text))) return false;
      return true;
    }, 60000);
    assert.ok(said, `both phones say "no TURN relay" on the other's chip:\n${await describe(phones)}`);
    for (const p of phones) {
      const chips = await members(p);
      assert.equal(chips.length, 1, `${p.name} sees one member`);
      assert.match(chips[0].cls, /\bblocked\b/, `${p.name}: the chip's state is blocked`);
    }
  } finally {
    await server.stop();
  }
});
