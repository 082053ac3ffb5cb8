import { describe, expect, it } from "vitest";
import { rowWindow } from "./row-window";

const rows = (n: number, h = 50) => Array.from({ length: n }, () => h);

describe("rowWindow", () => {
  it("renders nothing for an empty list", () => {
    expect(rowWindow([], 8, { top: 0, height: 500, overscan: 100 })).toEqual({ start: 0, end: 0, before: 0, after: 0 });
  });

  it("renders every row of a list shorter than the viewport", () => {
    expect(rowWindow(rows(5), 10, { top: 0, height: 500, overscan: 0 })).toEqual({ start: 0, end: 5, before: 0, after: 0 });
  });

  it("renders the rows around the viewport and pads for the rest", () => {
    // rows of 50 + gap 10 = 60 px each; 1000 rows = 60,000 px
    const w = rowWindow(rows(1000), 10, { top: 6000, height: 600, overscan: 120 });
    expect(w.start).toBe(98); // starts at 5880 <= 6000 - 120
    expect(w.end).toBe(112); // row 112 starts at 6720 = 6000 + 600 + 120
    expect(w.before).toBe(98 * 60);
    expect(w.after).toBe((1000 - 112) * 60);
    expect(w.before + (w.end - w.start) * 60 + w.after).toBe(60000);
  });

  it("shows the newest rows when asked for the end", () => {
    const w = rowWindow(rows(1000), 10, { top: Infinity, height: 600, overscan: 0 });
    expect(w.end).toBe(1000);
    expect(w.after).toBe(0);
    expect(w.start).toBe(990);
  });

  it("keeps the estimate consistent with uneven heights", () => {
    const heights = Array.from({ length: 300 }, (_, i) => 40 + (i % 7) * 13);
    const total = heights.reduce((a, b) => a + b + 8, 0);
    for (const top of [0, 1234, 5000, total]) {
      const w = rowWindow(heights, 8, { top, height: 700, overscan: 300 });
      const rendered = heights.slice(w.start, w.end).reduce((a, b) => a + b + 8, 0);
      expect(w.before + rendered + w.after).toBe(total);
      expect(w.end).toBeGreaterThan(w.start);
    }
  });

  it("always renders at least one row, even in a zero-height viewport", () => {
    const w = rowWindow(rows(10), 0, { top: 200, height: 0, overscan: 0 });
    expect(w.end - w.start).toBeGreaterThanOrEqual(1);
  });
});
