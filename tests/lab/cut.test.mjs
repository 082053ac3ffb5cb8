// Scenario 2: one phone's Wi-Fi goes silent for 20 s (still associated,
// nothing passes) while the others chat and it types two messages itself;
// when it returns, every phone has every message once, in one order.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { lanLab, joinAndGreet } from "./lan-lab.mjs";
import { assertConsistent, messages, send, sleep, waitAllShown } from "./phones.mjs";

const CUT_MS = 20000;
let env;
before(async () => {
  env = await lanLab(["ana", "ben", "cleo"], "cut");
});
after(async () => {
  await env?.close();
});

test("a phone silent for 20 s gets everything said meanwhile, and its own two messages reach everyone", async () => {
  const { lab, server, phones } = env;
  const [ana, ben, cleo] = phones;
  const url = `${server.url}/r/cut-${process.pid}`;
  const expected = await joinAndGreet(phones, url);

  // The cut: cleo's Wi-Fi goes silent.
  cleo.net.silence();
  const cutAt = Date.now();
  assert.equal(cleo.net.reaches(lab.hubAddr, server.port), false, "the cut phone cannot reach the server");
  assert.equal(await cleo.net.udpReaches(ana.net), false, "the cut phone cannot reach another phone");
  const during = [];
  const cleoTyped = [];
  // ana and ben talk (each answers the other); cleo types twice.
  for (let i = 0; i < 6; i++) {
    const p = i % 2 ? ben : ana;
    const text = `${p.name} cut${i}`;
    await send(p, text);
    during.push(text);
    await waitAllShown([ana, ben], [text], 10000);
    if (i === 1 || i === 4) {
      const t = `cleo offline${cleoTyped.length}`;
      await send(cleo, t);
      cleoTyped.push(t);
    }
    await sleep(Math.max(0, cutAt + ((i + 1) * CUT_MS) / 7 - Date.now()));
  }
  expected.push(...during, ...cleoTyped);
  await sleep(Math.max(0, cutAt + CUT_MS - Date.now()));

  // The fault held: nothing crossed the cut in either direction.
  const cleoSaw = (await messages(cleo)).map((m) => m.text);
  assert.deepEqual(during.filter((t) => cleoSaw.includes(t)), [], "nothing reaches the silent phone");
  for (const p of [ana, ben]) {
    const saw = (await messages(p)).map((m) => m.text);
    assert.deepEqual(cleoTyped.filter((t) => saw.includes(t)), [], `nothing from the silent phone reaches ${p.name}`);
  }
  assert.ok(cleoSaw.includes(cleoTyped[0]), "the silent phone shows what it typed");

  // The Wi-Fi returns; live messages flow again.
  cleo.net.restore();
  const restoredAt = Date.now();
  assert.equal(cleo.net.reaches(lab.hubAddr, server.port, 3000), true, "the phone reaches the server again");
  assert.equal(await cleo.net.udpReaches(ana.net), true, "the phone reaches the others again");
  await send(ana, "ana back");
  expected.push("ana back");
  const caughtUp = await waitAllShown(phones, expected, 60000);
  console.log(`# cut ${restoredAt - cutAt} ms; restore -> every phone has every message: ${caughtUp === null ? "not within 60 s" : `${caughtUp} ms`}`);
  await assertConsistent(phones, expected);
  for (const p of phones) assert.deepEqual(p.errors, [], `${p.name}: page errors`);
});
