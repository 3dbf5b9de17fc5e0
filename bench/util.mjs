/** @module Small helpers shared by the `npm run bench` modules: logging and statistics. */

export const log = (...args) => console.error("[bench]", ...args);

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Nearest-rank percentile (p in 0–100) of `xs`; NaN for an empty list. */
export const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? Number.NaN
    : s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

export const round = (x, digits = 2) =>
  Number.isFinite(x) ? Number(x.toFixed(digits)) : Number.NaN;

export const stats = (xs) =>
  `median ${round(median(xs))} ms, min ${round(Math.min(...xs))}, max ${round(Math.max(...xs))} (n=${xs.length})`;
