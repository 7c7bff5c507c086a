// One measured `taxii-connector sync --once` in a child process, as users run it: a temp YAML
// config (own Redis prefix, sink folder in a temp dir), wall time from spawn to exit, time to the
// first page request as the TAXII server saw it, peak RSS of the process and Redis memory. The
// prefix, the folder and the OpenCTI test server are removed afterwards.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { startOpenCtiServer, type OpenCtiServerOptions } from '../../test/support/opencti-server';
import { dropPrefix } from '../../test/support/redis-prefix';
import type { TaxiiTestServer } from '../../test/support/taxii-server';
import { leftovers, startRedisSampler, type Leftovers, type RedisPeaks } from './redis-memory';
import { sampleProcess } from './proc';
import { medianInterval } from './stats';

export type SinkKind = 'file' | 'opencti';

export interface ConnectorRun {
  /** Spawn to exit, in seconds. */
  seconds: number;
  /** Spawn to the first objects request received by the TAXII server, in seconds. */
  firstPageSeconds: number;
  /** Median time between successive page requests the TAXII server received, in ms. */
  pageIntervalMs: number;
  /** Spawn to the last bundle file written (file sink only, else NaN), in seconds. */
  lastWriteSeconds: number;
  /** Time the OpenCTI test server spent on the pushes, one after the other (arrival to reply, summed), in seconds; NaN for files. */
  deliverySeconds: number;
  peakRssBytes: number;
  /** CPU time of the process, user + system, in seconds. */
  cpuSeconds: number;
  redis: RedisPeaks;
  left: Leftovers;
  fetched: number;
  delivered: number;
  rejected: number;
}

export interface ConnectorCase {
  taxii: TaxiiTestServer;
  sink: SinkKind;
  pageSize: number;
  redisUrl: string;
  /** The command that starts the CLI, e.g. [node, dist/cli.js]. */
  command: string[];
  /** Extra node flags for the child (e.g. --cpu-prof). */
  nodeFlags?: string[];
  /** `pipeline` settings; omitted keys keep their defaults. */
  pipeline?: Record<string, number>;
  /** Options of the OpenCTI test server (sink `opencti`), e.g. `pushDelayMs`. */
  opencti?: OpenCtiServerOptions;
}

const CONNECTOR_ID = '5b0e9f2c-8d4a-4f6e-9c3b-2a7d1e8f4b60';
const OPENCTI_TOKEN = 'bench-opencti-token';
const ADDED_AFTER = '2000-01-01T00:00:00Z';
/** The repository: the child's working directory (where `--import tsx` resolves). */
const ROOT = resolve(__dirname, '../..');

interface Child {
  code: number | null;
  stdout: string;
  stderrTail: string;
  peakRssBytes: number;
  cpuSeconds: number;
}

function runChild(command: string[], cwd: string): Promise<Child> {
  return new Promise((done, fail) => {
    const [exe, ...args] = command;
    const child = spawn(exe!, args, { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME }, stdio: ['ignore', 'pipe', 'pipe'] });
    const usage = child.pid === undefined ? undefined : sampleProcess(child.pid);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    // Keep only the end of the log: enough to explain a failure.
    child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderrTail: stderr, ...(usage?.stop() ?? { peakRssBytes: 0, cpuSeconds: 0 }) }));
  });
}

/** Modification time of the newest file under `dir`, in ms since the epoch (NaN when none). */
function newestWrite(dir: string): number {
  let newest = NaN;
  try {
    for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const t = statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs;
      if (!(t <= newest)) newest = t;
    }
  } catch {
    /* no folder: nothing written */
  }
  return newest;
}

export async function runConnector(c: ConnectorCase): Promise<ConnectorRun> {
  const prefix = `bench-${c.sink}-${process.pid}-${randomBytes(4).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'taxii-bench-'));
  const opencti = c.sink === 'opencti' ? await startOpenCtiServer({ ...c.opencti, token: OPENCTI_TOKEN }) : undefined;
  try {
    const config = {
      connector: { id: CONNECTOR_ID, name: 'TAXII bench' },
      redis: { url: c.redisUrl, prefix },
      sources: [{ name: 'bench', discovery_url: c.taxii.url, page_size: c.pageSize, added_after: ADDED_AFTER }],
      sink: opencti ? { type: 'opencti' } : { type: 'file', path: join(dir, 'bundles') },
      ...(opencti ? { opencti: { url: opencti.url, token: OPENCTI_TOKEN } } : {}),
      ...(c.pipeline ? { pipeline: c.pipeline } : {}),
    };
    const configPath = join(dir, 'config.yml');
    writeFileSync(configPath, stringify(config));
    const [node, ...rest] = c.command;
    const command = [node!, ...(c.nodeFlags ?? []), ...rest, '--config', configPath, 'sync', '--once', '--json'];

    c.taxii.requests.length = 0;
    const redis = await startRedisSampler(c.redisUrl, prefix);
    const spawnedAt = Date.now();
    const started = performance.now();
    const child = await runChild(command, ROOT);
    const seconds = (performance.now() - started) / 1000;
    const peaks = await redis.stop();
    const left = await leftovers(c.redisUrl, prefix);
    if (child.code !== 0) throw new Error(`sync --once exited ${child.code}\n${child.stdout}\n${child.stderrTail}`);
    const summary = JSON.parse(child.stdout) as { totals: { fetched: number; delivered: number; rejected: number } };
    const pages = c.taxii.requestsTo('objects');
    const firstPage = pages[0];
    return {
      seconds,
      firstPageSeconds: firstPage ? (firstPage.time - spawnedAt) / 1000 : NaN,
      pageIntervalMs: medianInterval(pages.map((r) => r.time)),
      lastWriteSeconds: opencti ? NaN : (newestWrite(join(dir, 'bundles')) - spawnedAt) / 1000,
      deliverySeconds: opencti ? opencti.pushTimes.reduce((sum, p) => sum + p.answered - p.arrived, 0) / 1000 : NaN,
      peakRssBytes: child.peakRssBytes,
      cpuSeconds: child.cpuSeconds,
      redis: peaks,
      left,
      fetched: summary.totals.fetched,
      delivered: summary.totals.delivered,
      rejected: summary.totals.rejected,
    };
  } finally {
    await opencti?.close();
    await dropPrefix(prefix, c.redisUrl);
    rmSync(dir, { recursive: true, force: true });
  }
}
