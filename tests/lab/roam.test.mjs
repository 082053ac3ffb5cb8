// Scenario 4: roaming. A phone's address changes mid-chat (a new DHCP
// lease, another access point): its links and its signaling connection
// must find the new address, and nothing said around the change is lost.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { lanLab, joinAndGreet } from "./lan-lab.mjs";
import { assertConsistent, send, sleep, waitAllShown } from "./phones.mjs";

let env;
before(async () => {
  env = await lanLab(["ana", "ben", "cleo"], "roam");
});
after(async () => {
  await env?.close();
});

test("a phone whose address changes mid-chat keeps every message, both ways", async () => {
  const { lab, server, phones } = env;
  const [ana, ben, cleo] = phones;
  const url = `${server.url}/r/roam-${process.pid}`;
  const expected = await joinAndGreet(phones, url);

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
