// Scenario 4: roaming. A phone's address changes mid-chat (a new DHCP
// lease, another access point): its links and its signaling connection
// must find the new address, and nothing said around the change is lost.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../support/server.mjs";
import { Lab } from "./net.mjs";
import { assertConsistent, launchPhone, openRoom, send, sleep, waitAllShown, waitMembers, webRoot } from "./phones.mjs";

let lab, server;
const phones = [];
before(async () => {
  lab = await Lab.create("roam");
  for (const name of ["ana", "ben", "cleo"]) phones.push({ net: await lab.phone(name) });
  await lab.settle();
  server = await startServer(["--stun-urls", "none"], { webRoot, host: lab.hubAddr });
  for (const p of phones) Object.assign(p, await launchPhone(p.net));
});
after(async () => {
  for (const p of phones) await p.close?.();
  await server?.stop();
  await lab?.close();
});

test("a phone whose address changes mid-chat keeps every message, both ways", async () => {
  const [ana, ben, cleo] = phones;
  const url = `${server.url}/r/roam-${process.pid}`;
  for (const p of phones) await openRoom(p, url);
  for (const p of phones) await waitMembers(p, 2, "direct");
  const expected = [];
  for (const p of phones) {
    await send(p, `${p.name} hello`);
    expected.push(`${p.name} hello`);
  }
  await waitAllShown(phones, expected, 15000);

  const oldAddr = cleo.net.addr;
  cleo.net.roam(lab.freeAddr());
  const roamedAt = Date.now();
  // The fault is real: the new address works, the old one is gone.
  assert.notEqual(cleo.net.addr, oldAddr);
  assert.equal(cleo.net.reaches(lab.hubAddr, server.port), true, "the new address reaches the server");
  assert.equal(await ana.net.udpReaches(cleo.net), true, "the new address is reachable from another phone");
  // Mid-change: the others keep talking, cleo too.
  for (const [i, p] of [ana, ben, cleo, ana].entries()) {
    await send(p, `${p.name} roam${i}`);
    expected.push(`${p.name} roam${i}`);
    await sleep(1000);
  }
  const recovered = await waitAllShown(phones, expected, 60000);
  console.log(`# roam -> every phone has every message: ${recovered === null ? "not within 60 s" : `${Date.now() - roamedAt} ms`}`);
  await send(cleo, "cleo settled");
  await send(ana, "ana settled");
  expected.push("cleo settled", "ana settled");
  await waitAllShown(phones, expected, 30000);
  await assertConsistent(phones, expected);
  for (const p of phones) assert.deepEqual(p.errors, [], `${p.name}: page errors`);
});
