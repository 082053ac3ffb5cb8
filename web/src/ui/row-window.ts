// Which rows of a long list to render: those around the visible part of a
// scroller, and the space the others would take (the list keeps it as
// spacers), so the scrollbar and scroll position stay true to the whole list.

export interface RowWindow {
  /** First row to render. */
  start: number;
  /** One past the last row to render. */
  end: number;
  /** Pixels the rows before `start` take, gaps included. */
  before: number;
  /** Pixels the rows from `end` on take, gaps included. */
  after: number;
}

export interface Viewport {
  /** The scroller's scrollTop; clamped to the end of the list, so Infinity
   *  means "the newest rows". */
  top: number;
  /** The scroller's clientHeight. */
  height: number;
  /** Extra pixels rendered above and below, so a fling shows rows, not padding. */
  overscan: number;
}

/** `heights`: each row's measured (or estimated) height; `gap`: the space
 *  between two rows. */
export function rowWindow(heights: readonly number[], gap: number, view: Viewport): RowWindow {
  const n = heights.length;
  if (n === 0) return { start: 0, end: 0, before: 0, after: 0 };
  // offsets[i]: where row i starts; offsets[n]: the whole list.
  const offsets = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i] + heights[i] + gap;
  const total = offsets[n];
  const top = Math.max(0, Math.min(view.top, total - view.height));
  const from = top - view.overscan;
  const to = top + view.height + view.overscan;
  // The last row starting at or above `from`, and the first starting at or
  // below `to`: both ends rendered in full.
  const start = Math.min(n - 1, Math.max(0, lastAtOrBelow(offsets, from, n)));
  const end = Math.max(start + 1, Math.min(n, firstAtOrAbove(offsets, to, n)));
  return { start, end, before: offsets[start], after: total - offsets[end] };
}

/** Largest i in [0, n) with offsets[i] <= x, or 0. */
function lastAtOrBelow(offsets: Float64Array, x: number, n: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (offsets[mid] <= x) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Smallest i in [0, n] with offsets[i] >= x, or n. */
function firstAtOrAbove(offsets: Float64Array, x: number, n: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (offsets[mid] >= x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
