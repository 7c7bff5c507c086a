// The scheduler role: resolves each source's collection selectors into collections and keeps one
// BullMQ job scheduler per (source, collection), ticking every `connector.duration_period`;
// schedulers of collections no longer configured are removed.
import { ConnectorError, describeError } from '../errors';
import { retryDelayMs } from './queues';
import type { CollectionTarget, PipelineContext } from './context';
import { jobIds } from './keys';
import type { PollJob } from './jobs';

export interface TargetFilter {
  source?: string;
  collection?: string;
}

export interface ResolvedTargets {
  targets: CollectionTarget[];
  /** Sources whose collections could not be listed, with why. */
  failures: Array<{ source: string; code: string; message: string }>;
}

/** Lists the collections each (selected) source should run; a source that fails is reported, not fatal. */
export async function resolveTargets(ctx: PipelineContext, filter: TargetFilter = {}, signal?: AbortSignal): Promise<ResolvedTargets> {
  const targets: CollectionTarget[] = [];
  const failures: ResolvedTargets['failures'] = [];
  for (const source of ctx.sources.values()) {
    if (filter.source && source.name !== filter.source) continue;
    try {
      const found = await withRetries(ctx, `list the collections of source "${source.name}"`, () => ctx.reader(source.name).resolveCollections(source.collections), signal);
      for (const c of found) {
        if (filter.collection && c.id !== filter.collection && c.title !== filter.collection) continue;
        targets.push({ source: source.name, collection: c.id, apiRoot: c.apiRootUrl, title: c.title });
      }
    } catch (err) {
      failures.push({ source: source.name, ...describeError(err) });
    }
  }
  return { targets, failures };
}

/**
 * Retries a retryable failure with the jobs' policy (exponential backoff with jitter, Retry-After
 * honoured, `pipeline.max_attempts` in all); a final failure is thrown.
 */
export async function withRetries<T>(ctx: PipelineContext, what: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof ConnectorError && err.retryable) || attempt >= ctx.config.pipeline.max_attempts || signal?.aborted) throw err;
      const delay = retryDelayMs(attempt, ctx.config.pipeline, err.retryAfterMs);
      ctx.logger.warn('request failed, will retry', { what, code: err.code, attempt, delayMs: delay });
      await sleep(delay, signal);
      if (signal?.aborted) throw err;
    }
  }
}

/** Resolves after `ms`, or at once when the signal aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

const SCHEDULER_PREFIX = 'poll.';

/** Upserts a scheduler per target; removes ours whose source resolved but no longer lists them. */
export async function syncSchedulers(ctx: PipelineContext, resolved: ResolvedTargets): Promise<void> {
  const wanted = new Set<string>();
  for (const t of resolved.targets) {
    const id = jobIds.scheduler(t.source, t.collection);
    wanted.add(id);
    const data: PollJob = { v: 1, source: t.source, collection: t.collection, apiRoot: t.apiRoot, title: t.title };
    await ctx.queues.fetch.upsertJobScheduler(id, { every: ctx.config.durationPeriodMs }, { name: 'poll', data });
  }
  const failed = new Set(resolved.failures.map((f) => f.source));
  const configured = new Set(ctx.sources.keys());
  const existing = await ctx.queues.fetch.getJobSchedulers(0, -1);
  for (const s of existing) {
    const id = s.key ?? s.id;
    if (!id || !id.startsWith(SCHEDULER_PREFIX) || wanted.has(id)) continue;
    const source = id.slice(SCHEDULER_PREFIX.length).split('.')[0];
    // Keep the schedulers of a configured source whose listing failed this time: it may be down.
    if (configured.has(source) && failed.has(source)) continue;
    await ctx.queues.fetch.removeJobScheduler(id);
    ctx.logger.info('scheduler removed', { scheduler: id });
  }
}

export interface SchedulerHandle {
  close(): Promise<void>;
}

/** Resolves and syncs now, then again every duration period (new collections, recovered sources). */
export async function startScheduler(ctx: PipelineContext): Promise<SchedulerHandle> {
  const stopping = new AbortController();
  const refresh = async (): Promise<void> => {
    const resolved = await resolveTargets(ctx, {}, stopping.signal);
    if (stopping.signal.aborted) return;
    for (const f of resolved.failures) ctx.logger.error('cannot list the collections of a source', f);
    await syncSchedulers(ctx, resolved);
    ctx.logger.info('schedulers in place', { collections: resolved.targets.length, every: ctx.config.connector.duration_period });
  };
  // The first listing runs in the background: a slow or absent TAXII server does not hold up start-up.
  void refresh().catch((err) => ctx.logger.error('scheduler refresh failed', describeError(err)));
  const timer = setInterval(() => {
    refresh().catch((err) => ctx.logger.error('scheduler refresh failed', describeError(err)));
  }, Math.max(ctx.config.durationPeriodMs, 60_000));
  timer.unref();
  return {
    close: async () => {
      clearInterval(timer);
      stopping.abort();
    },
  };
}
