// Scenario 6: the signaling server is killed while one phone's Wi-Fi is
// silent, and comes back only after the Wi-Fi has: the phones that stayed
// keep chatting directly, and once both are back every phone has every
// message.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { lanLab, joinAndGreet } from "./lan-lab.mjs";
import { startServer } from "../support/server.mjs";
import { assertConsistent, messages, send, sleep, slow, waitAllShown, webRoot } from "./phones.mjs";

const CUT_MS = 20000;
let env;
before(async () => {
  env = await lanLab(["ana", "ben", "cleo"], "down");
});
after(async () => {
  await env?.close();
});

async function kill(s) {
  const exited = new Promise((res) => s.proc.once("exit", res));
  s.proc.kill("SIGKILL");
  await exited;
}

test("the server killed during a cut and back after it: every phone ends with every message", async () => {
  const { lab, phones } = env;
  let server = env.server;
  const [ana, ben, cleo] = phones;
  const url = `${server.url}/r/down-${process.pid}`;
  const port = server.port;
  const expected = await joinAndGreet(phones, url);

  cleo.net.silence();
  const cutAt = Date.now();
  const during = [];
  const talk = async (i) => {
    const p = i % 2 ? ben : ana;
    await send(p, `${p.name} cut${i}`);
    during.push(`${p.name} cut${i}`);
    await waitAllShown([ana, ben], during, 10000);
  };
  await talk(0);
  await send(cleo, "cleo offline0");
  await talk(1);
  // The server dies mid-cut (SIGKILL: no goodbye to anyone).
  await kill(server);
  server = env.server = null;
  for (const p of [ana, ben]) await p.page.getByText("offline: chatting peer-to-peer only").waitFor({ timeout: 60000 * slow });
  await talk(2);
  await send(cleo, "cleo offline1");
  await talk(3);
  expected.push(...during, "cleo offline0", "cleo offline1");
  await sleep(Math.max(0, cutAt + CUT_MS - Date.now()));
  const cleoSaw = (await messages(cleo)).map((m) => m.text);
  assert.deepEqual(during.filter((t) => cleoSaw.includes(t)), [], "nothing reaches the silent phone");
  for (const p of [ana, ben]) {
    const saw = (await messages(p)).map((m) => m.text);
    assert.ok(!saw.includes("cleo offline0") && !saw.includes("cleo offline1"), `nothing from the silent phone reaches ${p.name}`);
  }

  // The Wi-Fi returns with no server; the server comes back 5 s later.
  cleo.net.restore();
  const restoredAt = Date.now();
  assert.equal(await cleo.net.udpReaches(ana.net), true, "the phone reaches the others again");
  await send(ana, "ana back");
  expected.push("ana back");
  const withoutServer = await waitAllShown(phones, expected, 5000);
  server = env.server = await startServer(["--stun-urls", "none", "--port", String(port)], { webRoot, host: lab.hubAddr });
  const serverBackAt = Date.now();
  for (const p of phones) await p.page.getByText("online", { exact: true }).waitFor({ timeout: 60000 * slow });
  await send(ben, "ben online");
  expected.push("ben online");
  const caughtUp = await waitAllShown(phones, expected, 60000);
  console.log(
    `# restore -> caught up without the server: ${withoutServer === null ? "no" : `${withoutServer} ms`}; ` +
      `server back -> every phone has every message: ${caughtUp === null ? "not within 60 s" : `${Date.now() - serverBackAt} ms`} (restore +${Date.now() - restoredAt} ms)`,
  );
  await assertConsistent(phones, expected);
  for (const p of phones) assert.deepEqual(p.errors, [], `${p.name}: page errors`);
});
