// A real HAProxy (Debian's) in front of cluster nodes: plain round-robin
// per request, no stickiness of any kind, so consecutive requests of one
// Engine.IO session land on different nodes. Health checks on /healthz
// take a dead node out within a second.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, withDeadline } from "./server.mjs";

export const haproxyBin = "/usr/sbin/haproxy";

// `backends`: the nodes' http://HOST:PORT urls; `host`: where to listen.
export async function startHaproxy(backends, { host = "127.0.0.1" } = {}) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "fc-haproxy-"));
  const servers = backends
    .map((u, i) => `    server node${i} ${new URL(u).host} check inter 300ms fall 2 rise 1`)
    .join("\n");
  const config = `global
    maxconn 4096
defaults
    mode http
    timeout connect 2s
    timeout client 120s
    timeout server 120s
    timeout tunnel 120s
    option http-server-close
frontend chat
    bind ${host}:${port}
    default_backend nodes
backend nodes
    balance roundrobin
    option httpchk GET /healthz
${servers}
`;
  const file = join(dir, "haproxy.cfg");
  writeFileSync(file, config);
  const proc = spawn(haproxyBin, ["-db", "-f", file], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  proc.stdout.on("data", (d) => (log += d));
  proc.stderr.on("data", (d) => (log += d));
  const exited = new Promise((res) => proc.on("exit", res));
  // Ready when it answers through to a node.
  const url = `http://${host}:${port}`;
  await withDeadline((async () => {
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`haproxy exited:\n${log}`);
      try {
        const r = await fetch(`${url}/healthz`);
        if (r.ok) return;
      } catch { /* not yet */ }
      await new Promise((r) => setTimeout(r, 50));
    }
  })(), 10000, "haproxy to answer");
  return {
    url,
    port,
    log: () => log,
    async stop() {
      if (proc.exitCode !== null) return;
      proc.kill("SIGTERM");
      await exited;
    },
  };
}
