// Scenario 1: three phones on the venue LAN, each its own Chromium in its
// own namespace, reach the server at its LAN address over plain http and
// chat directly, phone to phone.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { lanLab, joinAndGreet } from "./lan-lab.mjs";
import { assertConsistent, describe, members, openRoom, send, waitAllShown, waitMembers } from "./phones.mjs";

let env;
before(async () => {
  env = await lanLab(["ana", "ben", "cleo"], "lan");
});
after(async () => {
  await env?.close();
});

test("three phones on a LAN chat directly: nothing lost, duplicated or misordered", async () => {
  const { lab, server, phones } = env;
  const url = `${server.url}/r/lan-${process.pid}`;
  for (const p of phones) await openRoom(p, url);
  // Plain http at the LAN address: not a secure context, as at a venue.
  assert.equal(await phones[0].page.evaluate(() => window.isSecureContext), false);
  for (const p of phones) await waitMembers(p, 2, "direct");
  for (const p of phones) {
    for (const m of await members(p)) assert.match(m.text, /direct/, `${p.name} sees ${m.text}`);
    assert.equal(new URL(p.page.url()).hostname, lab.hubAddr);
  }
  // Rounds: each phone sends three in a row, the next phone answers once
  // it has them (a conversation, so there is one right order).
  const expected = [];
  for (let round = 0; round < 2; round++) {
    for (const p of phones) {
      for (let i = 0; i < 3; i++) {
        const text = `${p.name} r${round}m${i}`;
        await send(p, text);
        expected.push(text);
      }
      await waitAllShown(phones, expected, 15000);
    }
  }
  await assertConsistent(phones, expected);
  console.log(await describe(phones));
  for (const p of phones) assert.deepEqual(p.errors, [], `${p.name}: page errors`);
});
