// Finding 2, misrouting (no attacker needed): when a member is dropped as a
// slow consumer inside the peer-joined broadcast of a join, the registry's
// shared recipient list is rebuilt under the loop, so the newcomer receives
// `peer-joined` about itself and the other members never hear of it.
// Room [A (polling, queue nearly full), B (normal)]; J joins.
// Expected: J never gets peer-joined about itself; B gets peer-joined for J;
// J's ack lists B (and A, or A was dropped first; a listed A must then be
// announced gone to J, as to B, with peer-left reason `disconnected`); A is
// dropped. Today: J gets peer-joined about itself, B never hears of J.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer, emitWithAck, uniqueRoom } from "../support/server.mjs";
import { slowRoom, joinedWs, assertHealthy, waitFor, metric } from "../support/adversary.mjs";

const maxQueued = 65536;
const flags = ["--max-queued-bytes", String(maxQueued), "--ping-interval", "60000", "--ping-timeout", "60000"];

for (const round of [1, 2]) {
  test(`a join next to a full member reaches the right members (round ${round})`, async () => {
    const server = await startServer(flags);
    const sockets = [];
    try {
      const room = uniqueRoom("route");
      const { slowMembers: [a], normals: [b] } = await slowRoom(server.url, room, { slowCount: 1, normalCount: 1, maxQueued });
      sockets.push(b.socket);
      const j = await joinedWs(server.url, room);
      sockets.push(j.socket);
      const jrec = j.rec;
      await assertHealthy(server, assert);
      await emitWithAck(j.socket, "signal", { to: "p_nobody", type: "x", payload: null }); // barrier
      assert.ok(!jrec.of("peer-joined").some((p) => p.peerId === j.peerId), "J got peer-joined about itself");

      await b.rec.waitFor((e) => e.event === "peer-joined" && e.payload.peerId === j.peerId, 5000, "B's peer-joined for J");
      assert.deepEqual(b.rec.of("peer-joined").find((p) => p.peerId === j.peerId), {
        peerId: j.peerId,
        clientId: j.clientId,
        displayName: "",
      });
      const listed = j.ack.peers.map((p) => p.peerId);
      assert.ok(listed.includes(b.peerId), "J's ack lists B");
      assert.ok(listed.every((p) => p === b.peerId || p === a.peerId), `J's ack lists only B and A: ${listed}`);
      assert.ok(!listed.includes(j.peerId), "J's ack does not list J");

      // A is dropped; whoever knew of it hears it left, disconnected.
      await b.rec.waitFor((e) => e.event === "peer-left" && e.payload.peerId === a.peerId, 5000, "B's peer-left for A");
      if (listed.includes(a.peerId))
        await jrec.waitFor((e) => e.event === "peer-left" && e.payload.peerId === a.peerId, 5000, "J's peer-left for A");
      // Barrier: every event queued before these acks has been received.
      for (const s of [b.socket, j.socket]) await emitWithAck(s, "signal", { to: "p_nobody", type: "x", payload: null });
      assert.deepEqual(b.rec.of("peer-left"), [{ peerId: a.peerId, reason: "disconnected" }]);
      assert.deepEqual(jrec.of("peer-left"), listed.includes(a.peerId) ? [{ peerId: a.peerId, reason: "disconnected" }] : []);
      assert.deepEqual(jrec.of("peer-joined"), [], "J hears no peer-joined (least of all about itself)");
      assert.equal(await metric(server, "fc_slow_consumers_dropped_total"), 1);

      // And the room still routes: B and J signal each other.
      const got = waitFor(() => jrec.of("signal").find((s) => s.from === b.peerId), 3000, "B's signal at J");
      assert.deepEqual(await emitWithAck(b.socket, "signal", { to: j.peerId, type: "offer", payload: { n: round } }), { ok: true });
      assert.deepEqual(await got, { from: b.peerId, type: "offer", payload: { n: round } });
    } finally {
      for (const s of sockets) s.close();
      await server.stop();
    }
  });
}
