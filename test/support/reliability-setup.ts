// A TAXII test server, a pipeline on the real Redis (prefix of its own) and a file sink in a temp
// folder, for the reliability suite; plus the checks every scenario ends with: which source
// objects reached the sink (by id) and whether the cursor passed anything undelivered.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RuntimeOptions } from '../../src/pipeline/runtime';
import { compareTimestamps } from '../../src/taxii';
import { baseRawConfig, buildConfig, idsInFileSink, removeDir, startHarness, uniquePrefix, type Harness, type RawConfig } from './pipeline-harness';
import { startTaxiiServer, type TaxiiSeed, type TaxiiServerOptions, type TaxiiTestServer } from './taxii-server';

export interface RigOptions {
  pageSize?: number;
  token?: string;
  /** Merged into the source's config (e.g. `timeout_secs`). */
  source?: RawConfig;
  /** Merged into `pipeline`. */
  pipeline?: RawConfig;
  /** Last word on the raw config. */
  edit?: (raw: RawConfig) => void;
  runtime?: Partial<RuntimeOptions>;
  /** Start the workers (default true). */
  workers?: boolean;
}

export interface Rig {
  server: TaxiiTestServer;
  harness: Harness;
  sinkDir: string;
  raw: RawConfig;
  /** Object ids in the file sink, with how often each was written. */
  delivered(): Map<string, number>;
  /** Ids of `seeds` that are not in the sink. */
  missing(seeds: readonly TaxiiSeed[]): string[];
  cursor(): Promise<string | undefined>;
  close(): Promise<void>;
}

export function sourceRaw(raw: RawConfig): Record<string, unknown> {
  return (raw.sources as Array<Record<string, unknown>>)[0]!;
}

export async function startRig(label: string, serverOptions: TaxiiServerOptions, options: RigOptions = {}): Promise<Rig> {
  const server = await startTaxiiServer(serverOptions);
  const sinkDir = mkdtempSync(join(tmpdir(), `taxii-rel-${label}-`));
  const raw = baseRawConfig({ prefix: uniquePrefix(`rel-${label}`), discoveryUrl: server.url, token: options.token, sinkDir, pageSize: options.pageSize ?? 50 });
  Object.assign(sourceRaw(raw), options.source);
  raw.pipeline = { ...(raw.pipeline as RawConfig), ...options.pipeline };
  options.edit?.(raw);
  let harness: Harness;
  try {
    harness = await startHarness(buildConfig(raw), options.runtime);
    if (options.workers !== false) await harness.start();
  } catch (err) {
    await server.close();
    removeDir(sinkDir);
    throw err;
  }
  return {
    server,
    harness,
    sinkDir,
    raw,
    delivered: () => idsInFileSink(sinkDir),
    missing: (seeds) => {
      const ids = idsInFileSink(sinkDir);
      return seeds.map((s) => String(s.object.id)).filter((id) => !ids.has(id));
    },
    cursor: async () => (await harness.runtime.store.getCursor('feed', server.defaultCollectionId))?.value,
    close: async () => {
      await harness.close();
      await server.close();
      removeDir(sinkDir);
    },
  };
}

/**
 * Ids of seeds at or before the cursor that are not in the sink: the cursor passed them without
 * delivering them (must be empty).
 */
export function passedButUndelivered(seeds: readonly TaxiiSeed[], cursor: string | undefined, delivered: Map<string, number>): string[] {
  if (cursor === undefined) return [];
  return seeds.filter((s) => compareTimestamps(s.date_added, cursor) <= 0 && !delivered.has(String(s.object.id))).map((s) => String(s.object.id));
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every `everyMs` until it is true, or fails after `timeoutMs` naming `what`. */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000, everyMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
