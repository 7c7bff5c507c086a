// Medians over repeated runs, and the number formats of the report.

export function median(values: number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median interval between successive times (e.g. page requests as a server received them), NaN with fewer than two. */
export function medianInterval(times: number[]): number {
  return median(times.slice(1).map((t, i) => t - times[i]!));
}

/** The median of one field over runs. */
export function medianOf<T>(runs: T[], pick: (r: T) => number): number {
  return median(runs.map(pick));
}

export const mb = (bytes: number): string => (Number.isFinite(bytes) ? (bytes / 1024 / 1024).toFixed(1) : '—');
export const secs = (s: number): string => (Number.isFinite(s) ? s.toFixed(2) : '—');
export const ratio = (r: number): string => (Number.isFinite(r) ? `${r.toFixed(2)}x` : '—');
export const rate = (objects: number, s: number): string => (s > 0 ? Math.round(objects / s).toLocaleString('en-US') : '—');
export const count = (n: number): string => n.toLocaleString('en-US');
