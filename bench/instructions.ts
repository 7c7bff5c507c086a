// `npm run bench:instructions`: what a normalizer thread spends on one page, counted in machine
// instructions instead of seconds. On a shared VM the time of the same run moves by 15% and more
// from one run to the next; instructions counted by valgrind's callgrind come out the same to
// within 0.3% from one run to the next (651.0 and 652.6 million a page for one build), with V8 made
// predictable (`--predictable`: one thread, no concurrent compiling or collecting, no timers
// steering the heap), fixed seeds and the same paths for every build (each is copied to one
// folder). The page is the bench's (generateObjects, 10,000 objects in one envelope), read and
// normalized as the thread does it (readPageLazily, normalizeLazily), first 6 times, then 12: the
// difference over 6 is one page once the code is warm, start-up left out. It is not free of chaos:
// other text in the process (a longer temp path was enough) moves V8's collections and compiles,
// and the count with them, by up to 5%, so two builds closer than that are not told apart.
// Instructions are not time either: a tight byte loop counts many for little. About 2.5 minutes a
// build; needs valgrind.
//
//   npm run bench:instructions -- [--objects N] [<dist folder> ...]    (default: dist)
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateObjects } from '../test/support/taxii-objects';

/** The repository, whose node_modules the builds' copies use. */
const ROOT = resolve(__dirname, '..');
const SHORT_RUN = 6;
const LONG_RUN = 12;

/** The child under valgrind: plain JavaScript over a build's own modules, so that no loader runs there. */
const RUNNER = `
const [dist, pagePath, runs] = process.argv.slice(2);
const { readPageLazily, normalizeLazily } = require(dist + '/pipeline/normalize-page.js');
const body = new Uint8Array(require('node:fs').readFileSync(pagePath));
const settings = { upgrade20: true, nowMs: Date.parse('2026-01-01T00:00:00Z'), maxObjects: 5000, maxBytes: 5 * 1024 * 1024, idSeed: 'bench/collection/1/0' };
(async () => {
  for (let r = 0; r < Number(runs); r++) {
    const read = readPageLazily(body);
    if (read === undefined) throw new Error('the page is not laid out plainly');
    const page = await normalizeLazily(read.page, settings, async () => undefined);
    if (page.accepted !== read.outcome.facts.objects) throw new Error('accepted ' + page.accepted + ' of ' + read.outcome.facts.objects);
  }
})().catch((err) => { process.stderr.write(String(err) + '\\n'); process.exitCode = 1; });
`;

/** Instructions valgrind counted for `runs` pages of one build. */
function countInstructions(runner: string, dist: string, page: string, runs: number): Promise<number> {
  const args = ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, '--predictable', '--hash-seed=1', '--random-seed=1', runner, dist, page, String(runs)];
  return new Promise((done, fail) => {
    const child = spawn('valgrind', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      const collected = /Collected : (\d+)/.exec(stderr);
      if (code !== 0 || collected === null) return fail(new Error(`valgrind (${runs} pages) exited ${code}: ${stderr.slice(-600)}`));
      done(Number(collected[1]));
    });
  });
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { objects: { type: 'string', default: '10000' } } });
  const objects = Number(values.objects);
  if (!Number.isInteger(objects) || objects <= 0) throw new Error('usage: bench:instructions -- [--objects N] [<dist folder> ...]');
  if (spawnSync('valgrind', ['--version']).status !== 0) throw new Error('valgrind is not installed (Debian: apt-get install valgrind)');
  const dists = (positionals.length > 0 ? positionals : ['dist']).map((d) => resolve(d));
  for (const d of dists) {
    if (!existsSync(join(d, 'pipeline/normalize-page.js'))) throw new Error(`${d}: no pipeline/normalize-page.js (run npm run build there)`);
  }
  // The same paths every time, for every build (each is copied to the same folder): a path is text
  // the process holds, and other text moves V8's collections, and with them the count, by a few percent.
  const dir = join(tmpdir(), 'taxii-bench-instructions');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  try {
    const runner = join(dir, 'runner.js');
    const page = join(dir, 'page.json');
    const build = join(dir, 'build');
    writeFileSync(runner, RUNNER);
    writeFileSync(page, JSON.stringify({ more: true, next: 'bench', objects: generateObjects(objects).map((s) => s.object) }));
    process.stdout.write(`one page of ${objects.toLocaleString('en-US')} objects, as the normalizer thread reads and normalizes it (valgrind callgrind, node --predictable)\n`);
    for (const dist of dists) {
      const copy = join(build, 'dist');
      rmSync(build, { recursive: true, force: true });
      cpSync(dist, copy, { recursive: true });
      symlinkSync(join(ROOT, 'node_modules'), join(build, 'node_modules'));
      const [short, long] = await Promise.all([countInstructions(runner, copy, page, SHORT_RUN), countInstructions(runner, copy, page, LONG_RUN)]);
      const perPage = (long - short) / (LONG_RUN - SHORT_RUN);
      process.stdout.write(`${dist}: ${(perPage / 1e6).toFixed(1)} million instructions a page, ${Math.round(perPage / objects).toLocaleString('en-US')} an object\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:instructions failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
