#!/usr/bin/env node
// Turns one benchmark results file (written by bench/run.mjs) into the
// human-readable report:
//
//   node bench/report.mjs RESULTS.json [--out-dir DIR]
//
// writes DIR/docs/benchmarks.md, DIR/docs/bench/latency-vs-load.svg and
// DIR/docs/bench/memory-vs-connections.svg (DIR defaults to the repo root).
// Every field of the results may be missing (quick runs skip scenarios, a
// server may have failed); whatever is missing is shown as "not measured".
//
// render(results) -> { markdown, svgs } is exported for the unit tests.
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const NOT_MEASURED = "not measured";
export const OURS_NAME = "Festival Chat (C++)";
export const NODE_NAME = "Node.js + socket.io";
const OURS_COLOR = "#0b62b0"; // blue
const NODE_COLOR = "#d1530b"; // vermillion (distinct for colour-blind readers too)

const REFERENCE_DEFAULT = { connect_ms: "215-225", refresh_recovery_ms: "5000-8000" };

// ---------------------------------------------------------------- helpers --

const isNum = (v) => typeof v === "number" && Number.isFinite(v);
const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const obj = (v) => (isObj(v) ? v : {});
const arr = (v) => (Array.isArray(v) ? v.filter(isObj) : []);

function get(root, path) {
  let v = root;
  for (const key of path.split(".")) {
    if (v === null || typeof v !== "object") return undefined;
    v = v[key];
  }
  return v;
}

function trimZeros(s) {
  return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
}

// ------------------------------------------------------------- formatting --

/** 134405 -> "134,405" */
export function fmtInt(v) {
  if (!isNum(v)) return NOT_MEASURED;
  return Math.round(v).toLocaleString("en-US");
}

/** 134405 -> "134,405/s" */
export function fmtRate(v) {
  return isNum(v) ? `${fmtInt(v)}/s` : NOT_MEASURED;
}

/** Plain number with sensible precision: 12 -> "12", 0.25 -> "0.25". */
export function fmtNum(v) {
  if (!isNum(v)) return NOT_MEASURED;
  if (Math.abs(v) >= 1000) return fmtInt(v);
  if (Math.abs(v) >= 100 || Number.isInteger(v)) return String(Math.round(v));
  return trimZeros(v.toFixed(Math.abs(v) >= 10 ? 1 : 2));
}

function fmtScaled(v, unit, keepZeros = false) {
  const s = v.toFixed(v >= 100 ? 0 : 1);
  return `${keepZeros ? s : trimZeros(s)} ${unit}`;
}

/** Microseconds -> "850 µs", "1.2 ms", "2.5 s". */
export function fmtUs(us) {
  if (!isNum(us)) return NOT_MEASURED;
  if (us < 1000) return `${Math.round(us)} µs`;
  if (us < 1e6) return fmtScaled(us / 1000, "ms");
  return fmtScaled(us / 1e6, "s");
}

/** Milliseconds -> "120 ms", "2.5 s". */
export function fmtMs(ms) {
  if (!isNum(ms)) return NOT_MEASURED;
  if (ms < 1) return `${trimZeros(ms.toFixed(2))} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return fmtScaled(ms / 1000, "s");
}

/** Seconds -> "0.23 s", "12 ms", "1.5 s". */
export function fmtSeconds(s) {
  return isNum(s) ? fmtMs(s * 1000) : NOT_MEASURED;
}

/** Bytes -> "512 B", "3.4 KiB", "14.5 MiB", "1.2 GiB". */
export function fmtBytes(b) {
  if (!isNum(b)) return NOT_MEASURED;
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = b;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  if (i === 0) return `${Math.round(v)} B`;
  return fmtScaled(v, units[i], true);
}

/** "how many times better": 1.8 -> "1.8x", 0.45 -> "0.45x", 12.3 -> "12x". */
export function fmtRatio(r) {
  if (!isNum(r)) return NOT_MEASURED;
  if (r >= 10) return `${trimZeros(r.toFixed(r >= 100 ? 0 : 1))}x`;
  if (r >= 1) return `${r.toFixed(1)}x`;
  return `${r.toFixed(2)}x`;
}

/** CPU as a fraction of one core -> "95%". */
export function fmtCpu(f) {
  return isNum(f) ? `${Math.round(f * 100)}%` : NOT_MEASURED;
}

function fmtBool(v) {
  if (v === true) return "yes";
  if (v === false) return "**no**";
  return NOT_MEASURED;
}

/** "215-225" (ms) -> "215–225 ms"; "5000-8000" -> "5–8 s"; 300 -> "300 ms". */
export function fmtMsRange(v) {
  if (isNum(v)) return fmtMs(v);
  if (typeof v !== "string" || !v.trim()) return NOT_MEASURED;
  const m = v.trim().match(/^(\d+(?:\.\d+)?)\s*[-–]\s*(\d+(?:\.\d+)?)$/);
  if (!m) return v.trim();
  const [a, b] = [Number(m[1]), Number(m[2])];
  if (a >= 1000 && b >= 1000) return `${trimZeros((a / 1000).toFixed(1))}–${trimZeros((b / 1000).toFixed(1))} s`;
  if (a < 1000 && b < 1000) return `${Math.round(a)}–${Math.round(b)} ms`;
  return `${fmtMs(a)} – ${fmtMs(b)}`;
}

function fmtDate(iso) {
  if (typeof iso !== "string" || !iso) return NOT_MEASURED;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

function mdCell(v) {
  return String(v ?? NOT_MEASURED).replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function table(header, rows, align = []) {
  const rule = header.map((_, i) => ((align[i] ?? (i === 0 ? "l" : "r")) === "l" ? "---" : "---:"));
  const lines = [`| ${header.map(mdCell).join(" | ")} |`, `| ${rule.join(" | ")} |`];
  for (const r of rows) lines.push(`| ${r.map(mdCell).join(" | ")} |`);
  return lines.join("\n");
}

/** Rows of [label, formatter, path] over several objects -> table rows. */
function metricRows(spec, objects) {
  return spec.map(([label, fmt, path]) => [label, ...objects.map((o) => (o === undefined ? "" : fmt(get(o, path))))]);
}

/** ours / node (or node / ours for "lower is better") when both are numbers. */
function ratioOf(ours, node, lowerIsBetter) {
  if (!isNum(ours) || !isNum(node) || ours <= 0 || node <= 0) return undefined;
  return lowerIsBetter ? node / ours : ours / node;
}

// ------------------------------------------------------------------- SVG --

const FONT = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";

function esc(s) {
  return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

const r1 = (v) => Math.round(v * 10) / 10;

function niceStep(span, count) {
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const err = raw / mag;
  return mag * (err >= 7.5 ? 10 : err >= 3.5 ? 5 : err >= 1.5 ? 2 : 1);
}

function linearAxis(min, max, count = 5) {
  let lo = Math.min(0, min);
  let hi = max;
  if (!(hi > lo)) hi = lo + 1;
  const step = niceStep(hi - lo, count);
  lo = Math.floor(lo / step) * step;
  hi = Math.ceil(hi / step - 1e-9) * step;
  const ticks = [];
  for (let t = lo; t <= hi + step / 2; t += step) ticks.push({ v: Math.round(t / step) * step, major: true });
  return { lo, hi, ticks, map: (v) => (v - lo) / (hi - lo) };
}

function logAxis(min, max) {
  const steps = [1, 2, 5];
  const below = (v) => {
    const e = Math.floor(Math.log10(v));
    for (let i = steps.length - 1; i >= 0; i--) if (steps[i] * 10 ** e <= v * (1 + 1e-9)) return steps[i] * 10 ** e;
    return 10 ** e;
  };
  const above = (v) => {
    const e = Math.floor(Math.log10(v));
    for (const s of [...steps, 10]) if (s * 10 ** e >= v * (1 - 1e-9)) return s * 10 ** e;
    return 10 ** (e + 1);
  };
  let lo = below(min);
  let hi = above(max);
  if (!(hi > lo)) hi = lo * 10;
  const decades = Math.log10(hi / lo);
  const ticks = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const s of steps) {
      const v = s * 10 ** e;
      if (v < lo * (1 - 1e-9) || v > hi * (1 + 1e-9)) continue;
      ticks.push({ v, major: s === 1 || decades <= 2.5 });
    }
  }
  const [a, b] = [Math.log10(lo), Math.log10(hi)];
  return { lo, hi, ticks, map: (v) => (Math.log10(v) - a) / (b - a) };
}

function marker(shape, x, y, color, hollow, size = 4.5) {
  const fill = hollow ? "#ffffff" : color;
  const common = `fill="${fill}" stroke="${color}" stroke-width="${hollow ? 2 : 1.5}"`;
  if (shape === "square") {
    const s = size * 0.9;
    return `<rect x="${r1(x - s)}" y="${r1(y - s)}" width="${r1(2 * s)}" height="${r1(2 * s)}" ${common}/>`;
  }
  if (shape === "triangle") {
    const s = size * 1.25;
    return `<path d="M${r1(x)},${r1(y - s)} L${r1(x + s)},${r1(y + s * 0.8)} L${r1(x - s)},${r1(y + s * 0.8)} Z" ${common}/>`;
  }
  if (shape === "diamond") {
    const s = size * 1.25;
    return `<path d="M${r1(x)},${r1(y - s)} L${r1(x + s)},${r1(y)} L${r1(x)},${r1(y + s)} L${r1(x - s)},${r1(y)} Z" ${common}/>`;
  }
  return `<circle cx="${r1(x)}" cy="${r1(y)}" r="${size}" ${common}/>`;
}

const textWidth = (s, px) => String(s).length * px * 0.56;

/**
 * A line plot, 720x420, white background.
 * series: [{ name, color, marker, dash?, width?, points: [{x, y, hollow?}] }]
 */
export function linePlot({ title, subtitle, xLabel, yLabel, series, yLog = false, xFormat = fmtNum, yFormat = fmtNum, vlines = [], legendExtra = [] }) {
  const W = 720;
  const H = 420;
  const m = { left: 96, right: 26, top: subtitle ? 92 : 78, bottom: 60 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${esc(FONT)}" role="img" aria-label="${esc(title)}">`);
  out.push(`<title>${esc(title)}</title>`);
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${W / 2}" y="28" text-anchor="middle" font-size="17" font-weight="600" fill="#1f2328">${esc(title)}</text>`);
  if (subtitle) out.push(`<text x="${W / 2}" y="48" text-anchor="middle" font-size="12" fill="#57606a">${esc(subtitle)}</text>`);

  const clean = series.map((s) => ({
    ...s,
    points: (s.points || []).filter((p) => isNum(p.x) && isNum(p.y) && (!yLog || p.y > 0)).sort((a, b) => a.x - b.x),
  }));
  const all = clean.flatMap((s) => s.points);
  const empty = all.length === 0;
  const xs = all.map((p) => p.x).concat(vlines.map((v) => v.x).filter(isNum));
  const ys = all.map((p) => p.y);
  const xAxis = linearAxis(empty ? 0 : Math.min(...xs), empty ? 1 : Math.max(...xs));
  const yAxis = yLog
    ? logAxis(empty ? 1 : Math.min(...ys), empty ? 10 : Math.max(...ys))
    : linearAxis(empty ? 0 : Math.min(...ys), empty ? 1 : Math.max(...ys));
  const X = (v) => m.left + xAxis.map(v) * pw;
  const Y = (v) => m.top + ph - yAxis.map(v) * ph;

  // Legend, one row under the title: the named series, then style keys
  // ({ label, dash?, hollow?, line? } in grey).
  const legendItems = clean
    .filter((s) => s.legend !== false)
    .map((s) => ({ label: s.name, color: s.color, dash: s.dash, width: s.width, marker: s.marker, markerSize: s.markerSize, line: true, strong: true }))
    .concat(legendExtra.map((e) => ({ color: "#57606a", marker: "circle", line: true, ...(typeof e === "string" ? { label: e } : e) })));
  const sampleWidth = (it) => (it.line ? 26 : 10);
  const itemWidth = (it) => sampleWidth(it) + 7 + textWidth(it.label, 12) + 20;
  const total = legendItems.reduce((a, it) => a + itemWidth(it), 0) - 20;
  let lx = Math.max(12, (W - total) / 2);
  const ly = m.top - 20;
  for (const it of legendItems) {
    const sw = sampleWidth(it);
    if (it.line) {
      const dash = it.dash ? ` stroke-dasharray="${it.dash}"` : "";
      out.push(`<line x1="${r1(lx)}" y1="${ly}" x2="${r1(lx + sw)}" y2="${ly}" stroke="${it.color}" stroke-width="${it.width ?? 2.5}"${dash}/>`);
    }
    if (it.marker) out.push(marker(it.marker, lx + sw / 2, ly, it.color, it.hollow, it.markerSize));
    out.push(`<text x="${r1(lx + sw + 7)}" y="${ly + 4}" font-size="12" fill="${it.strong ? "#1f2328" : "#57606a"}">${esc(it.label)}</text>`);
    lx += itemWidth(it);
  }

  // Grid and tick labels.
  out.push(`<g font-size="11.5" fill="#57606a">`);
  for (const t of yAxis.ticks) {
    const y = r1(Y(t.v));
    out.push(`<line x1="${m.left}" y1="${y}" x2="${m.left + pw}" y2="${y}" stroke="${t.major ? "#d0d7de" : "#eaeef2"}" stroke-width="1"/>`);
    if (t.major && !empty) out.push(`<text x="${m.left - 8}" y="${r1(y + 4)}" text-anchor="end">${esc(yFormat(t.v))}</text>`);
  }
  for (const t of xAxis.ticks) {
    const x = r1(X(t.v));
    out.push(`<line x1="${x}" y1="${m.top}" x2="${x}" y2="${m.top + ph}" stroke="#d0d7de" stroke-width="1"/>`);
    if (!empty) out.push(`<text x="${x}" y="${m.top + ph + 18}" text-anchor="middle">${esc(xFormat(t.v))}</text>`);
  }
  out.push(`</g>`);
  out.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#8c959f" stroke-width="1"/>`);

  // Axis labels.
  out.push(`<text x="${m.left + pw / 2}" y="${H - 14}" text-anchor="middle" font-size="13" fill="#1f2328">${esc(xLabel)}</text>`);
  const yl = m.top + ph / 2;
  out.push(`<text x="20" y="${yl}" text-anchor="middle" font-size="13" fill="#1f2328" transform="rotate(-90 20 ${yl})">${esc(yLabel)}</text>`);

  if (empty) {
    out.push(`<text x="${m.left + pw / 2}" y="${m.top + ph / 2 + 6}" text-anchor="middle" font-size="18" fill="#8c959f">${NOT_MEASURED}</text>`);
  } else {
    for (const v of vlines) {
      if (!isNum(v.x)) continue;
      const x = r1(X(v.x));
      out.push(`<line x1="${x}" y1="${m.top}" x2="${x}" y2="${m.top + ph}" stroke="#6e7781" stroke-width="1.2" stroke-dasharray="5 4"/>`);
      out.push(`<text x="${r1(x + 5)}" y="${m.top + 14}" font-size="11.5" fill="#57606a">${esc(v.label)}</text>`);
    }
    for (const s of clean) {
      if (s.points.length === 0) continue;
      const d = s.points.map((p, i) => `${i ? "L" : "M"}${r1(X(p.x))},${r1(Y(p.y))}`).join(" ");
      const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : "";
      out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="${s.width ?? 2.5}" stroke-linejoin="round"${dash}/>`);
      for (const p of s.points) out.push(marker(s.marker, X(p.x), Y(p.y), s.color, p.hollow, s.markerSize));
    }
    for (const s of clean) {
      // The label goes next to the point it describes (endLabelX), else the last one.
      const last = s.points.filter((p) => !isNum(s.endLabelX) || p.x === s.endLabelX).pop();
      if (!s.endLabel || !last) continue;
      const x = X(last.x);
      const y = Y(last.y);
      const anchor = x > m.left + pw / 2 ? "end" : "start";
      const tx = anchor === "end" ? x - 8 : x + 8;
      const ty = y - 12 < m.top + 14 ? y + 22 : y - 12;
      out.push(`<text x="${r1(tx)}" y="${r1(ty)}" text-anchor="${anchor}" font-size="12" font-weight="600" fill="${s.color}" stroke="#ffffff" stroke-width="3" paint-order="stroke">${esc(s.endLabel)}</text>`);
    }
  }
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}

/** 20000 -> "20k", 1500 -> "1.5k", 2000000 -> "2M". */
export function fmtCompact(v) {
  if (!isNum(v)) return "";
  const a = Math.abs(v);
  if (a >= 1e6) return `${trimZeros((v / 1e6).toFixed(1))}M`;
  if (a >= 1e3) return `${trimZeros((v / 1e3).toFixed(1))}k`;
  return trimZeros(v.toFixed(2));
}

/** Axis labels for microseconds: "100 µs", "2 ms", "1 s". */
function fmtUsTick(us) {
  if (us < 1000) return `${trimZeros(us.toFixed(1))} µs`;
  if (us < 1e6) return `${trimZeros((us / 1000).toFixed(2))} ms`;
  return `${trimZeros((us / 1e6).toFixed(2))} s`;
}

function latencySvg(results) {
  const lat = obj(get(results, "scenarios.latency"));
  const curve = (list, name, color, shape) => {
    const pts = arr(list).map((l) => ({ x: l.offered_per_s, p99: get(l, "latency.p99_us"), p50: get(l, "latency.p50_us"), hollow: l.kept_up === false }));
    return [
      { name, color, marker: shape, points: pts.map((p) => ({ x: p.x, y: p.p99, hollow: p.hollow })) },
      { name: `${name} p50`, legend: false, color, marker: shape, dash: "6 4", width: 1.6, markerSize: 3, points: pts.map((p) => ({ x: p.x, y: p.p50, hollow: p.hollow })) },
    ];
  };
  const series = [...curve(lat.ours, OURS_NAME, OURS_COLOR, "circle"), ...curve(lat.node, NODE_NAME, NODE_COLOR, "square")];
  const anyHollow = series.some((s) => s.points.some((p) => p.hollow));
  const eq = get(lat, "equal_load.offered_per_s");
  return linePlot({
    title: "Relay latency vs offered load",
    subtitle: "lower is better · same machine, same run",
    xLabel: "offered load (messages relayed per second)",
    yLabel: "latency (log scale)",
    series,
    yLog: true,
    xFormat: fmtCompact,
    yFormat: fmtUsTick,
    vlines: isNum(eq) ? [{ x: eq, label: "equal load" }] : [],
    legendExtra: [
      { label: "p99", marker: null },
      { label: "p50", dash: "6 4", width: 1.6, marker: null },
      ...(anyHollow ? [{ label: "did not keep up", line: false, hollow: true }] : []),
    ],
  });
}

function memorySvg(results) {
  const idle = obj(get(results, "scenarios.idle"));
  const pts = (list) =>
    arr(list).map((i) => ({
      x: isNum(i.still_connected) && i.still_connected > 0 ? i.still_connected : i.clients,
      y: isNum(i.server_rss_held_bytes) ? i.server_rss_held_bytes / 1024 ** 2 : undefined,
      hollow: Boolean(i.error),
    }));
  const perConn = (list) => {
    const last = arr(list).filter((i) => isNum(i.server_rss_per_connection_bytes) && !i.error).pop();
    return last ? `${fmtBytes(last.server_rss_per_connection_bytes)} per connection` : undefined;
  };
  const perConnX = (list) => {
    const last = arr(list).filter((i) => isNum(i.server_rss_per_connection_bytes) && !i.error).pop();
    return last ? (isNum(last.still_connected) && last.still_connected > 0 ? last.still_connected : last.clients) : undefined;
  };
  const series = [
    { name: OURS_NAME, color: OURS_COLOR, marker: "circle", points: pts(idle.ours), endLabel: perConn(idle.ours), endLabelX: perConnX(idle.ours) },
    { name: NODE_NAME, color: NODE_COLOR, marker: "square", points: pts(idle.node), endLabel: perConn(idle.node), endLabelX: perConnX(idle.node) },
  ];
  const anyHollow = series.some((s) => s.points.some((p) => p.hollow));
  return linePlot({
    title: "Server memory vs idle connections",
    subtitle: "resident set size while holding joined, idle clients · lower is better",
    xLabel: "idle connections held (joined to rooms)",
    yLabel: "server RSS",
    series,
    xFormat: fmtCompact,
    yFormat: (v) => `${fmtCompact(v)} MiB`,
    legendExtra: anyHollow ? [{ label: "could not hold them all", line: false, hollow: true }] : [],
  });
}

// -------------------------------------------------------------- markdown --

const RATIOS = [
  { key: "relay_throughput", label: "Relay throughput", how: "ours / Node, messages relayed per second", match: /relay|throughput/i },
  { key: "p99_latency_at_equal_load", label: "p99 latency at equal load", how: "Node / ours", match: /latency|p99/i },
  { key: "memory_per_idle_connection", label: "Memory per idle connection", how: "Node / ours", match: /memory|rss|idle/i },
  { key: "join_storm_joins_per_s", label: "Join storm, joins per second", how: "ours / Node", match: /join/i },
  { key: "polling_throughput", label: "Long-polling throughput", how: "ours / Node", match: /poll/i },
];
// Matching order for free-text target names: most specific first.
const MATCH_ORDER = ["polling_throughput", "join_storm_joins_per_s", "memory_per_idle_connection", "p99_latency_at_equal_load", "relay_throughput"];

function matchTargets(targets) {
  const byKey = new Map();
  const rest = [];
  for (const t of targets) {
    const name = typeof t.name === "string" ? t.name : "";
    let key = typeof t.ratio === "string" && RATIOS.some((r) => r.key === t.ratio) ? t.ratio : undefined;
    // `ratio: null` says the target is not about a ratio (a count, say).
    if (!key && !(t && Object.hasOwn(t, "ratio") && t.ratio === null)) key = MATCH_ORDER.find((k) => RATIOS.find((r) => r.key === k).match.test(name));
    if (key && !byKey.has(key)) byKey.set(key, t);
    else rest.push(t);
  }
  return { byKey, rest };
}

function status(t) {
  if (!t) return "";
  if (t.met === true) return "✅ met";
  if (t.met === false) return "❌ missed";
  return NOT_MEASURED;
}

function headline(results) {
  const ratios = obj(results.ratios);
  const targets = arr(results.targets);
  const { byKey, rest } = matchTargets(targets);
  const rows = RATIOS.map((r) => {
    const t = byKey.get(r.key);
    const value = isNum(ratios[r.key]) ? ratios[r.key] : t?.value;
    return [`${r.label} (${r.how})`, fmtRatio(value), t ? `≥ ${fmtRatio(t.goal)}` : "", status(t)];
  });
  for (const t of rest) rows.push([t.name ?? "(unnamed target)", fmtNum(t.value), `${fmtNum(t.goal)}`, status(t)]);
  const met = targets.filter((t) => t.met === true).length;
  const lines = [
    "## Headline",
    "",
    'Each ratio is how many times better the C++ server is than the Node.js reference in the same run (above 1x: ours is better).',
    "",
    table(["Measure", "Ours vs Node", "Target", "Status"], rows, ["l", "r", "r", "l"]),
  ];
  if (targets.length) lines.push("", `${met} of ${targets.length} target${targets.length === 1 ? "" : "s"} met.`);
  return lines.join("\n");
}

function setup(results) {
  const mc = obj(results.machine);
  const v = obj(results.versions);
  const pin = obj(results.pinning);
  const machine = [
    isNum(mc.cpus) ? `${mc.cpus} CPU${mc.cpus === 1 ? "" : "s"}` : null,
    typeof mc.cpu_model === "string" ? mc.cpu_model : null,
    isNum(mc.mem_gib) ? `${trimZeros(mc.mem_gib.toFixed(1))} GiB RAM` : null,
  ].filter(Boolean);
  const str = (x) => (typeof x === "string" && x ? x : isNum(x) ? String(x) : NOT_MEASURED);
  const pinning =
    isNum(pin.server_cpu) || isNum(pin.generator_cpu)
      ? `server on CPU ${isNum(pin.server_cpu) ? pin.server_cpu : "?"}, load generator on CPU ${isNum(pin.generator_cpu) ? pin.generator_cpu : "?"}`
      : NOT_MEASURED;
  const rows = [
    ["Date", fmtDate(results.date)],
    ["Mode", typeof results.mode === "string" ? results.mode : NOT_MEASURED],
    ["Machine", machine.length ? machine.join(", ") : NOT_MEASURED],
    ["Kernel", str(mc.kernel)],
    ["File descriptor hard limit", isNum(mc.fd_hard_limit) ? fmtInt(mc.fd_hard_limit) : NOT_MEASURED],
    ["CPU pinning", pinning],
    ["Festival Chat server", str(v.server)],
    ["Compiler", str(v.compiler)],
    ["Boost", str(v.boost)],
    ["Node.js", str(v.node)],
    ["socket.io", str(v.socket_io)],
  ];
  const lines = ["## Setup", "", "| | |", "| --- | --- |"];
  for (const [k, val] of rows) lines.push(`| ${mdCell(k)} | ${mdCell(val)} |`);
  return lines.join("\n");
}

const RELAY_SPEC = [
  ["Messages relayed", fmtRate, "relayed_per_s"],
  ["Latency p50", fmtUs, "latency.p50_us"],
  ["Latency p90", fmtUs, "latency.p90_us"],
  ["Latency p99", fmtUs, "latency.p99_us"],
  ["Latency p99.9", fmtUs, "latency.p99_9_us"],
  ["Latency max", fmtUs, "latency.max_us"],
  ["Server CPU (one core = 100%)", fmtCpu, "server_cpu"],
  ["Load generator CPU", fmtCpu, "generator_cpu"],
  ["Server RSS", fmtBytes, "server_rss_bytes"],
  ["Clients", fmtInt, "clients"],
  ["Room size", fmtInt, "room_size"],
  ["Messages in flight per client", fmtInt, "window_per_client"],
  ["Messages sent", fmtInt, "sent"],
  ["Messages received", fmtInt, "received"],
  ["Lost", fmtInt, "lost"],
  ["Failures", fmtInt, "failures"],
];

// p999 is named p999_us in the results; keep one spelling in the spec above.
function normLatency(r) {
  if (!isObj(r)) return r;
  const lat = obj(r.latency);
  return { ...r, latency: { ...lat, p99_9_us: lat.p999_us ?? lat.p99_9_us } };
}

function bottleneckSentence(ceiling, ours) {
  const c = ceiling.relayed_per_s;
  const o = get(ours, "relayed_per_s");
  const g = get(ours, "generator_cpu");
  const share = isNum(c) && isNum(o) && c > 0 ? o / c : undefined;
  if (!isNum(share) && !isNum(g))
    return `Whether the load generator was the bottleneck: ${NOT_MEASURED} (${isNum(c) ? "no relay figures for ours" : "no generator ceiling run"}).`;
  const nearCeiling = isNum(share) && share >= 0.85;
  const genBusy = isNum(g) && g > 0.9;
  const facts = [];
  if (isNum(share)) facts.push(`ours reached ${Math.round(share * 100)}% of the ${fmtRate(c)} the generator can push into a no-op sink`);
  if (isNum(g)) facts.push(`the generator used ${fmtCpu(g)} of its core`);
  const why = facts.join(" and ");
  const srv = get(ours, "server_cpu");
  if ((nearCeiling || genBusy) && isNum(srv) && srv >= 0.95)
    return `**The load generator and the server were both at their limit** (${why}, and the server used ${fmtCpu(srv)} of its core): the figure is close to the server's own limit, and a faster generator would show at most a little more.`;
  if (nearCeiling || genBusy)
    return `**The load generator was the bottleneck** (${why}), so ours may be faster than shown and the relay throughput ratio is a lower bound.`;
  if (!isNum(share)) return `The load generator was probably not the bottleneck (${why}; generator ceiling not measured).`;
  return `The load generator was not the bottleneck (${why}): the figure is the server's own limit.`;
}

/** One line for a scenario that has no figures for either server. */
function notRun(title) {
  return `## ${title}\n\n${NOT_MEASURED[0].toUpperCase()}${NOT_MEASURED.slice(1)} in this run.`;
}

const hasAny = (...vs) => vs.some((v) => isObj(v) || (Array.isArray(v) && v.some(isObj)));

function relaySection(results) {
  const relay = obj(get(results, "scenarios.relay"));
  const ceiling = obj(get(results, "scenarios.generator_ceiling"));
  if (!hasAny(relay.ours, relay.node) && !isNum(ceiling.relayed_per_s)) return notRun("Relay throughput");
  const ours = normLatency(relay.ours);
  const node = normLatency(relay.node);
  const lines = ["## Relay throughput", ""];
  lines.push(
    "Clients joined to rooms signal the next member of their room as fast as the server relays, each keeping a fixed window of signals in flight (closed loop); latency is measured on the generator's own clock from send to receipt. The generator ceiling is the same load against a no-op sink (a minimal relay that checks nothing): the most this generator can measure on this machine.",
    "",
  );
  const rows = metricRows(RELAY_SPEC, [ours ?? {}, node ?? {}]);
  const ceilingCol = { "Messages relayed": fmtRate(ceiling.relayed_per_s), "Server CPU (one core = 100%)": isNum(ceiling.server_cpu) ? `${fmtCpu(ceiling.server_cpu)} (sink)` : "", "Load generator CPU": isNum(ceiling.generator_cpu) ? fmtCpu(ceiling.generator_cpu) : "" };
  for (const row of rows) row.push(ceilingCol[row[0]] ?? "");
  lines.push(table(["", OURS_NAME, NODE_NAME, "Generator ceiling (no-op sink)"], rows));
  lines.push("");
  const ratio = isNum(get(results, "ratios.relay_throughput"))
    ? results.ratios.relay_throughput
    : ratioOf(get(ours, "relayed_per_s"), get(node, "relayed_per_s"), false);
  lines.push(`Throughput ratio: **${fmtRatio(ratio)}**. ${bottleneckSentence(ceiling, ours)}`);
  return lines.join("\n");
}

function latencySection(results) {
  const lat = obj(get(results, "scenarios.latency"));
  if (!hasAny(lat.ours, lat.node, get(lat, "equal_load.ours"), get(lat, "equal_load.node"))) return notRun("Latency vs load");
  const lines = ["## Latency vs load", ""];
  lines.push(
    "The generator offers a fixed message rate (open loop) and records the time from send to delivery at every receiver; each server gets the same series of rates until it can no longer keep up.",
    "",
    "![Relay latency vs offered load: p50 and p99 of both servers](bench/latency-vs-load.svg)",
    "",
  );
  const rows = [];
  for (const [name, list] of [[OURS_NAME, lat.ours], [NODE_NAME, lat.node]]) {
    const pts = arr(list);
    if (pts.length === 0) rows.push([name, NOT_MEASURED, "", "", "", "", "", ""]);
    for (const l of pts)
      rows.push([name, fmtRate(l.offered_per_s), fmtRate(l.relayed_per_s), fmtBool(l.kept_up), fmtUs(get(l, "latency.p50_us")), fmtUs(get(l, "latency.p99_us")), fmtUs(get(l, "latency.p999_us")), fmtCpu(l.server_cpu)]);
  }
  lines.push(table(["Server", "Offered", "Relayed", "Kept up", "p50", "p99", "p99.9", "Server CPU"], rows));
  lines.push("", "### At equal load", "");
  const eq = obj(lat.equal_load);
  if (!isObj(eq.ours) && !isObj(eq.node)) {
    lines.push(`Latency at equal load: ${NOT_MEASURED}.`);
    return lines.join("\n");
  }
  const runs = isNum(eq.runs) && eq.runs > 1 ? eq.runs : 1;
  lines.push(
    runs > 1
      ? `Both servers at the same offered load of ${fmtRate(eq.offered_per_s)}, ${runs} runs each (servers taking turns); the run with the median p99 is shown:`
      : `Both servers at the same offered load of ${fmtRate(eq.offered_per_s)}:`,
    "",
  );
  const spec = [
    ["Relayed", fmtRate, "relayed_per_s"],
    ["Kept up", fmtBool, "kept_up"],
    ["Latency p50", fmtUs, "latency.p50_us"],
    ["Latency p90", fmtUs, "latency.p90_us"],
    ["Latency p99", fmtUs, "latency.p99_us"],
    ["Latency p99.9", fmtUs, "latency.p999_us"],
    ["Latency max", fmtUs, "latency.max_us"],
    ["Latency mean", fmtUs, "latency.mean_us"],
    ["Server CPU", fmtCpu, "server_cpu"],
  ];
  lines.push(table(["", OURS_NAME, NODE_NAME], metricRows(spec, [obj(eq.ours), obj(eq.node)])));
  const ratio = isNum(get(results, "ratios.p99_latency_at_equal_load"))
    ? results.ratios.p99_latency_at_equal_load
    : ratioOf(get(eq, "ours.latency.p99_us"), get(eq, "node.latency.p99_us"), true);
  lines.push("", `p99 latency ratio (Node / ours): **${fmtRatio(ratio)}**.`);
  if (runs > 1) {
    const list = (v) => (Array.isArray(v) ? v : []).map((x) => fmtUs(x)).join(", ");
    lines.push("", `p99 of every run: ${OURS_NAME} ${list(eq.ours_p99_us)}; ${NODE_NAME} ${list(eq.node_p99_us)}.`);
  }
  return lines.join("\n");
}

function idleSection(results) {
  const idle = obj(get(results, "scenarios.idle"));
  if (!hasAny(idle.ours, idle.node)) return notRun("Memory per idle connection");
  const lines = ["## Memory per idle connection", ""];
  lines.push(
    "Clients connect over WebSocket, join rooms and then stay idle (heartbeats only) while the server's resident set size is read; the per-connection figure is (RSS held − RSS before) / connections.",
    "",
    "![Server memory vs idle connections held](bench/memory-vs-connections.svg)",
    "",
  );
  const rows = [];
  const errors = [];
  for (const [name, list] of [[OURS_NAME, idle.ours], [NODE_NAME, idle.node]]) {
    const pts = arr(list);
    if (pts.length === 0) rows.push([name, NOT_MEASURED, "", "", "", "", "", ""]);
    for (const i of pts) {
      rows.push([name, fmtInt(i.clients), fmtInt(i.still_connected), fmtInt(i.failures), fmtBytes(i.server_rss_before_bytes), fmtBytes(i.server_rss_held_bytes), fmtBytes(i.server_rss_per_connection_bytes), fmtSeconds(i.connect_and_join_s)]);
      if (typeof i.error === "string" && i.error) errors.push(`${name} at ${fmtInt(i.clients)} clients: ${i.error}`);
    }
  }
  lines.push(table(["Server", "Clients", "Still connected", "Failures", "RSS before", "RSS held", "Per connection", "Connect + join"], rows));
  if (errors.length) lines.push("", "Could not hold them all:", "", ...errors.map((e) => `- ${e}`));
  const ratio = get(results, "ratios.memory_per_idle_connection");
  lines.push("", `Memory per idle connection ratio (Node / ours): **${fmtRatio(ratio)}**.`);
  return lines.join("\n");
}

function joinSection(results) {
  const js = obj(get(results, "scenarios.join_storm"));
  if (!hasAny(js.ours, js.node)) return notRun("Join storm");
  const spec = [
    ["Clients", fmtInt, "clients"],
    ["Joined", fmtInt, "joined"],
    ["Joins per second", fmtRate, "joins_per_s"],
    ["All connected and joined after", fmtSeconds, "connect_and_join_s"],
    ["Every peer told of every join after", fmtSeconds, "all_peer_joined_s"],
    ["Failures", fmtInt, "failures"],
    ["Missing peer-joined events", fmtInt, "missing"],
    ["Duplicated events", fmtInt, "duplicated"],
    ["Unexpected events", fmtInt, "unexpected"],
  ];
  const ratio = isNum(get(results, "ratios.join_storm_joins_per_s"))
    ? results.ratios.join_storm_joins_per_s
    : ratioOf(get(js, "ours.joins_per_s"), get(js, "node.joins_per_s"), false);
  return [
    "## Join storm",
    "",
    "All clients connect and join their rooms at once (as when a festival Wi-Fi comes back); every member must be told of every other member exactly once.",
    "",
    table(["", OURS_NAME, NODE_NAME], metricRows(spec, [obj(js.ours), obj(js.node)])),
    "",
    `Joins per second ratio: **${fmtRatio(ratio)}**.`,
  ].join("\n");
}

function reloadSection(results) {
  const rs = obj(get(results, "scenarios.reload_storm"));
  if (!hasAny(rs.ours, rs.node)) return notRun("Reload storm");
  const spec = [
    ["Clients", fmtInt, "clients"],
    ["Rounds", fmtInt, "rounds"],
    ["Reloads", fmtInt, "reloads"],
    ["Events expected", fmtInt, "events_expected"],
    ["Events delivered", fmtInt, "events_delivered"],
    ["Lost", fmtInt, "lost"],
    ["Duplicated", fmtInt, "duplicated"],
    ["Unexpected", fmtInt, "unexpected"],
    ["Out of order", fmtInt, "out_of_order"],
    ["Join ack peer list mismatches", fmtInt, "ack_peers_mismatch"],
    ["Reload failures", fmtInt, "reload_failures"],
    ["Replaced sessions expected", fmtInt, "replaced_expected"],
    ["Replaced sessions seen", fmtInt, "replaced_seen"],
    ["Round time p50", fmtUs, "round_time.p50_us"],
    ["Round time max", fmtUs, "round_time.max_us"],
  ];
  const verdict = (s) => {
    if (!isObj(s)) return null;
    const bad = ["lost", "duplicated", "unexpected", "out_of_order", "ack_peers_mismatch", "reload_failures"].map((k) => s[k]);
    if (bad.some((v) => !isNum(v))) return null;
    return bad.every((v) => v === 0) ? "no event lost, duplicated or out of order" : "**errors** (see table)";
  };
  const vo = verdict(rs.ours);
  const vn = verdict(rs.node);
  const lines = [
    "## Reload storm",
    "",
    "Members of full rooms reload their page in rounds (a new connection replacing the old one under the same identity); every remaining member must see each leave and join exactly once, in order.",
    "",
    table(["", OURS_NAME, NODE_NAME], metricRows(spec, [obj(rs.ours), obj(rs.node)])),
  ];
  if (vo || vn) lines.push("", `Correctness: ours: ${vo ?? NOT_MEASURED}; Node: ${vn ?? NOT_MEASURED}.`);
  return lines.join("\n");
}

function pollingSection(results) {
  const p = obj(get(results, "scenarios.polling"));
  if (!hasAny(p.ours, p.node)) return notRun("Long-polling relay");
  const spec = [["Long-polling clients", fmtInt, "polling_clients"], ...RELAY_SPEC];
  const ratio = isNum(get(results, "ratios.polling_throughput"))
    ? results.ratios.polling_throughput
    : ratioOf(get(p, "ours.relayed_per_s"), get(p, "node.relayed_per_s"), false);
  return [
    "## Long-polling relay",
    "",
    "The relay scenario again with some clients on HTTP long-polling (the Engine.IO fallback used behind proxies that block WebSocket).",
    "",
    table(["", OURS_NAME, NODE_NAME], metricRows(spec, [normLatency(obj(p.ours)), normLatency(obj(p.node))])),
    "",
    `Long-polling throughput ratio: **${fmtRatio(ratio)}**.`,
  ].join("\n");
}

/** The network lab's figures (bench/field) and the cluster figures
 *  (bench/cluster), each from its own run, live between markers in the same
 *  file: a report of the server run keeps them, in that order. */
export function keepFieldSection(markdown, path) {
  let old = "";
  try {
    old = readFileSync(path, "utf8");
  } catch {
    return markdown;
  }
  let out = markdown.trimEnd();
  for (const name of ["field", "cluster"]) {
    const b = `<!-- ${name}:begin -->`;
    const e = `<!-- ${name}:end -->`;
    const begin = old.indexOf(b);
    const end = old.indexOf(e);
    if (begin < 0 || end < begin) continue;
    out += `\n\n${old.slice(begin, end + e.length)}`;
  }
  return out === markdown.trimEnd() ? markdown : `${out}\n`;
}

function callgrindSection(results) {
  const c = obj(get(results, "scenarios.callgrind.ours"));
  const lines = ["## Instructions per signal (callgrind)", ""];
  if (!isNum(c.instructions_per_signal)) {
    lines.push(`Instructions per relayed signal: ${NOT_MEASURED}.`);
    return lines.join("\n");
  }
  const diff = isNum(c.total_instructions_large) && isNum(c.total_instructions_small) && isNum(c.signals) && c.signals > 0
    ? (c.total_instructions_large - c.total_instructions_small) / c.signals
    : undefined;
  const how = isNum(diff) && Math.abs(diff - c.instructions_per_signal) <= 0.02 * c.instructions_per_signal
    ? " (the difference between a small and a large run divided by the extra signals, so start-up and connection set-up cancel out)"
    : "";
  lines.push(
    `Under callgrind, the C++ server executes **${fmtInt(c.instructions_per_signal)} instructions per relayed signal**${how}. This figure does not depend on the machine's load or clock speed, so it is the one to watch for regressions.`,
    "",
    table(["", OURS_NAME], [
      ["Instructions per signal", fmtInt(c.instructions_per_signal)],
      ["Signals (difference between runs)", fmtInt(c.signals)],
      ["Clients", fmtInt(c.clients)],
      ["Total instructions, small run", fmtInt(c.total_instructions_small)],
      ["Total instructions, large run", fmtInt(c.total_instructions_large)],
    ]),
  );
  return lines.join("\n");
}

function browserSection(results) {
  const b = obj(get(results, "scenarios.browser"));
  const ref = { ...REFERENCE_DEFAULT, ...obj(b.reference_system) };
  const runs = isNum(b.runs) ? ` (median of ${fmtInt(b.runs)} runs)` : "";
  return [
    "## In the browser",
    "",
    `The web app in headless Chromium against the C++ server on loopback${runs}, next to the system Festival Chat replaces.`,
    "",
    table(["", "Festival Chat", "Reference system"], [
      ["Join → direct data channel open", fmtMs(b.join_to_channel_open_ms), `${fmtMsRange(ref.connect_ms)} (connect)`],
      ["Join → first message shown", fmtMs(b.join_to_first_message_ms), ""],
      ["Reload → chatting again", fmtMs(b.reload_to_chatting_ms), `${fmtMsRange(ref.refresh_recovery_ms)} (refresh recovery)`],
      ["First load usable on slow 3G", fmtMs(b.slow3g_first_load_usable_ms), ""],
    ]),
  ].join("\n");
}

function notesSection(results) {
  const notes = Array.isArray(results.notes) ? results.notes.filter((n) => typeof n === "string" && n.trim()) : [];
  return ["## Notes", "", ...(notes.length ? notes.map((n) => `- ${n.trim()}`) : ["None."])].join("\n");
}

function intro(results) {
  const mode = results.mode === "full" || results.mode === "quick" ? results.mode : undefined;
  const cmd = mode ? `bench/run --${mode}` : "bench/run";
  const produced = `Produced by \`${cmd}\` on ${fmtDate(results.date)}${mode ? "" : " (mode not recorded)"}; written by \`bench/report.mjs\` from the results file.`;
  const how =
    "Both servers ran on the same machine in the same run, one after the other, with the server pinned to one CPU core and the load generator (`fc-loadgen`, C++) to the other, so neither competes with its load. " +
    "The Node.js reference (`bench/reference`, socket.io 4.8) was given its best settings: WebSocket-only clients, `perMessageDeflate` off and `NODE_ENV=production`. " +
    "Rate limits were off on both servers. Latencies are measured by the generator from send to delivery; memory is the server process's resident set size.";
  const quick = mode === "quick" ? "\n\nThis is a **quick** run: shorter, smaller, and some scenarios are skipped; use `bench/run --full` for figures to quote." : "";
  return ["# Benchmarks: Festival Chat server vs Node.js + socket.io", "", produced, "", how + quick].join("\n");
}

/** results -> { markdown, svgs } */
export function render(results) {
  const r = isObj(results) ? results : {};
  const sections = [
    intro(r),
    setup(r),
    headline(r),
    relaySection(r),
    latencySection(r),
    idleSection(r),
    joinSection(r),
    reloadSection(r),
    pollingSection(r),
    callgrindSection(r),
    browserSection(r),
    notesSection(r),
  ];
  return {
    markdown: sections.join("\n\n") + "\n",
    svgs: {
      "latency-vs-load.svg": latencySvg(r),
      "memory-vs-connections.svg": memorySvg(r),
    },
  };
}

// ------------------------------------------------------------------ main --

function main(argv) {
  const usage = "usage: node bench/report.mjs RESULTS.json [--out-dir DIR]";
  let input;
  let outDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--out-dir") {
      if (argv[i + 1] === undefined) throw new Error(usage);
      outDir = resolve(argv[++i]);
    } else if (a.startsWith("--out-dir=")) outDir = resolve(a.slice("--out-dir=".length));
    else if (a === "-h" || a === "--help") {
      console.log(usage);
      return;
    } else if (!input && !a.startsWith("--")) input = a;
    else throw new Error(`unexpected argument ${a}\n${usage}`);
  }
  if (!input) throw new Error(usage);
  const results = JSON.parse(readFileSync(input, "utf8"));
  const { markdown, svgs } = render(results);
  const docs = join(outDir, "docs");
  mkdirSync(join(docs, "bench"), { recursive: true });
  writeFileSync(join(docs, "benchmarks.md"), keepFieldSection(markdown, join(docs, "benchmarks.md")));
  console.log(join(docs, "benchmarks.md"));
  for (const [name, svg] of Object.entries(svgs)) {
    writeFileSync(join(docs, "bench", name), svg);
    console.log(join(docs, "bench", name));
  }
}

function isMain() {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
