// Finding 8 (d, e), ambiguous signals: the relay reads `to` from the raw
// JSON without a DOM, so (d) a signal object that repeats `to` was routed by
// one reading while any other reader sees the other target; and (e) a binary
// placeholder outside `payload` was relayed with its attachment (the target
// would resolve it where the server never looked).
// Expected: both are refused with `bad-request` and nothing is relayed to
// anyone; a well-formed signal on the same connection still goes through.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer, emitWithAck, uniqueRoom } from "../support/server.mjs";
import { RawWs, joinedWs } from "../support/adversary.mjs";

async function settle(...members) {
  for (const m of members) await emitWithAck(m.socket, "signal", { to: "p_nobody", type: "x", payload: null });
}

async function room(server) {
  const id = uniqueRoom("shape");
  const a = await joinedWs(server.url, id);
  const b = await joinedWs(server.url, id);
  const attacker = await RawWs.open(server.url);
  await attacker.joinRoom(id);
  return { a, b, attacker };
}

const ackOf = (attacker, id) =>
  attacker.next((f) => typeof f === "string" && f.startsWith(`43${id}[`), 3000, `ack ${id}`).then((f) => JSON.parse(f.slice(2 + String(id).length))[0]);

test("a signal that repeats `to` is refused and relayed to no one", async () => {
  const server = await startServer();
  let m;
  try {
    m = await room(server);
    const { a, b, attacker } = m;
    attacker.sendText(`421["signal",{"to":"${a.peerId}","to":"${b.peerId}","type":"offer","payload":{"x":1}}]`);
    const ack = await ackOf(attacker, 1);
    assert.equal(ack.ok, false, `a repeated "to" was accepted: ${JSON.stringify(ack)}`);
    assert.equal(ack.error.code, "bad-request");
    await settle(a, b);
    assert.deepEqual([...a.rec.of("signal"), ...b.rec.of("signal")], [], "nothing relayed");
    // The connection still works for a well-formed signal.
    attacker.sendText(`422["signal",{"to":"${a.peerId}","type":"offer","payload":{"x":2}}]`);
    assert.deepEqual(await ackOf(attacker, 2), { ok: true });
  } finally {
    m?.a.socket.close();
    m?.b.socket.close();
    m?.attacker.destroy();
    await server.stop();
  }
});

test("a binary placeholder outside `payload` is refused and relayed to no one", async () => {
  const server = await startServer();
  let m;
  try {
    m = await room(server);
    const { a, b, attacker } = m;
    attacker.sendText(
      `451-3["signal",{"to":"${a.peerId}","type":"a","payload":null,"x":{"_placeholder":true,"num":0}}]`,
    );
    attacker.sendBinary(Buffer.from("attached"));
    const ack = await ackOf(attacker, 3);
    assert.equal(ack.ok, false, `a placeholder outside payload was accepted: ${JSON.stringify(ack)}`);
    assert.equal(ack.error.code, "bad-request");
    await settle(a, b);
    assert.deepEqual([...a.rec.of("signal"), ...b.rec.of("signal")], [], "nothing relayed");
    // A placeholder inside payload is fine (the documented extension).
    attacker.sendText(`451-4["signal",{"to":"${a.peerId}","type":"a","payload":{"_placeholder":true,"num":0}}]`);
    attacker.sendBinary(Buffer.from("attached"));
    assert.deepEqual(await ackOf(attacker, 4), { ok: true });
  } finally {
    m?.a.socket.close();
    m?.b.socket.close();
    m?.attacker.destroy();
    await server.stop();
  }
});
