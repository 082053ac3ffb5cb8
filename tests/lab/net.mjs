// A festival network on one machine: a hub (the venue LAN's switch, where
// the server and coturn run) and phones, each in a network namespace of its
// own, plus NAT sites (a router namespace with phones behind it). Faults a
// festival has: silent Wi-Fi, packet loss, a new address, NAT.
//
// Everything here runs inside the private namespace tests/lab/run.sh makes
// (`unshare -nm`, /run/netns on a tmpfs), so nothing reaches the host's
// network and it all vanishes when that process exits. The facts this relies
// on were measured on these machines: ../shared/design/webrtc-testing.md
// (no netem; iptables statistic drops; a phone off the bridge is silent).
import { execFileSync, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const HUB_NET = "10.77.0";
export const HUB_ADDR = `${HUB_NET}.1`;

/** True inside tests/lab/run.sh's namespace (never touch the host's network). */
export function insideLab() {
  return process.env.FC_LAB === "1" && existsSync("/run/netns") && readFileSync("/proc/mounts", "utf8").includes(" /run/netns tmpfs ");
}

function run(cmd, args, { quiet = false } = {}) {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    if (quiet) return "";
    throw new Error(`${cmd} ${args.join(" ")}: ${String(e.stderr || e.message).trim()}`);
  }
}
const ip = (...args) => run("ip", args);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs `cmd` inside namespace `ns`. */
export function inNs(ns, cmd, args, opts) {
  return run("ip", ["netns", "exec", ns, cmd, ...args], opts);
}

// Interface names are at most 15 characters: a lab id of up to 4, a phone
// name of up to 6.
function checkName(what, s, max) {
  if (!/^[a-z][a-z0-9]*$/.test(s) || s.length > max) throw new Error(`${what} "${s}": 1-${max} of [a-z0-9], a letter first`);
}

/** A phone: a namespace with one interface (`dev`), an address and a
 *  default route. On the LAN its other end (`hubLink`) is a bridge port. */
class Phone {
  constructor(lab, { name, ns, dev, hubLink, addr, prefix, gateway, site }) {
    Object.assign(this, { lab, name, ns, dev, hubLink, addr, prefix, gateway, site });
    this.silent = false;
    this.lossRules = [];
  }

  /** Silent Wi-Fi: still associated (the link stays up, no "network
   *  unreachable"), but nothing passes either way, to peers or server. */
  silence() {
    if (!this.hubLink || this.site) throw new Error("only LAN phones can be silenced");
    ip("link", "set", this.hubLink, "nomaster");
    this.silent = true;
  }

  /** The Wi-Fi is back: the phone's port joins the bridge again. */
  restore() {
    ip("link", "set", this.hubLink, "master", this.lab.bridge);
    this.silent = false;
  }

  /** Drops a fraction `p` of packets each way, at random, silently: what
   *  the phone receives in its own INPUT chain, what it sends on arrival
   *  at the hub (bridged to peers: FORWARD; to the server: INPUT). Dropping
   *  in the phone's OUTPUT chain would fail its send() calls instead. */
  loss(p) {
    this.noLoss();
    const stat = ["-m", "statistic", "--mode", "random", "--probability", String(p), "-j", "DROP"];
    const rules = [
      { ns: this.ns, rule: ["INPUT", "-i", this.dev, ...stat] },
      { ns: null, rule: ["FORWARD", "-m", "physdev", "--physdev-in", this.hubLink, ...stat] },
      { ns: null, rule: ["INPUT", "-m", "physdev", "--physdev-in", this.hubLink, ...stat] },
    ];
    for (const { ns, rule } of rules) {
      if (ns) inNs(ns, "iptables", ["-A", ...rule]);
      else run("iptables", ["-A", ...rule]);
    }
    this.lossRules = rules;
  }

  /** Packets dropped by the loss rules so far, per place. */
  lossCounts() {
    const counts = {};
    for (const { ns, rule } of this.lossRules) {
      const out = ns ? inNs(ns, "iptables", ["-L", rule[0], "-v", "-n", "-x"]) : run("iptables", ["-L", rule[0], "-v", "-n", "-x"]);
      const line = out.split("\n").find((l) => /statistic/.test(l) && (ns ? l.includes(this.dev) : l.includes(this.hubLink)));
      counts[`${ns ? "phone" : "hub"} ${rule[0]}`] = line ? Number(line.trim().split(/\s+/)[0]) : 0;
    }
    return counts;
  }

  noLoss() {
    for (const { ns, rule } of this.lossRules) {
      if (ns) inNs(ns, "iptables", ["-D", ...rule], { quiet: true });
      else run("iptables", ["-D", ...rule], { quiet: true });
    }
    this.lossRules = [];
  }

  /** Roaming: a new address on the same network. The old one goes first
   *  (deleting a primary address removes its secondaries, and a phone that
   *  roams has no old address left), then the new one and the route. */
  roam(newAddr) {
    ip("-n", this.ns, "addr", "del", `${this.addr}/${this.prefix}`, "dev", this.dev);
    ip("-n", this.ns, "addr", "add", `${newAddr}/${this.prefix}`, "dev", this.dev);
    ip("-n", this.ns, "route", "replace", "default", "via", this.gateway, "dev", this.dev);
    this.addr = newAddr;
  }

  /** A TCP connect from inside the phone: true when `host:port` answers
   *  within `ms` (ping is not installed; a socket connect from Node is the probe). */
  reaches(host, port, ms = 1000) {
    const js = `const s=require("net").connect(${port},"${host}",()=>{console.log("ok");process.exit()});s.on("error",()=>process.exit());setTimeout(()=>process.exit(),${ms})`;
    return inNs(this.ns, process.execPath, ["-e", js], { quiet: true }).startsWith("ok");
  }

  /** A UDP datagram from this phone to `other`'s address arrives within
   *  `ms` (the path WebRTC takes between two phones on the LAN). */
  async udpReaches(other, ms = 1000) {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const listen = `const s=require("dgram").createSocket("udp4");s.on("message",(m)=>{console.log(String(m));process.exit()});s.bind(${port},()=>console.log("ready"));setTimeout(()=>process.exit(),${ms + 1000})`;
    const got = new Promise((res) => {
      const c = spawn("ip", ["netns", "exec", other.ns, process.execPath, "-e", listen], { stdio: ["ignore", "pipe", "ignore"] });
      let out = "";
      c.stdout.on("data", (d) => {
        out += d;
        if (out.startsWith("ready")) ready();
      });
      c.on("exit", () => res(out.replace("ready", "").trim()));
    });
    let ready;
    await Promise.race([new Promise((r) => (ready = r)), sleep(3000)]);
    const send = `const s=require("dgram").createSocket("udp4");let n=0;const go=()=>s.send("probe",${port},"${other.addr}",()=>{if(++n<5)setTimeout(go,50);else s.close()});go()`;
    inNs(this.ns, process.execPath, ["-e", send], { quiet: true });
    return (await got) === "probe";
  }
}

export class Lab {
  /** A hub bridge for lab `id` (1-4 lower-case letters or digits). One lab
   *  at a time per run.sh namespace: whatever a crashed earlier file left
   *  behind is removed first. */
  static async create(id) {
    if (!insideLab()) throw new Error("the lab runs inside tests/lab/run.sh (a private network namespace)");
    checkName("lab id", id, 4);
    Lab.wipe();
    const lab = new Lab(id);
    run("ip", ["link", "set", "lo", "up"]);
    ip("link", "add", lab.bridge, "type", "bridge");
    ip("addr", "add", `${HUB_ADDR}/24`, "dev", lab.bridge);
    ip("link", "set", lab.bridge, "up");
    // The venue's uplink, going nowhere: a default route into a veth whose
    // far end has no address, so that what is sent beyond the LAN vanishes
    // as on the Internet. Without it a send there fails at once (no route;
    // a blackhole route fails it too, EINVAL), and coturn (4.6.1) closes an
    // allocation whose relay fails a send: measured, a relay sending a
    // check to a phone's private address behind another NAT lost the
    // allocation carrying the chat within a second. (No dummy device here.)
    ip("link", "add", `fc${id}up`, "type", "veth", "peer", "name", `fc${id}upx`);
    ip("link", "set", `fc${id}up`, "up");
    ip("link", "set", `fc${id}upx`, "up");
    ip("addr", "add", "10.254.0.1/30", "dev", `fc${id}up`);
    ip("neigh", "add", "10.254.0.2", "lladdr", "02:00:0a:fe:00:02", "dev", `fc${id}up`, "nud", "permanent");
    ip("route", "add", "default", "via", "10.254.0.2", "dev", `fc${id}up`);
    return lab;
  }

  /** Removes every namespace, hub link and iptables rule of earlier labs. */
  static wipe() {
    for (const ns of existsSync("/run/netns") ? readdirSync("/run/netns") : []) run("ip", ["netns", "del", ns], { quiet: true });
    const links = run("ip", ["-o", "link", "show"], { quiet: true });
    for (const m of links.matchAll(/^\d+: (fc[a-z0-9]*)[@:]/gm)) run("ip", ["link", "del", m[1]], { quiet: true });
    run("iptables", ["-F"], { quiet: true });
    run("iptables", ["-t", "nat", "-F"], { quiet: true });
  }

  constructor(id) {
    this.id = id;
    this.bridge = `fc${id}br`;
    this.hubAddr = HUB_ADDR;
    this.phones = [];
    this.nextHost = 11;
    this.sites = [];
    this.children = [];
    this.tmp = mkdtempSync(join(tmpdir(), `fc-lab-${id}-`));
  }

  #ns(name) {
    return `fc${this.id}-${name}`;
  }

  /** A phone on the venue LAN: 10.77.0.x/24, default route via the hub. */
  async phone(name) {
    checkName("phone", name, 6);
    const ns = this.#ns(name);
    const hubLink = `fc${this.id}h${name}`;
    const dev = "wlan0";
    const addr = `${HUB_NET}.${this.nextHost++}`;
    ip("netns", "add", ns);
    ip("link", "add", hubLink, "type", "veth", "peer", "name", dev, "netns", ns);
    ip("link", "set", hubLink, "master", this.bridge);
    ip("link", "set", hubLink, "up");
    ip("-n", ns, "link", "set", "lo", "up");
    ip("-n", ns, "addr", "add", `${addr}/24`, "dev", dev);
    ip("-n", ns, "link", "set", dev, "up");
    ip("-n", ns, "route", "add", "default", "via", HUB_ADDR, "dev", dev);
    const phone = new Phone(this, { name, ns, dev, hubLink, addr, prefix: 24, gateway: HUB_ADDR });
    this.phones.push(phone);
    return phone;
  }

  /** A free LAN address for roaming (never handed out before). */
  freeAddr() {
    return `${HUB_NET}.${this.nextHost++}`;
  }

  /** A NAT site: a router namespace on the LAN (10.77.0.10x) masquerading
   *  a private network 192.168.<n>.0/24 with phones behind it. With
   *  `symmetric`, every new destination gets a fresh random source port
   *  (MASQUERADE --random-fully): two such sites never meet directly,
   *  with or without STUN, only through a relay. Replies come back (the
   *  router's conntrack); nothing else gets in. */
  async natSite(name, { symmetric = true } = {}) {
    checkName("site", name, 5);
    const n = this.sites.length + 1;
    const ns = this.#ns(`r${name}`);
    const hubLink = `fc${this.id}u${name}`;
    const uplink = `${HUB_NET}.${100 + n}`;
    ip("netns", "add", ns);
    ip("link", "add", hubLink, "type", "veth", "peer", "name", "wan0", "netns", ns);
    ip("link", "set", hubLink, "master", this.bridge);
    ip("link", "set", hubLink, "up");
    ip("-n", ns, "link", "set", "lo", "up");
    ip("-n", ns, "addr", "add", `${uplink}/24`, "dev", "wan0");
    ip("-n", ns, "link", "set", "wan0", "up");
    ip("-n", ns, "route", "add", "default", "via", HUB_ADDR, "dev", "wan0");
    ip("-n", ns, "link", "add", "lan0", "type", "bridge");
    ip("-n", ns, "addr", "add", `192.168.${10 + n}.1/24`, "dev", "lan0");
    ip("-n", ns, "link", "set", "lan0", "up");
    inNs(ns, "sysctl", ["-qw", "net.ipv4.ip_forward=1"]);
    inNs(ns, "iptables", ["-t", "nat", "-A", "POSTROUTING", "-o", "wan0", "-j", "MASQUERADE", ...(symmetric ? ["--random-fully"] : [])]);
    // Only replies come in from outside; anything else is dropped
    // silently (no ICMP port-unreachable), as carrier NATs do.
    for (const chain of ["FORWARD", "INPUT"]) {
      inNs(ns, "iptables", ["-A", chain, "-i", "wan0", "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"]);
      inNs(ns, "iptables", ["-A", chain, "-i", "wan0", "-j", "DROP"]);
    }
    const lab = this;
    let nextHost = 2;
    const site = {
      name,
      ns,
      uplink,
      subnet: `192.168.${10 + n}.0/24`,
      async phone(pname) {
        checkName("phone", pname, 6);
        const pns = lab.#ns(pname);
        const addr = `192.168.${10 + n}.${nextHost++}`;
        const gw = `192.168.${10 + n}.1`;
        const routerLink = `l${pname}`;
        ip("netns", "add", pns);
        ip("-n", ns, "link", "add", routerLink, "type", "veth", "peer", "name", "wlan0", "netns", pns);
        ip("-n", ns, "link", "set", routerLink, "master", "lan0");
        ip("-n", ns, "link", "set", routerLink, "up");
        ip("-n", pns, "link", "set", "lo", "up");
        ip("-n", pns, "addr", "add", `${addr}/24`, "dev", "wlan0");
        ip("-n", pns, "link", "set", "wlan0", "up");
        ip("-n", pns, "route", "add", "default", "via", gw, "dev", "wlan0");
        const phone = new Phone(lab, { name: pname, ns: pns, dev: "wlan0", hubLink: null, addr, prefix: 24, gateway: gw, site });
        lab.phones.push(phone);
        return phone;
      },
      /** NAT mappings the router holds (conntrack is not installed; /proc is). */
      mappings() {
        return inNs(ns, "cat", ["/proc/net/nf_conntrack"], { quiet: true });
      },
    };
    this.sites.push(site);
    return site;
  }

  /** What the hub sees of `phone` when one socket on it sends to `n`
   *  different hub ports: ["addr:port", ...]. Behind a symmetric NAT the
   *  ports differ (a mapping per destination); on the LAN they are the
   *  phone's own address and one port. */
  async observedSources(phone, n = 2) {
    const socks = [];
    for (let i = 0; i < n; i++) {
      const s = createSocket("udp4");
      await new Promise((res) => s.bind(0, this.hubAddr, res));
      socks.push(s);
    }
    const seen = socks.map((s) => new Promise((res) => s.once("message", (_m, r) => res(`${r.address}:${r.port}`))));
    const ports = socks.map((s) => s.address().port);
    const js = `const s=require("dgram").createSocket("udp4");const ps=${JSON.stringify(ports)};let n=0;s.bind(0,()=>{for(const p of ps)s.send("x",p,"${this.hubAddr}",()=>{if(++n===ps.length)s.close()})})`;
    inNs(phone.ns, process.execPath, ["-e", js]);
    const timeout = sleep(2000).then(() => "none");
    const out = await Promise.all(seen.map((p) => Promise.race([p, timeout])));
    for (const s of socks) s.close();
    return out;
  }

  /** New links need a moment before the first connection (measured: ~1 s). */
  async settle(ms = 1000) {
    await sleep(ms);
  }

  /** A real coturn on the hub, TURN REST API credentials (use-auth-secret),
   *  UDP only, on a free port, logging to a file of its own. */
  async coturn({ secret = "lab-secret", realm = "festival.lab", extraArgs = [] } = {}) {
    const port = await freeUdpPort(this.hubAddr);
    const relayMin = 40000 + Math.floor(Math.random() * 10000);
    const log = join(this.tmp, "turnserver.log");
    const args = [
      "-n", "--listening-ip", this.hubAddr, "--relay-ip", this.hubAddr, "--listening-port", String(port),
      "--min-port", String(relayMin), "--max-port", String(relayMin + 200),
      "--use-auth-secret", "--static-auth-secret", secret, "--realm", realm,
      "--no-tls", "--no-dtls", "--no-tcp-relay", "--no-cli", "--no-rfc5780", "--fingerprint",
      "--pidfile", join(this.tmp, "turnserver.pid"), "--log-file", log, "--simple-log", "--no-stdout-log", "--verbose",
      ...extraArgs,
    ];
    const proc = spawn("turnserver", args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    proc.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise((res) => proc.on("exit", (code, signal) => res({ code, signal })));
    this.children.push(proc);
    const readLog = () => (existsSync(log) ? readFileSync(log, "utf8") : "");
    const end = Date.now() + 10000;
    while (!/Total General servers|listener opened on/i.test(readLog())) {
      if (proc.exitCode !== null) throw new Error(`turnserver exited ${proc.exitCode}: ${stderr}\n${readLog()}`);
      if (Date.now() > end) throw new Error(`turnserver did not start in 10 s:\n${readLog()}`);
      await sleep(100);
    }
    return {
      url: `turn:${this.hubAddr}:${port}?transport=udp`,
      port,
      secret,
      log: readLog,
      /** Allocations coturn made (each relayed path needs one). */
      allocations: () => (readLog().match(/ALLOCATE processed, success/g) ?? []).length,
      async stop() {
        if (proc.exitCode === null) proc.kill("SIGTERM");
        const t = setTimeout(() => proc.kill("SIGKILL"), 3000);
        await exited;
        clearTimeout(t);
      },
    };
  }

  /** Tears the lab down: child processes, namespaces, hub links, rules. */
  async close() {
    for (const p of this.children) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
    for (const ph of this.phones) ph.noLoss();
    Lab.wipe();
    // FC_LAB_KEEP=1 keeps the logs (coturn's) for a look after a failure.
    if (process.env.FC_LAB_KEEP === "1") console.log(`# lab files kept in ${this.tmp}`);
    else rmSync(this.tmp, { recursive: true, force: true });
  }
}

async function freeUdpPort(host) {
  const s = createSocket("udp4");
  await new Promise((res, rej) => {
    s.once("error", rej);
    s.bind(0, host, res);
  });
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}
