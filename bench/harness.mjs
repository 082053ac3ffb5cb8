// What both benchmark runners (bench/run.mjs, bench/cluster/run.mjs) share:
// their command line, the loop that runs each wanted scenario and keeps
// going past a failed one, a process started and watched until it says it
// is ready, and the server flags ours and the reference both take.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** --flag and --name value, and --only a,b as `wanted(name)`. */
export function cli(argv = process.argv.slice(2)) {
  const flag = (name) => argv.includes(name);
  const value = (name, fallback) => {
    const i = argv.indexOf(name);
    return i >= 0 && i + 1 < argv.length ? argv[i + 1] : fallback;
  };
  const only = value("--only", "").split(",").filter(Boolean);
  return { argv, flag, value, wanted: (name) => !only.length || only.includes(name) };
}

/** Runs `fn` if `name` is wanted; a failure is written down in `errors`
 *  and logged, and the run goes on. */
export function scenarioRunner({ wanted, log, errors, detail = (e) => e.message }) {
  return async (name, fn) => {
    if (!wanted(name)) return;
    const t0 = Date.now();
    log(`${name}…`);
    try {
      await fn();
      log(`${name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    } catch (e) {
      errors.push(`${name}: ${e.message}`);
      log(`${name} FAILED: ${detail(e)}`);
    }
  };
}

// Every process started here is killed if the runner exits first.
const live = new Set();
process.on("exit", () => {
  for (const p of live) {
    try {
      p.kill("SIGKILL");
    } catch {}
  }
});

/** Spawns `cmd`; `ready` resolves with the match once `readyOn` matches its
 *  stdout, and rejects if it exits first or `timeoutMs` passes. */
export function startProcess(cmd, args, { readyOn, env = {}, timeoutMs = 20000 }) {
  const proc = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  live.add(proc);
  let out = "";
  let err = "";
  proc.stderr.on("data", (d) => (err += d));
  const exited = new Promise((res) =>
    proc.on("exit", (code, signal) => {
      live.delete(proc);
      res({ code, signal });
    }),
  );
  const ready = new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`${cmd} ${args.join(" ").slice(0, 200)}: not ready:\n${err.slice(-2000)}`)), timeoutMs);
    proc.stdout.on("data", (d) => {
      out += d;
      const m = readyOn.exec(out);
      if (m) {
        clearTimeout(timer);
        res(m);
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      rej(new Error(`${cmd} exited ${code ?? signal}:\n${err.slice(-2000)}`));
    });
  });
  ready.catch(() => {});
  return {
    proc,
    pid: proc.pid,
    ready,
    exited,
    stderr: () => err,
    async stop(timeoutMs = 10000) {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
      const killer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
      const r = await exited;
      clearTimeout(killer);
      return r;
    },
  };
}

/** What a server prints once it listens on loopback: the port is group 1. */
export const LISTENING = /listening on http:\/\/127\.0\.0\.1:(\d+)/;

/** An empty web app for the servers of a run, removed when the runner exits. */
export function emptyWebRoot(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(dir, "index.html"), "<!doctype html><title>bench</title>");
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Ours and the reference take the same flags. Rate limits are off on both
 *  (the reference has none of its own); heartbeats every 5 s so idle
 *  clients really heartbeat while they are held. */
export function serverArgs(webRoot, port, extra = []) {
  return [
    "--host", "127.0.0.1", "--port", String(port), "--no-qr", "--log-level", "warn", "--web-root", webRoot,
    "--stun-urls", "none", "--event-burst", "0", "--connection-burst", "0",
    "--ping-interval", "5000", "--ping-timeout", "20000", ...extra,
  ];
}
