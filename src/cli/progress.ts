// A one-line progress display on a terminal (nothing when stderr is not a TTY).
import type { RunCounters } from '../pipeline/run-state';

export interface ProgressReporter {
  update(p: RunCounters & { runsDone: number; runs: number }): void;
  done(): void;
}

export function progressReporter(stream: NodeJS.WriteStream): ProgressReporter {
  if (!stream.isTTY) return { update: () => undefined, done: () => undefined };
  let shown = false;
  const started = Date.now();
  return {
    update(p) {
      const secs = (Date.now() - started) / 1000;
      const rate = secs > 0 ? Math.round(p.fetched / secs) : 0;
      const width = 20;
      const filled = p.runs > 0 ? Math.round((p.runsDone / p.runs) * width) : 0;
      const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
      stream.write(`\r${bar} ${p.runsDone}/${p.runs} collections  ${p.pages} pages  ${p.fetched} fetched  ${p.delivered} delivered  ${p.rejected} rejected  ${rate} obj/s\x1b[K`);
      shown = true;
    },
    done() {
      if (shown) stream.write('\n');
      shown = false;
    },
  };
}
