// Builds a real pipeline for tests: a config (as the YAML loader would produce it) pointing at test
// servers, a runtime on the real Redis under a prefix of its own, workers, and cleanup.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigSchema, type ParsedConfig } from '../../src/config/schema';
import { resolveConfig, type Config } from '../../src/config/resolve';
import { silentLogger, type Logger } from '../../src/log';
import type { StixBundle } from '../../src/stix/types';
import { createRuntime, startSinks, type Runtime, type RuntimeOptions } from '../../src/pipeline/runtime';
import { startWorkers, type WorkerSet } from '../../src/pipeline/workers';
import { dropPrefix, REDIS_URL, uniquePrefix } from './redis-prefix';

export type RawConfig = Record<string, unknown>;

/** A resolved config from a raw object (the same schema and checks as config.yml). */
export function buildConfig(raw: RawConfig): Config {
  const parsed = ConfigSchema.parse(raw) as ParsedConfig;
  const problems: string[] = [];
  const config = resolveConfig(parsed, {}, problems);
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return config;
}

/** A raw config with one source at `discoveryUrl`, fast retries and a file sink in a temp folder. */
export function baseRawConfig(opts: { prefix: string; discoveryUrl: string; token?: string; sinkDir?: string; pageSize?: number; extra?: RawConfig }): RawConfig {
  return {
    redis: { url: REDIS_URL, prefix: opts.prefix },
    sources: [
      {
        name: 'feed',
        discovery_url: opts.discoveryUrl,
        auth: opts.token ? { type: 'bearer', token: opts.token } : { type: 'none' },
        page_size: opts.pageSize ?? 500,
        added_after: '2000-01-01T00:00:00Z',
        timeout_secs: 5,
      },
    ],
    pipeline: { backoff_base_ms: 20, backoff_max_ms: 200, max_attempts: 4, lock_duration_secs: 2, resume_overlap_secs: 1 },
    sink: { type: 'file', path: opts.sinkDir ?? mkdtempSync(join(tmpdir(), 'taxii-sink-')) },
    ...opts.extra,
  };
}

export interface Harness {
  prefix: string;
  runtime: Runtime;
  workers?: WorkerSet;
  start(): Promise<WorkerSet>;
  close(): Promise<void>;
}

export async function startHarness(config: Config, options: Partial<RuntimeOptions> = {}): Promise<Harness> {
  const runtime = await createRuntime(config, { logger: options.logger ?? (silentLogger as Logger), ...options });
  const h: Harness = {
    prefix: config.redis.prefix,
    runtime,
    async start() {
      await startSinks(runtime);
      h.workers = startWorkers(runtime);
      return h.workers;
    },
    async close() {
      await h.workers?.close(1000);
      await runtime.close();
      await dropPrefix(config.redis.prefix);
    },
  };
  return h;
}

export { uniquePrefix };

/** Every bundle the file sink wrote under `dir`. */
export function bundlesInFileSink(dir: string): StixBundle[] {
  const bundles: StixBundle[] = [];
  const walk = (d: string): void => {
    // Entries carry their type: no stat of a temp file the sink may rename meanwhile (bundles
    // appear by atomic rename, so a .json file is always complete).
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.json')) {
        const bundle = JSON.parse(readFileSync(p, 'utf8')) as StixBundle;
        if (bundle.type !== 'bundle') throw new Error(`${p} is not a bundle`);
        bundles.push(bundle);
      }
    }
  };
  walk(dir);
  return bundles;
}

/** Every object id in the file sink's bundles under `dir`, with how often it was written. */
export function idsInFileSink(dir: string): Map<string, number> {
  const ids = new Map<string, number>();
  for (const b of bundlesInFileSink(dir)) for (const o of b.objects) ids.set(o.id, (ids.get(o.id) ?? 0) + 1);
  return ids;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
