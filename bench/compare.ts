// `npm run bench:compare`: two or more builds of the command line against the same TAXII server,
// taking turns run by run with the floor, so that a machine whose speed drifts weighs on all of
// them alike. For before/after figures of one change: build the old commit elsewhere (a git
// worktree with `npm run build`) and give both dist/cli.js. Prints medians; writes nothing.
//
//   npm run bench:compare -- --objects 100000 --page 10000 --repeats 5 /old/dist/cli.js dist/cli.js
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { withTaxiiServer } from './lib/cases';
import { runConnector, type ConnectorRun } from './lib/connector';
import { runFloor } from './lib/floor-run';
import { freshMemoryMsPerMb } from './lib/machine';
import { mb, medianOf, ratio, secs } from './lib/stats';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { objects: { type: 'string', default: '100000' }, page: { type: 'string', default: '10000' }, repeats: { type: 'string', default: '5' } },
  });
  const [objects, pageSize, repeats] = [Number(values.objects), Number(values.page), Number(values.repeats)];
  if (positionals.length === 0 || ![objects, pageSize, repeats].every((n) => Number.isInteger(n) && n > 0)) {
    throw new Error('usage: bench:compare -- [--objects N] [--page N] [--repeats N] <cli.js> [<cli.js> ...]');
  }
  const clis = positionals.map((p) => resolve(p));
  await withTaxiiServer(objects, 0, async (taxii) => {
    await runFloor(taxii, pageSize); // warm-up of the server; not counted
    const floors: number[] = [];
    const runs: ConnectorRun[][] = clis.map(() => []);
    const ratios: number[][] = clis.map(() => []);
    for (let i = 0; i < repeats; i++) {
      const floor = await runFloor(taxii, pageSize);
      floors.push(floor.seconds);
      for (const [j, cli] of clis.entries()) {
        const run = await runConnector({ taxii, sink: 'file', pageSize, redisUrl: REDIS_URL, command: [process.execPath, cli] });
        if (run.delivered + run.rejected !== objects) throw new Error(`${cli}: delivered ${run.delivered} of ${objects} objects`);
        runs[j]!.push(run);
        ratios[j]!.push(run.seconds / floor.seconds);
      }
    }
    process.stdout.write(
      `N=${objects} page=${pageSize}, ${repeats} runs each, file sink; floor median ${secs(medianOf(floors, (f) => f))} s; ` +
        `fresh memory ${freshMemoryMsPerMb().toFixed(2)} ms a MB\n`,
    );
    for (const [j, cli] of clis.entries()) {
      const r = runs[j]!;
      process.stdout.write(
        `${cli}: ${secs(medianOf(r, (x) => x.seconds))} s, × floor ${ratio(medianOf(ratios[j]!, (x) => x))} (${ratios[j]!.map((x) => x.toFixed(2)).join(' ')}), ` +
          `CPU ${secs(medianOf(r, (x) => x.cpuSeconds))} s, peak RSS ${mb(medianOf(r, (x) => x.peakRssBytes))} MB\n`,
      );
    }
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:compare failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
