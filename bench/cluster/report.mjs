// The cluster section of docs/benchmarks.md, from one bench/cluster run's
// results (bench/cluster/run.mjs --write calls clusterSection).
const n = (v, d = 0) => (Number.isFinite(v) ? v.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: 0 }) : "—");
const us = (v) => (!Number.isFinite(v) ? "—" : v >= 1e6 ? `${n(v / 1e6, 2)} s` : v >= 1000 ? `${n(v / 1000, 1)} ms` : `${n(v)} µs`);
const mib = (b) => (Number.isFinite(b) ? `${n(b / 2 ** 20, 1)} MiB` : "—");
const kib = (b) => (Number.isFinite(b) ? `${n(b / 1024, 1)} KiB` : "—");
const pct = (v) => (Number.isFinite(v) ? `${n(v * 100)}%` : "—");
const x = (v) => (Number.isFinite(v) ? `${n(v, 2)}x` : "—");
const row = (cells) => `| ${cells.join(" | ")} |`;
const table = (head, rows) => [row(head), row(head.map((_, i) => (i ? "---:" : "---"))), ...rows.map(row)].join("\n");
const ratio = (a, b) => (a > 0 && b > 0 ? a / b : undefined);
const met = (v, goal) => (!Number.isFinite(v) ? "not measured" : v >= goal ? "✅ met" : "❌ missed");

const perSignal = (c, key) => (c && !c.error && c.relayed_per_s > 0 && Number.isFinite(c[key]) ? c[key] / c.relayed_per_s : undefined);
const cpuPerSignal = (c) => {
  const all = perSignal(c, "server_cpu"), sys = perSignal(c, "server_system_cpu");
  if (!Number.isFinite(all)) return "—";
  return `${n(all * 1e6, 1)} µs${Number.isFinite(sys) ? ` (${n(sys * 1e6, 1)})` : ""}`;
};

export function clusterSection(r, { file, argv }) {
  const S = r.scenarios;
  const R = r.ratios ?? {};
  const V = r.versions;
  const M = r.machine;
  const L = [];
  L.push("<!-- cluster:begin -->", "## Cluster: nodes sharing rooms through Redis", "");
  L.push(
    `Produced by \`node bench/cluster/run.mjs ${argv.filter((a) => a !== "--write").join(" ")} --write\` on ${r.date.replace("T", " ").replace("Z", " UTC")} (${r.mode} mode; raw figures in \`${file}\`). ` +
      `Our nodes (\`festival-chat-server --redis\`) against the reference cluster: the same contract on socket.io ${V.socket_io} with \`@socket.io/redis-adapter\` ${V.redis_adapter} on node-redis ${V.node_redis} (\`bench/reference/server.mjs --redis\`, see its README), ` +
      `the same number of nodes, each cluster on its own fresh \`redis-server\` (${(V.redis_server ?? "").replace(/^Redis server /, "")}), one after the other in the same run. ` +
      `Measured on a **shared 2-core machine** (${M.cpu_model}, ${M.mem_gib} GiB, kernel ${M.kernel}, open files ${n(M.fd_soft_limit)} soft / ${n(M.fd_hard_limit)} hard per process; see the notes below for what else ran), so absolute figures move from run to run: read the ratios. ` +
      `Unless stated, every server process of a cluster and its Redis share CPU 0 and \`fc-loadgen\` (C++) runs on CPU 1. Server: ${V.server}; Node.js ${V.node}. ` +
      "Rate limits off on both (`--event-burst 0 --connection-burst 0`), heartbeats every 5 s, WebSocket clients.",
    "",
  );
  if (r.merged?.scenarios?.length) {
    const runs = new Map();
    for (const k of r.merged.scenarios) {
      const o = r.merged.origins?.[k] ?? r.merged;
      const key = `the run of ${o.date.replace("T", " ").replace("Z", " UTC")} (\`${o.file}\`, server ${o.server})`;
      runs.set(key, [...(runs.get(key) ?? []), k]);
    }
    L.push(`Measured in this run: ${Object.keys(S).filter((k) => !r.merged.scenarios.includes(k)).join(", ")}. Kept from ${[...runs].map(([run, ks]) => `${run}: ${ks.join(", ")}`).join("; from ")}.`, "");
  }

  // headline
  const eqRuns = S.cross_relay?.equal_load;
  const idle = S.idle;
  const big = idle?.ours_big;
  L.push(table(["Measure", "Ours vs reference", "Target", "Status"], [
    ["Cross-node relay throughput, 2 nodes (ours / reference)", x(R.cross_relay_throughput), "≥ 5x", met(R.cross_relay_throughput, 5)],
    [`Cross-node p99 latency at equal load ${n(eqRuns?.offered_per_s)}/s (reference / ours)`, x(R.cross_relay_p99_at_equal_load), "≥ 5x", met(R.cross_relay_p99_at_equal_load, 5)],
    ["Join storm over 2 nodes, joins/s (ours / reference)", x(R.join_storm_joins_per_s), "", ""],
    ["Join storm, p99 join latency (reference / ours)", x(R.join_storm_p99_join_latency), "", ""],
    [`Memory per idle connection, 2 nodes, ${n(idle?.ours?.clients)} clients (reference / ours)`, x(R.idle_memory_per_connection), "≥ 5x", met(R.idle_memory_per_connection, 5)],
    ["Idle joined WebSocket clients held by our cluster with zero errors", big && !big.error ? `${n(big.still_connected)} (${big.nodes} nodes, ${n(big.failures)} failures)` : idle?.ours ? n(idle.ours.still_connected) : "—", "100,000",
      big && !big.error ? (big.still_connected >= 100000 && big.failures === 0 ? "✅ met" : "❌ missed") : "not measured"],
    ["Failover: 1 node killed, every client rejoined on the other; lost / duplicated / not-`replaced` room events", S.failover ? `${n(S.failover.lost_events)} / ${n(S.failover.duplicated_events)} / ${n(S.failover.peer_left_not_replaced)}` : "—", "0", S.failover ? (S.failover.lost_events + S.failover.duplicated_events + S.failover.peer_left_not_replaced === 0 && S.failover.rejoined === S.failover.movers ? "✅ met" : "❌ missed") : "not measured"],
  ]), "");

  // cross relay
  const sat = S.cross_relay?.saturation;
  if (sat) {
    const med = (k) => {
      const l = (eqRuns?.[k] ?? []).filter((q) => Number.isFinite(q?.latency?.p99_us)).sort((a, b) => a.latency.p99_us - b.latency.p99_us);
      return l[(l.length - 1) >> 1];
    };
    const eo = med("ours"), en = med("node");
    L.push("### Cross-node relay (2 nodes)", "",
      `${n(sat.ours.clients)} clients in rooms of 4 whose members alternate between node A and node B; each signals the next member of its room, so every signal crosses nodes (ours: one PUBLISH per signal; reference: \`io.to(room/peerId).emit\` through the adapter). ` +
        `Saturation: a window of ${sat.ours.window_per_client} signals in flight per client (closed loop). Equal load: a fixed ${n(eqRuns.offered_per_s)} signals/s (open loop, ${P(r).eqFraction} of the reference's saturation), ${eqRuns.ours.length} run(s) each, fresh clusters, the run with the median p99 shown. ` +
        "CPU is averaged over the whole generator run (connect included), both nodes together; one core = 100%.",
      "",
      table(["", "Ours, saturation", "Reference, saturation", "Ours, equal load", "Reference, equal load"], [
        ["Signals relayed", `${n(sat.ours.relayed_per_s)}/s`, `${n(sat.node.relayed_per_s)}/s`, `${n(eo?.relayed_per_s)}/s`, `${n(en?.relayed_per_s)}/s`],
        ["Kept up with the offered rate", "", "", String(eo?.kept_up ?? "—"), String(en?.kept_up ?? "—")],
        ["Latency p50", us(sat.ours.latency?.p50_us), us(sat.node.latency?.p50_us), us(eo?.latency?.p50_us), us(en?.latency?.p50_us)],
        ["Latency p99", us(sat.ours.latency?.p99_us), us(sat.node.latency?.p99_us), us(eo?.latency?.p99_us), us(en?.latency?.p99_us)],
        ["Latency p99.9", us(sat.ours.latency?.p999_us), us(sat.node.latency?.p999_us), us(eo?.latency?.p999_us), us(en?.latency?.p999_us)],
        ["Both nodes' CPU", pct(sat.ours.cluster_servers_cpu), pct(sat.node.cluster_servers_cpu), pct(eo?.cluster_servers_cpu), pct(en?.cluster_servers_cpu)],
        ["Redis CPU", pct(sat.ours.redis_cpu), pct(sat.node.redis_cpu), pct(eo?.redis_cpu), pct(en?.redis_cpu)],
        ["Generator CPU (measured window)", pct(sat.ours.generator_cpu), pct(sat.node.generator_cpu), pct(eo?.generator_cpu), pct(en?.generator_cpu)],
        ["Lost / failures", `${n(sat.ours.lost)} / ${n(sat.ours.failures)}`, `${n(sat.node.lost)} / ${n(sat.node.failures)}`, `${n(eo?.lost)} / ${n(eo?.failures)}`, `${n(en?.lost)} / ${n(en?.failures)}`],
      ]),
      "",
      `p99 of every equal-load run: ours ${eqRuns.ours.map((q) => us(q.latency?.p99_us)).join(", ")}; reference ${eqRuns.node.map((q) => us(q.latency?.p99_us)).join(", ")}.`,
      "");
  }

  const js = S.join_storm;
  if (js) {
    L.push("### Join storm over two nodes", "",
      `${n(js.ours.clients)} clients join ${n(js.ours.clients / js.ours.room_size)} rooms of ${js.ours.room_size} at once (up to 1,000 connecting at a time), members alternating between the two nodes; every member must learn of every other member exactly once (join ack or \`peer-joined\`). Join latency: from opening the connection to the join ack.`,
      "",
      table(["", "Ours", "Reference"], [
        ["Joined", n(js.ours.joined), n(js.node.joined)],
        ["Joins per second", `${n(js.ours.joins_per_s)}/s`, `${n(js.node.joins_per_s)}/s`],
        ["Join latency p50", us(js.ours.join_latency?.p50_us), us(js.node.join_latency?.p50_us)],
        ["Join latency p99", us(js.ours.join_latency?.p99_us), us(js.node.join_latency?.p99_us)],
        ["Failures", n(js.ours.failures), n(js.node.failures)],
        ["Members never told of a peer (missing)", n(js.ours.missing), n(js.node.missing)],
        ["Duplicated / unexpected events", `${n(js.ours.duplicated)} / ${n(js.ours.unexpected)}`, `${n(js.node.duplicated)} / ${n(js.node.unexpected)}`],
      ]),
      "",
      js.node.missing > 0
        ? "The reference's missing events are its design, not load: two joins of the same room on different nodes each ask the other node for the room's sockets (`fetchSockets()`) before either has joined, so neither lists the other and each one's `peer-joined` reaches a room the other has not yet entered. Making that right needs a lock or a script in Redis (what our nodes do), which an ordinary socket.io app does not have."
        : "",
      "");
  }

  if (idle) {
    const rows = [];
    for (const [k, name] of [["ours", "Ours"], ["node", "Reference"], ["ours_big", "Ours"]]) {
      const q = idle[k];
      if (!q) continue;
      if (q.error) { rows.push([name, "—", "—", "—", "—", "—", "—", "—", `error: ${q.error.slice(0, 200).replace(/\|/g, "/")}`]); continue; }
      rows.push([name, n(q.nodes), n(q.clients), n(q.still_connected), n(q.failures), `${mib(q.servers_rss_before_bytes)} → ${mib(q.servers_rss_peak_bytes)}`, kib(q.rss_per_connection_bytes), kib(q.rss_total_per_connection_bytes), `${n(q.connect_and_join_s_max, 1)} s; Redis ${mib(q.redis_rss_before_bytes)} → ${mib(q.redis_rss_held_bytes)}`]);
    }
    L.push("### Idle joined clients", "",
      `Clients connect over WebSocket, join rooms of 4 (members alternating between two nodes) and stay idle, answering heartbeats, for ${n(idle.ours.hold_s ?? P(r).hold)} s. One \`fc-loadgen\` per node, not pinned, spread over source addresses 127.0.0.1-4. Memory: the sum of the server processes' resident set size (peak while held) minus before, per connection; Redis apart.`,
      "",
      table(["Cluster", "Nodes", "Clients", "Held", "Failures", "Servers' RSS", "Per connection", "Total RSS / connections", "Connect + join; Redis RSS"], rows),
      "");
    if (big && !big.error && big.still_connected < 100000)
      L.push(`Our cluster held ${n(big.still_connected)} of ${n(big.clients)}: see the failure reasons in the results file.`, "");
    if (M.fd_hard_limit < 100000)
      L.push(`One process may open ${n(M.fd_hard_limit)} files here (hard limit, not raisable), so 100,000 connections need at least 6 server processes (and 6 generator processes): hence ${big?.nodes ?? 6} nodes on ${big?.nodes ?? 6} ports, each holding about ${n((big?.clients ?? 100000) / (big?.nodes ?? 6))}.`, "");
  }

  const grid = S.grid?.cells;
  if (grid?.length) {
    const rows = grid.map((c) => {
      const w2 = c.ours_workers2;
      return [n(c.clients), n(c.window), c.payload >= 1024 ? `${c.payload / 1024} KiB` : `${c.payload} B`,
        c.ours?.error ? "error" : `${n(c.ours?.relayed_per_s)}/s`, c.node?.error ? "error" : `${n(c.node?.relayed_per_s)}/s`,
        x(ratio(c.ours?.relayed_per_s, c.node?.relayed_per_s)),
        w2 ? (w2.error ? "error" : `${n(w2.relayed_per_s)}/s`) : "", w2 && !w2.error ? x(ratio(w2.relayed_per_s, c.ours?.relayed_per_s)) : "",
        `${pct(c.ours?.generator_cpu)} / ${pct(c.node?.generator_cpu)}`,
        `${cpuPerSignal(c.ours)} / ${cpuPerSignal(c.node)}`,
        x(ratio(perSignal(c.node, "server_cpu"), perSignal(c.ours, "server_cpu"))),
        cpuPerSignal(c.sink),
        x(ratio(perSignal(c.node, "server_cpu"), perSignal(c.sink, "server_cpu")))];
    });
    L.push("### Relay grid, one node", "",
      "Rooms of 4, each client signalling the next member with a window of signals in flight (closed loop), single process against the single-process reference (no Redis), server on CPU 0 and generator on CPU 1; then ours with `--workers 2` (two processes on one port, on one Redis, so a room's members may be on different workers and their signals cross through Redis) on both cores, the generator sharing CPU 1 with one of them.",
      "",
      table(["Clients", "In flight / client", "Payload", "Ours", "Reference", "Ours / ref.", "Ours, --workers 2", "2 workers / 1", "Generator CPU (ours / ref.)", "Server CPU per signal, (kernel): ours / ref.", "Ref. / ours, CPU per signal", "Floor: no-op relay's CPU per signal (kernel)", "Ref. / floor: the most any relay reaches"], rows),
      "",
      "Server CPU per signal is the server's user + system time over the measured window divided by the signals relayed in it; the part in brackets is the kernel's (system time: the read and write of each frame and loopback TCP). Where our server is not busy (one signal in flight per client), throughput is bound by round trips through the generator, not by the server; the CPU ratio then says what each server spends on a signal. " +
        "The floor is the same load, in the same cell of the same run, on `fc-loadgen sink`: a relay that does only what none can skip (one read per readable socket, unmasking, a frame header, one write per socket per epoll turn, level-triggered epoll) and checks nothing. " +
        "Any relay that checks its input does more, so the reference's CPU per signal over the floor's bounds the ratio any relay can show in that cell on this kernel.",
      "");
  }

  const f = S.failover;
  if (f) {
    L.push("### Failover", "",
      `${n(f.movers)} clients on node A and ${n(f.observers)} observers on node B, in ${n(f.rooms)} rooms of ${f.movers / f.rooms} movers + 1 observer (nodes started with \`--node-grace ${f.node_grace_ms}\`). \`kill -9\` node A; each client, on disconnect, connects to B and emits \`join-room\` again with the same clientId, as the web app does. Then the observers' events are checked ${(f.node_grace_ms + 2000) / 1000} s later (past the grace). Generator: socket.io-client in Node.js.`,
      "",
      table(["", "Ours"], [
        ["Rejoined on B", `${n(f.rejoined)} of ${n(f.movers)} (${n(f.refused)} refused)`],
        ["Kill → all rejoined", f.all_rejoined_after_kill_ms != null ? `${n(f.all_rejoined_after_kill_ms)} ms` : "not all"],
        ["Lost room events", n(f.lost_events)],
        ["Duplicated room events", n(f.duplicated_events)],
        ["peer-left other than `replaced`", n(f.peer_left_not_replaced)],
        ["Unexpected events", n(f.unexpected_events)],
      ]),
      "The reference cluster is not run here: it has no notion of a dead node's members keeping their places (the Redis adapter keeps no record of another node's sockets, so nothing would tell the others that the killed node's members are gone).",
      "");
  }

  if (r.notes?.length) L.push("Notes on these figures:", "", ...r.notes.map((s) => `- ${s}`), "");
  L.push("<!-- cluster:end -->");
  return L.filter((l, i, a) => !(l === "" && a[i - 1] === "")).join("\n");
}

function P(r) {
  return { eqFraction: r.mode === "full" ? "a quarter" : "a quarter", hold: r.mode === "full" ? 10 : 1 };
}
