// Job payloads: small, plain, versioned JSON (names and ids, never secrets), parsed with zod when a
// worker takes a job so that a payload from another version fails clearly instead of misbehaving.
import { z } from 'zod';

const Target = {
  v: z.literal(1),
  source: z.string(),
  collection: z.string(),
};

/** Tick of a job scheduler, or a `sync --once` request: start a run of one collection. */
export const PollJob = z.object({ ...Target, apiRoot: z.string(), title: z.string() });
export type PollJob = z.infer<typeof PollJob>;

/** Fetch one page of a run. */
export const FetchJob = z.object({
  ...Target,
  apiRoot: z.string(),
  runId: z.string(),
  page: z.number().int().min(0),
  /** `added_after` of the run's query, repeated on every `next` request (TAXII 2.1 §3.4). */
  addedAfter: z.string().optional(),
  /** Token from the previous page; single use: never sent twice. */
  next: z.string().optional(),
  /** Where to resume when `next` cannot be used: the previous page's X-TAXII-Date-Added-Last. */
  resumeAfter: z.string().optional(),
});
export type FetchJob = z.infer<typeof FetchJob>;

/** Deliver one bundle of a page to one sink. */
export const DeliverJob = z.object({
  ...Target,
  runId: z.string(),
  page: z.number().int().min(0),
  part: z.number().int().min(0),
  sink: z.string(),
  /** The tag the bundle is stored under (RunStore.recordPage); absent for a bundle stored without one. */
  tag: z.string().optional(),
  /** Bundle id and object count, when known at enqueue time: lets a sink take the stored text as is. */
  bundleId: z.string().optional(),
  objects: z.number().int().min(0).optional(),
  workId: z.string().optional(),
});
export type DeliverJob = z.infer<typeof DeliverJob>;

export const DEAD_LETTER_KINDS = ['bundle', 'rejected', 'page'] as const;

/** A dead-letter entry: what failed, why, and everything needed to look at it or replay it. */
export const DeadLetterEntry = z.object({
  ...Target,
  kind: z.enum(DEAD_LETTER_KINDS),
  runId: z.string(),
  page: z.number().int().min(0),
  part: z.number().int().min(0).optional(),
  sink: z.string().optional(),
  code: z.string(),
  message: z.string(),
  attempts: z.number().int().min(0),
  failedAt: z.string(),
  /** kind `bundle`: the bundle that could not be delivered. */
  bundle: z.unknown().optional(),
  /** kind `rejected`: the objects refused by validation or by the sink, each with its reason. */
  rejections: z.array(z.object({ id: z.string().optional(), type: z.string().optional(), reason: z.string(), message: z.string(), raw: z.unknown() })).optional(),
  /** Replays tried so far. */
  replays: z.number().int().min(0).default(0),
});
export type DeadLetterEntry = z.infer<typeof DeadLetterEntry>;
