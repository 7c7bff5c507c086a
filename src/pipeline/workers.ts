// BullMQ workers for the fetch and deliver queues, sharing the retry policy (exponential backoff
// with jitter, Retry-After honoured) and a graceful shutdown.
import { Worker } from 'bullmq';
import { ConnectorError, describeError } from '../errors';
import type { PipelineContext } from './context';
import { deliverProcessor } from './deliver-worker';
import { fetchProcessor } from './fetch-worker';
import { QUEUES } from './keys';
import { retryDelayMs } from './queues';

export interface WorkerSet {
  workers: Worker[];
  /** Stops taking jobs and waits for running ones (up to timeoutMs, then abandons them to be taken over as stalled). */
  close(timeoutMs?: number): Promise<void>;
}

export function startWorkers(ctx: PipelineContext, roles: { fetch?: boolean; deliver?: boolean } = { fetch: true, deliver: true }): WorkerSet {
  const { pipeline } = ctx.config;
  const lockDuration = Math.round(pipeline.lock_duration_secs * 1000);
  const common = {
    connection: ctx.redis,
    prefix: ctx.config.redis.prefix,
    lockDuration,
    stalledInterval: lockDuration,
    maxStalledCount: 1000,
    settings: {
      backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) =>
        retryDelayMs(attemptsMade, pipeline, err instanceof ConnectorError ? err.retryAfterMs : undefined),
    },
  };
  const workers: Worker[] = [];
  if (roles.fetch !== false) {
    ctx.normalizer.warm();
    workers.push(new Worker(QUEUES.fetch, fetchProcessor(ctx), { ...common, concurrency: pipeline.fetch_concurrency }));
  }
  if (roles.deliver !== false) workers.push(new Worker(QUEUES.deliver, deliverProcessor(ctx), { ...common, concurrency: pipeline.deliver_concurrency }));
  for (const w of workers) {
    w.on('error', (err) => ctx.logger.warn('worker connection error', { queue: w.name, ...describeError(err) }));
  }
  return {
    workers,
    close: async (timeoutMs = pipeline.lock_duration_secs * 1000) => {
      let timer: NodeJS.Timeout | undefined;
      const graceful = Promise.all(workers.map((w) => w.close()));
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      const outcome = await Promise.race([graceful.then(() => 'closed' as const), timeout]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        ctx.logger.warn('shutdown timeout: running jobs left to be taken over as stalled', { timeoutMs });
        await Promise.all(workers.map((w) => w.close(true)));
      }
    },
  };
}
