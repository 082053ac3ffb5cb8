// Unit tests for bench/report.mjs: node --test bench/report.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { render, fmtBytes, fmtRate, fmtRatio, fmtUs, fmtMs, fmtMsRange, NODE_NAME, OURS_NAME } from "./report.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const fixturePath = join(here, "fixtures/sample-results.json");
const fixture = () => JSON.parse(readFileSync(fixturePath, "utf8"));

// Tags open and close in order (no XML parser in node: built-ins).
function assertBalancedSvg(svg) {
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg.trim(), /<\/svg>$/);
  const stack = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z][\w:-]*)[^>]*?(\/?)>/g)) {
    const [, close, name, self] = m;
    if (self) continue;
    if (close) assert.equal(stack.pop(), name, `unbalanced </${name}>`);
    else stack.push(name);
  }
  assert.deepEqual(stack, []);
  assert.doesNotMatch(svg, /NaN|undefined|Infinity/);
}

test("formatters read like a person wrote them", () => {
  assert.equal(fmtRate(134405), "134,405/s");
  assert.equal(fmtUs(1234), "1.2 ms");
  assert.equal(fmtUs(850), "850 µs");
  assert.equal(fmtUs(2_500_000), "2.5 s");
  assert.equal(fmtMs(120), "120 ms");
  assert.equal(fmtMs(2500), "2.5 s");
  assert.equal(fmtBytes(14.5 * 1024 * 1024), "14.5 MiB");
  assert.equal(fmtBytes(3.4 * 1024), "3.4 KiB");
  assert.equal(fmtBytes(3 * 1024), "3.0 KiB");
  assert.equal(fmtRatio(1.81), "1.8x");
  assert.equal(fmtRatio(0.456), "0.46x");
  assert.equal(fmtMsRange("215-225"), "215–225 ms");
  assert.equal(fmtMsRange("5000-8000"), "5–8 s");
  assert.equal(fmtRate(undefined), "not measured");
  assert.equal(fmtBytes(null), "not measured");
});

test("renders the sample results with the key numbers", () => {
  const { markdown, svgs } = render(fixture());
  assert.match(markdown, /^# Benchmarks/);
  assert.match(markdown, /`bench\/run --full`/);
  for (const s of [
    "134,405/s", // ours relay
    "74,210/s", // node relay
    "182,600/s", // generator ceiling
    "1.8x", // relay ratio
    "3.2x", // p99 at equal load
    "9.7x", // memory per idle connection
    "2.2x", // joins per second
    "1.5x", // polling
    "3.0 KiB", // ours per idle connection at 19k
    "29.6 KiB", // node per idle connection at 19k
    "14.5 MiB", // ours relay RSS
    "18,734", // callgrind
    "215–225 ms",
    "5–8 s",
    "2026-11-25 14:00 UTC",
    "g++ 12.2.0",
    "socket.io",
    "❌ missed",
    "✅ met",
    "2 of 4 targets met",
    "Idle runs stop at 19,000 clients", // notes
  ]) assert.ok(markdown.includes(s), `missing ${s}`);
  assert.match(markdown, /not the bottleneck/);
  assert.match(markdown, /!\[[^\]]*\]\(bench\/latency-vs-load\.svg\)/);
  assert.match(markdown, /!\[[^\]]*\]\(bench\/memory-vs-connections\.svg\)/);
  assert.doesNotMatch(markdown, /NaN|undefined|\[object Object\]/);

  assert.deepEqual(Object.keys(svgs).sort(), ["latency-vs-load.svg", "memory-vs-connections.svg"]);
  for (const svg of Object.values(svgs)) {
    assertBalancedSvg(svg);
    assert.ok(svg.includes(OURS_NAME), "ours series named");
    assert.ok(svg.includes(NODE_NAME), "node series named");
    assert.ok((svg.match(/<path d="M/g) || []).length >= 2, "at least two lines drawn");
  }
});

test("says when the generator was the bottleneck", () => {
  const r = fixture();
  r.scenarios.relay.ours.relayed_per_s = 170000; // 93% of the 182,600/s ceiling
  r.scenarios.relay.ours.server_cpu = 0.6;
  assert.match(render(r).markdown, /load generator was the bottleneck/);
  const r2 = fixture();
  r2.scenarios.relay.ours.generator_cpu = 0.95;
  r2.scenarios.relay.ours.server_cpu = 0.6;
  assert.match(render(r2).markdown, /load generator was the bottleneck/);
  // a server at its limit too: the figure is (about) the server's own
  const r3 = fixture();
  r3.scenarios.relay.ours.generator_cpu = 0.97;
  r3.scenarios.relay.ours.server_cpu = 1.0;
  assert.match(render(r3).markdown, /generator and the server were both at their limit/);
});

test("repeated equal-load runs are listed with the median one shown", () => {
  const r = fixture();
  const eq = r.scenarios.latency.equal_load;
  eq.runs = 3;
  eq.ours_p99_us = [410, 380, 950];
  eq.node_p99_us = [2100, 13400, 1730];
  const md = render(r).markdown;
  assert.match(md, /3 runs each \(servers taking turns\); the run with the median p99 is shown/);
  assert.match(md, /p99 of every run: .*410 µs, 380 µs, 950 µs; .*2\.1 ms, 13\.4 ms, 1\.7 ms\./);
  // a single run says nothing of repeats
  assert.doesNotMatch(render(fixture()).markdown, /p99 of every run/);
});

test("an almost empty results object renders and says not measured", () => {
  const { markdown, svgs } = render({ date: "2026-11-25T14:00:00Z", mode: "quick", scenarios: {} });
  assert.match(markdown, /`bench\/run --quick`/);
  assert.match(markdown, /not measured/i);
  assert.doesNotMatch(markdown, /NaN|undefined|\[object Object\]/);
  for (const svg of Object.values(svgs)) {
    assertBalancedSvg(svg);
    assert.match(svg, /not measured/);
  }
});

test("partial and broken results do not throw", () => {
  const r = fixture();
  delete r.scenarios.relay.node; // Node failed
  r.scenarios.latency.node = null;
  r.scenarios.idle.node = [{ clients: 19000, still_connected: 12000, failures: 7000, error: "EMFILE: too many open files" }];
  r.scenarios.reload_storm.ours.lost = 3;
  r.scenarios.callgrind = {};
  r.targets.push({ name: "browser reload -> chatting < 1 s", value: 400, goal: 1000, met: true });
  r.ratios = null;
  const { markdown, svgs } = render(r);
  assert.match(markdown, /EMFILE/);
  assert.match(markdown, /\*\*errors\*\*/);
  assert.match(markdown, /browser reload -> chatting < 1 s/);
  assert.match(markdown, /Throughput ratio: \*\*not measured\*\*/); // Node failed, no ratio given
  for (const svg of Object.values(svgs)) assertBalancedSvg(svg);
  for (const weird of [null, undefined, 42, "x", [], { scenarios: null }, { scenarios: { relay: { ours: "oops" } }, targets: [null, 3] }]) {
    const out = render(weird);
    assert.match(out.markdown, /not measured/);
  }
});

test("a new report keeps the network lab's section of the page", () => {
  const dir = mkdtempSync(join(tmpdir(), "fc-report-"));
  try {
    mkdirSync(join(dir, "docs"), { recursive: true });
    const field = "<!-- field:begin -->\n## On the network lab\n\n| a | 1 ms |\n<!-- field:end -->";
    writeFileSync(join(dir, "docs/benchmarks.md"), `# old page\n\nold text\n\n${field}\n`);
    execFileSync(process.execPath, [join(here, "report.mjs"), fixturePath, "--out-dir", dir]);
    const md = readFileSync(join(dir, "docs/benchmarks.md"), "utf8");
    assert.match(md, /134,405\/s/);
    assert.ok(!md.includes("old text"));
    assert.ok(md.trimEnd().endsWith(field));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a new report keeps the cluster section too, after the network lab's", () => {
  const dir = mkdtempSync(join(tmpdir(), "fc-report-"));
  try {
    mkdirSync(join(dir, "docs"), { recursive: true });
    const field = "<!-- field:begin -->\n## On the network lab\n\n| a | 1 ms |\n<!-- field:end -->";
    const cluster = "<!-- cluster:begin -->\n## Cluster\n\n| b | 2x |\n<!-- cluster:end -->";
    writeFileSync(join(dir, "docs/benchmarks.md"), `# old page\n\n${cluster}\n\nold text\n\n${field}\n`);
    execFileSync(process.execPath, [join(here, "report.mjs"), fixturePath, "--out-dir", dir]);
    const md = readFileSync(join(dir, "docs/benchmarks.md"), "utf8");
    assert.ok(!md.includes("old text"));
    assert.ok(md.trimEnd().endsWith(`${field}\n\n${cluster}`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("command line writes the page and both plots", () => {
  const dir = mkdtempSync(join(tmpdir(), "fc-report-"));
  try {
    execFileSync(process.execPath, [join(here, "report.mjs"), fixturePath, "--out-dir", dir]);
    const md = readFileSync(join(dir, "docs/benchmarks.md"), "utf8");
    assert.match(md, /134,405\/s/);
    for (const f of ["latency-vs-load.svg", "memory-vs-connections.svg"]) assert.ok(existsSync(join(dir, "docs/bench", f)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
