// What the ops server knows of each (source, collection), read fresh from Redis on every request:
// pairs come from stored cursors and runs and from the fetch queue's job schedulers.
import type { PipelineContext } from '../pipeline/context';
import type { PollJob } from '../pipeline/jobs';
import { collectionKeys, type CollectionKeys } from '../pipeline/keys';
import type { Cursor, RunRecord } from '../pipeline/run-state';

export interface CollectionState {
  source: string;
  collection: string;
  /** The collection's title when a run or a scheduler named it, else the id. */
  title: string;
  /** The source is in the current configuration. */
  configured: boolean;
  /** A job scheduler polls this collection. */
  scheduled: boolean;
  cursor?: Cursor;
  /** Seconds from the cursor's timestamp to now: how far behind the feed this collection is. */
  lagSeconds?: number;
  /** The run going on now, if any. */
  running?: RunRecord;
  /** The last finished run. */
  lastRun?: RunRecord;
  runs: number;
  skippedTicks: number;
  abandonedRuns: number;
}

type PairKey = keyof Pick<CollectionKeys, 'cursor' | 'run' | 'lastRun'>;

/** SCAN pattern and parser for one kind of per-collection key, derived from keys.ts's layout. */
function keyShape(prefix: string, which: PairKey): { pattern: string; parse(key: string): [string, string] | undefined } {
  const s = '\u0001s';
  const c = '\u0001c';
  const sample = collectionKeys(prefix, s, c)[which];
  const head = sample.slice(0, sample.indexOf(s));
  const tail = sample.slice(sample.indexOf(c) + c.length);
  return {
    pattern: `${head}*${tail}`,
    parse: (key) => {
      if (!key.startsWith(head) || !key.endsWith(tail)) return undefined;
      const middle = key.slice(head.length, key.length - tail.length);
      // Source names cannot hold `:` (config schema), so the first one splits source from collection.
      const at = middle.indexOf(':');
      return at > 0 ? [middle.slice(0, at), middle.slice(at + 1)] : undefined;
    },
  };
}

async function scanPairs(ctx: PipelineContext, which: PairKey): Promise<Array<[string, string]>> {
  const shape = keyShape(ctx.config.redis.prefix, which);
  const out: Array<[string, string]> = [];
  let scan = '0';
  do {
    const [next, keys] = await ctx.redis.scan(scan, 'MATCH', shape.pattern, 'COUNT', 500);
    scan = next;
    for (const key of keys) {
      const pair = shape.parse(key);
      if (pair) out.push(pair);
    }
  } while (scan !== '0');
  return out;
}

/** Seconds from an RFC 3339 timestamp to `nowMs` (never negative), or undefined when unreadable. */
export function secondsSince(timestamp: string | undefined, nowMs: number): number | undefined {
  if (!timestamp) return undefined;
  const at = Date.parse(timestamp);
  return Number.isNaN(at) ? undefined : Math.max(0, (nowMs - at) / 1000);
}

export async function readCollections(ctx: PipelineContext): Promise<CollectionState[]> {
  const titles = new Map<string, string>();
  const scheduled = new Set<string>();
  const pairs = new Map<string, [string, string]>();
  const keyOf = (source: string, collection: string) => `${source}\u0000${collection}`;
  for (const s of await ctx.queues.fetch.getJobSchedulers(0, -1)) {
    const data = s.template?.data as Partial<PollJob> | undefined;
    if (!data?.source || !data.collection) continue;
    const k = keyOf(data.source, data.collection);
    pairs.set(k, [data.source, data.collection]);
    scheduled.add(k);
    if (data.title) titles.set(k, data.title);
  }
  for (const which of ['cursor', 'run', 'lastRun'] as const) {
    for (const [source, collection] of await scanPairs(ctx, which)) pairs.set(keyOf(source, collection), [source, collection]);
  }
  const now = ctx.now();
  const states = await Promise.all(
    [...pairs.entries()].map(async ([k, [source, collection]]): Promise<CollectionState> => {
      const [cursor, run, lastRun, stats] = await Promise.all([
        ctx.store.getCursor(source, collection),
        ctx.store.getRun(source, collection),
        ctx.store.getLastRun(source, collection),
        ctx.store.getStats(source, collection),
      ]);
      const title = run?.title || lastRun?.title || titles.get(k) || collection;
      return {
        source,
        collection,
        title,
        configured: ctx.sources.has(source),
        scheduled: scheduled.has(k),
        cursor,
        lagSeconds: secondsSince(cursor?.value, now),
        running: run?.status === 'running' ? run : undefined,
        lastRun,
        ...stats,
      };
    }),
  );
  return states.sort((a, b) => `${a.source}/${a.title}`.localeCompare(`${b.source}/${b.title}`));
}
