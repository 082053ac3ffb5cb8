// A festival LAN in the lab: the hub bridge with the server at the hub's
// address (plain http), and one phone per name, each its own Chromium in
// its own namespace. The lab scenarios and bench/field share it.
import { startServer } from "../support/server.mjs";
import { Lab } from "./net.mjs";
import { launchPhone, openRoom, send, waitAllShown, waitMembers, webRoot } from "./phones.mjs";

/** Resolves { lab, server, phones, close() }; close() stops whatever
 *  `server` then holds (a scenario may restart it). */
export async function lanLab(names, tag) {
  const env = {
    lab: await Lab.create(tag),
    server: null,
    phones: [],
    async close() {
      for (const p of env.phones) await p.close?.();
      await env.server?.stop().catch(() => {});
      await env.lab.close();
    },
  };
  try {
    for (const n of names) env.phones.push({ net: await env.lab.phone(n) });
    await env.lab.settle();
    env.server = await startServer(["--stun-urls", "none"], { webRoot, host: env.lab.hubAddr });
    for (const p of env.phones) Object.assign(p, await launchPhone(p.net));
  } catch (e) {
    await env.close();
    throw e;
  }
  return env;
}

/** Every phone opens the room, sees the others connected directly, and
 *  says hello; resolves the texts every phone then shows. */
export async function joinAndGreet(phones, url) {
  for (const p of phones) await openRoom(p, url);
  for (const p of phones) await waitMembers(p, phones.length - 1, "direct");
  const said = [];
  for (const p of phones) {
    await send(p, `${p.name} hello`);
    said.push(`${p.name} hello`);
  }
  await waitAllShown(phones, said, 15000);
  return said;
}
