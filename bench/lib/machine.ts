// What the machine charges for memory written the first time (page faults), measured in a child
// process of its own: the ratios to the floor move with it (the report's "How to read this").
import { spawnSync } from 'node:child_process';

const PROBE = `
const MB = 1 << 20;
const times = [];
for (let round = 0; round < 5; round++) {
  const kept = [];
  const t = process.hrtime.bigint();
  for (let i = 0; i < 16; i++) { const b = new Uint8Array(new ArrayBuffer(4 * MB)); b.fill(1); kept.push(b); }
  times.push(Number(process.hrtime.bigint() - t) / 1e6 / 64);
}
times.sort((a, b) => a - b);
process.stdout.write(String(times[2]));
`;

/** Milliseconds to write a megabyte of memory fresh from the system (median of 5 rounds of 64 MB). */
export function freshMemoryMsPerMb(): number {
  const out = spawnSync(process.execPath, ['-e', PROBE], { encoding: 'utf8', timeout: 60_000 });
  const ms = Number(out.stdout);
  if (out.status !== 0 || !Number.isFinite(ms)) throw new Error(`the fresh-memory probe failed: ${out.stderr || out.error?.message || `exit ${out.status}`}`);
  return ms;
}
