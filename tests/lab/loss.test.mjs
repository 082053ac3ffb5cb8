// Scenario 3: one phone loses 20 % of its packets each way while another
// sends 20 messages: every phone still shows all 20, once, in order.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { lanLab, joinAndGreet } from "./lan-lab.mjs";
import { assertConsistent, openRoom, send, sleep, waitAllShown, waitMembers } from "./phones.mjs";

let env;
before(async () => {
  env = await lanLab(["ana", "ben", "cleo"], "loss");
});
after(async () => {
  await env?.close();
});

test("20 % loss each way on one phone while another sends 20 messages: nothing lost, duplicated or misordered", async () => {
  const { lab, server, phones } = env;
  const [ana, ben, cleo] = phones;
  const url = `${server.url}/r/loss-${process.pid}`;
  for (const p of phones) await openRoom(p, url);
  for (const p of phones) await waitMembers(p, 2, "direct");
  const expected = ["ben before"];
  await send(ben, "ben before");
  await waitAllShown(phones, expected, 15000);

  ben.net.loss(0.2);
  const sent = [];
  for (let i = 0; i < 20; i++) {
    const text = `ana loss${String(i).padStart(2, "0")}`;
    await send(ana, text);
    sent.push(text);
    await sleep(250); // a person typing: the loss spans pings and acks too
  }
  expected.push(...sent);
  const ms = await waitAllShown(phones, expected, 60000);
  // The fault was real: packets were dropped both ways.
  const drops = ben.net.lossCounts();
  ben.net.noLoss();
  console.log(`# 20 messages under 20 % loss shown everywhere in ${ms ?? "(not within 60 s)"} ms; dropped: ${JSON.stringify(drops)}`);
  assert.ok(drops["phone INPUT"] > 0, "packets to the lossy phone were dropped");
  assert.ok(drops["hub FORWARD"] > 0, "packets from the lossy phone were dropped");
  await assertConsistent(phones, expected);
  for (const p of phones) assert.deepEqual(p.errors, [], `${p.name}: page errors`);
});
