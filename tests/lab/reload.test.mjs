// Scenario 5: the cut-off phone is reloaded while still cut off (a person
// who sees nothing arrive pulls to refresh), then its Wi-Fi returns: the
// page comes back with its history and what it typed before the reload,
// and catches up with what the others said.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { lanLab, joinAndGreet } from "./lan-lab.mjs";
import { assertConsistent, messages, send, sleep, slow, waitAllShown } from "./phones.mjs";

const CUT_MS = 20000;
let env;
before(async () => {
  env = await lanLab(["ana", "ben", "cleo"], "rld");
});
after(async () => {
  await env?.close();
});

test("a phone reloaded while cut off gets back its history, its own message and everything missed", async () => {
  const { lab, server, phones } = env;
  const [ana, ben, cleo] = phones;
  const url = `${server.url}/r/reload-${process.pid}`;
  const expected = await joinAndGreet(phones, url);

  cleo.net.silence();
  const cutAt = Date.now();
  assert.equal(cleo.net.reaches(lab.hubAddr, server.port), false, "the cut phone cannot reach the server");
  const during = [];
  for (let i = 0; i < 4; i++) {
    const p = i % 2 ? ben : ana;
    await send(p, `${p.name} cut${i}`);
    during.push(`${p.name} cut${i}`);
    await waitAllShown([ana, ben], during, 10000);
    if (i === 1) {
      await send(cleo, "cleo offline0");
      expected.push("cleo offline0");
    }
    await sleep(2000);
  }
  expected.push(...during);
  const cleoSaw = (await messages(cleo)).map((m) => m.text);
  assert.deepEqual(during.filter((t) => cleoSaw.includes(t)), [], "nothing reaches the silent phone");

  // The reload, still cut off. The page is plain http with
  // Cache-Control: no-cache, so it can only load once the Wi-Fi is back.
  const reloaded = cleo.page.reload({ timeout: 120000 * slow }).then(
    () => null,
    (e) => e,
  );
  await sleep(Math.max(3000, cutAt + CUT_MS - Date.now()));
  for (const p of [ana, ben]) {
    const saw = (await messages(p)).map((m) => m.text);
    assert.ok(!saw.includes("cleo offline0"), `nothing from the silent phone reaches ${p.name}`);
  }
  cleo.net.restore();
  const restoredAt = Date.now();
  assert.equal(cleo.net.reaches(lab.hubAddr, server.port, 3000), true, "the phone reaches the server again");
  assert.equal(await cleo.net.udpReaches(ana.net), true, "the phone reaches the others again");
  const err = await reloaded;
  assert.equal(err, null, `the reload completes once the Wi-Fi is back: ${err?.message}`);
  console.log(`# restore -> reloaded page loaded: ${Date.now() - restoredAt} ms`);
  await cleo.page.getByLabel("Message").waitFor({ timeout: 30000 * slow });
  await send(ben, "ben back");
  expected.push("ben back");
  const caughtUp = await waitAllShown(phones, expected, 60000);
  console.log(`# restore -> every phone has every message: ${caughtUp === null ? "not within 60 s" : `${Date.now() - restoredAt} ms`}`);
  await assertConsistent(phones, expected);
  for (const p of phones) assert.deepEqual(p.errors, [], `${p.name}: page errors`);
});
