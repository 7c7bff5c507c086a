// The three BullMQ queues under the configured prefix, with the job options that make retries,
// backoff and trimming behave the same everywhere.
import { Queue, type Job, type JobsOptions } from 'bullmq';
import { describeError } from '../errors';
import type { Redis } from 'ioredis';
import type { PipelineConfig } from '../config/schema';
import { QUEUES } from './keys';

export interface Queues {
  fetch: Queue;
  deliver: Queue;
  deadLetter: Queue;
  close(): Promise<void>;
}

/** Completed jobs are trimmed by age and count, so Redis does not grow with the collection. */
export const REMOVE_ON_COMPLETE = { age: 3600, count: 200 } as const;
/** Failed jobs stay a week for inspection (their dead-letter entries stay until purged). */
export const REMOVE_ON_FAIL = { age: 7 * 24 * 3600, count: 5000 } as const;

export function jobOptions(pipeline: PipelineConfig): JobsOptions {
  return {
    attempts: pipeline.max_attempts,
    backoff: { type: 'connector' },
    removeOnComplete: REMOVE_ON_COMPLETE,
    removeOnFail: REMOVE_ON_FAIL,
  };
}

export function createQueues(connection: Redis, prefix: string, pipeline: PipelineConfig): Queues {
  const defaultJobOptions = jobOptions(pipeline);
  const fetch = new Queue(QUEUES.fetch, { connection, prefix, defaultJobOptions });
  const deliver = new Queue(QUEUES.deliver, { connection, prefix, defaultJobOptions });
  // Dead-letter entries are never processed: they wait for an operator (dlq replay / purge).
  const deadLetter = new Queue(QUEUES.deadLetter, { connection, prefix, defaultJobOptions: { removeOnComplete: false, removeOnFail: false } });
  return {
    fetch,
    deliver,
    deadLetter,
    close: async () => {
      await Promise.all([fetch.close(), deliver.close(), deadLetter.close()]);
    },
  };
}

/**
 * Whether a job's failure is final: the error says no retry can help (a ConnectorError with
 * `retryable: false`; anything unexpected is retried), or this was the last attempt.
 */
export function isFinalFailure(err: unknown, job: Pick<Job, 'attemptsMade' | 'opts'>): boolean {
  return !describeError(err).retryable || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

/**
 * Retry delay for attempt n (1-based): exponential from `backoff_base_ms`, capped, with full
 * jitter on the upper half; never shorter than what the server asked for with Retry-After.
 */
export function retryDelayMs(attempt: number, pipeline: PipelineConfig, retryAfterMs?: number, random: () => number = Math.random): number {
  const exp = Math.min(pipeline.backoff_max_ms, pipeline.backoff_base_ms * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.round(exp / 2 + (random() * exp) / 2);
  return Math.max(jittered, retryAfterMs ?? 0);
}
