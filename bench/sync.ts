// `npm run bench`: `taxii-connector sync --once` against the floor (reading the pages and nothing
// else), into files and into OpenCTI, for 10,000 and 100,000 objects at page sizes 1,000 and
// 10,000, 300,000 objects into files (does memory stay flat?), plus a pipelining case against a
// server that takes 200 ms per page. Prints a Markdown
// report (time, peak RSS, Redis memory, the targets) and writes it to BENCHMARKS.md.
//
//   npm run bench                    full run (builds dist first), writes BENCHMARKS.md
//   npm run bench -- --quick         N = 10,000 only, 3 runs per case, prints without writing
//   options: --repeats N (default 5, 3 with --quick), --src (src/cli.ts through tsx instead of
//            dist/cli.js), --cli FILE (another build's cli.js, to compare), --profile DIR (CPU
//            profiles of every connector run), --out FILE
import { existsSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { PipelineConfig } from '../src/config/schema';
import { measureCase, measurePipelining, withTaxiiServer, type BenchSettings, type CaseResult } from './lib/cases';
import { freshMemoryMsPerMb } from './lib/machine';
import { renderReport } from './lib/report';
import { checkTargets, PLATEAU } from './lib/targets';

const ROOT = resolve(__dirname, '..');
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PAGE_SIZES = [1000, 10_000];

function options() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      repeats: { type: 'string' },
      src: { type: 'boolean', default: false },
      cli: { type: 'string' },
      profile: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const repeats = Number(values.repeats ?? (values.quick ? 3 : 5));
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`--repeats must be a positive integer, got ${values.repeats}`);
  const out = values.out ?? (values.quick ? undefined : resolve(ROOT, 'BENCHMARKS.md'));
  return { quick: values.quick === true, repeats, src: values.src === true, cli: values.cli, profile: values.profile, out };
}

async function redisVersion(): Promise<string> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => null });
  try {
    await redis.connect();
    return /^redis_version:(\S+)/m.exec(await redis.info('server'))?.[1] ?? '?';
  } catch (err) {
    throw new Error(`Redis does not answer at ${REDIS_URL} (${(err as Error).message}); start one (redis-server) or set BENCH_REDIS_URL`);
  } finally {
    redis.disconnect();
  }
}

async function main(): Promise<void> {
  const o = options();
  const started = Date.now();
  const redis = await redisVersion();
  const cli = o.cli ? resolve(o.cli) : resolve(ROOT, o.src ? 'src/cli.ts' : 'dist/cli.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build (npm run bench does)`);
  const log = (line: string) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
  const settings: BenchSettings = {
    repeats: o.repeats,
    redisUrl: REDIS_URL,
    command: o.src ? [process.execPath, '--import', 'tsx', cli] : [process.execPath, cli],
    nodeFlags: o.profile ? ['--cpu-prof', '--cpu-prof-dir', resolve(o.profile)] : undefined,
    log,
  };

  const freshBefore = freshMemoryMsPerMb();
  log(`fresh memory: ${freshBefore.toFixed(2)} ms per MB`);
  const cases: CaseResult[] = [];
  for (const objects of o.quick ? [10_000] : [10_000, 100_000]) {
    log(`generating ${objects.toLocaleString('en-US')} objects`);
    await withTaxiiServer(objects, 0, async (taxii) => {
      for (const pageSize of PAGE_SIZES) cases.push(await measureCase(settings, taxii, objects, pageSize));
    });
  }
  if (!o.quick) {
    log(`generating ${PLATEAU.toLocaleString('en-US')} objects (memory plateau, file sink)`);
    cases.push(await withTaxiiServer(PLATEAU, 0, (taxii) => measureCase(settings, taxii, PLATEAU, 10_000, ['file'])));
  }
  const pipelining = await measurePipelining(settings);

  const freshAfter = freshMemoryMsPerMb();
  const pipeline = PipelineConfig.parse({});
  const cpu = cpus();
  const report = renderReport(
    {
      command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
      date: new Date().toISOString().slice(0, 10),
      machine: `${cpu.length} cores (${cpu[0]?.model.trim() ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GB RAM, Linux ${release()}, Node ${process.version}, Redis ${redis}`,
      connector: o.src
        ? '`node --import tsx src/cli.ts --config <temp yml> sync --once --json`'
        : `\`node ${o.cli ? cli : 'dist/cli.js'} --config <temp yml> sync --once --json\` (the built CLI, as users run it)`,
      repeats: o.repeats,
      freshMemoryMsPerMb: [freshBefore, freshAfter],
      pipeline: {
        max_pages_in_flight: pipeline.max_pages_in_flight,
        max_pending_bundles: pipeline.max_pending_bundles,
        fetch_concurrency: pipeline.fetch_concurrency,
        deliver_concurrency: pipeline.deliver_concurrency,
        normalize_threads: pipeline.normalize_threads,
      },
    },
    cases,
    pipelining,
    checkTargets(cases, pipelining, pipeline.max_pages_in_flight),
  );
  process.stdout.write(`${report}\n`);
  if (o.out) {
    writeFileSync(o.out, report);
    log(`written to ${o.out}`);
  }
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
