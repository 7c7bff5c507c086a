// Assembles the pipeline from a resolved config: one Redis connection, the queues, the run store,
// the sinks and a TAXII reader per source. Only this file (and the CLI) knows concrete classes.
import type { Config } from '../config/resolve';
import type { Logger } from '../log';
import { assertRedisReachable, createRedis } from '../redis';
import { createSinks } from '../sinks/factory';
import type { Sink } from '../sinks/types';
import { TaxiiClient, taxiiClientOptions, type TaxiiReader, type TaxiiRequestEvent } from '../taxii';
import type { PageSource, PipelineContext, PipelineObserver } from './context';
import { DeadLetters } from './dead-letter';
import { BundleHandoff } from './handoff';
import { hasLargePages, slowHeapGrowth, THREAD_YOUNG_GENERATION_MB } from './heap';
import { createNormalizer } from './normalizer';
import { createQueues } from './queues';
import { RunStore } from './run-state';

/** Bundles kept in memory for this process's own deliveries, at most (a few pages' worth). */
const HANDOFF_MAX_BYTES = 64 * 1024 * 1024;

export interface RuntimeOptions {
  logger: Logger;
  observer?: PipelineObserver;
  /** Clock for initial history and bookkeeping (tests inject a skewed one); cursors never use it. */
  now?: () => number;
  /** Replaces the sinks built from the config (tests, library use). */
  sinks?: Sink[];
  /** Replaces the TAXII client of a source. */
  readerFor?: (source: string) => TaxiiReader;
}

export interface Runtime extends PipelineContext {
  close(): Promise<void>;
}

function pageSourceOf(reader: TaxiiReader, config: Config, source: string): PageSource {
  const s = config.sources.find((x) => x.name === source);
  const match = s ? Object.fromEntries(Object.entries(s.match).filter(([, v]) => v !== undefined && v.length > 0)) : {};
  return {
    fetchPage: (r) => reader.getObjectsPageBody({ apiRootUrl: r.apiRoot, id: r.collection }, { addedAfter: r.addedAfter, next: r.next, limit: s?.page_size, match }),
  };
}

export async function createRuntime(config: Config, options: RuntimeOptions): Promise<Runtime> {
  await assertRedisReachable(config.redis.url);
  const logger = options.logger;
  const now = options.now ?? Date.now;
  const observer = options.observer ?? {};
  const redis = createRedis(config.redis.url);
  redis.on('error', (err) => logger.warn('redis connection error', { message: err.message }));
  const queues = createQueues(redis, config.redis.prefix, config.pipeline);
  // Without listeners BullMQ prints connection errors raw, past the logger and its redaction.
  for (const q of [queues.fetch, queues.deliver, queues.deadLetter]) {
    q.on('error', (err) => logger.warn('queue connection error', { queue: q.name, message: err.message }));
  }
  const sinkList = options.sinks ?? createSinks(config, logger);
  const sinks = new Map(sinkList.map((s) => [s.name, s]));
  const sources = new Map(config.sources.map((s) => [s.name, s]));
  const readers = new Map<string, TaxiiReader>();
  const reader = (name: string): TaxiiReader => {
    let r = readers.get(name);
    if (!r) {
      const s = sources.get(name);
      if (!s) throw new Error(`no source named "${name}" is configured`);
      const onRequest = (e: TaxiiRequestEvent): void => observer.taxiiRequest?.({ source: name, ...e });
      r = options.readerFor?.(name) ?? new TaxiiClient({ ...taxiiClientOptions(s, logger.child({ source: name })), onRequest });
      readers.set(name, r);
    }
    return r;
  };
  const pageSources = new Map<string, PageSource>();
  const largePages = hasLargePages(config.sources.map((s) => s.page_size));
  if (largePages) slowHeapGrowth();
  const normalizer = createNormalizer({ threads: config.pipeline.normalize_threads, youngGenerationMb: largePages ? THREAD_YOUNG_GENERATION_MB : undefined });
  const ctx: Runtime = {
    config,
    redis,
    queues,
    store: new RunStore(redis, config.redis.prefix, now),
    deadLetters: new DeadLetters(queues.deadLetter, now),
    normalizer,
    handoff: new BundleHandoff(HANDOFF_MAX_BYTES, (json) => normalizer.reuse(json)),
    sinks,
    sources,
    reader,
    pageSource: (name) => {
      let p = pageSources.get(name);
      if (!p) pageSources.set(name, (p = pageSourceOf(reader(name), config, name)));
      return p;
    },
    logger,
    observer,
    now,
    close: async () => {
      await normalizer.close();
      for (const s of sinks.values()) await s.close().catch(() => undefined);
      for (const r of readers.values()) r.close();
      await queues.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
  return ctx;
}

/** Starts every sink (version gates, registration); a sink that cannot start stops the process. */
export async function startSinks(ctx: PipelineContext): Promise<void> {
  for (const sink of ctx.sinks.values()) await sink.start();
}
