// The state of runs and cursors in Redis, changed only through the atomic scripts beside this file.
// One run per (source, collection) at a time; its pages are counted down as deliveries finish, and
// the cursor follows the contiguous prefix of finished pages.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ConnectorError } from '../errors';
import { sendLarge } from '../redis-large';
import { canonicalTimestamp } from '../taxii';
import { collectionKeys, cursorPattern, type CollectionKeys } from './keys';
import { FAIL_RUN, FINISH_DELIVERY, RECORD_FETCHED, RECORD_PAGE, START_RUN, TOUCH_RUN } from './run-state-scripts';

export type RunStatus = 'running' | 'done' | 'failed';

export interface RunCounters {
  pages: number;
  fetched: number;
  delivered: number;
  rejected: number;
  deadLettered: number;
  filtered: number;
  upgraded: number;
  duplicates: number;
}

export interface RunRecord extends RunCounters {
  id: string;
  /** The collection's title, for people (work names, status page). */
  title: string;
  status: RunStatus;
  startedAt: string;
  endedAt?: string;
  heartbeat?: string;
  startAfter?: string;
  doneUpTo: number;
  error?: string;
  works: Record<string, string>;
}

export interface Cursor {
  value: string;
  /** True when the run that set it reached the collection's end: resume exactly, no overlap. */
  exact: boolean;
  updatedAt?: string;
  runId?: string;
}

/** What is known of a page of the current run once it was received. */
export interface RecordedPage {
  /** Normalized and counted in (its deliveries are known). */
  normalized: boolean;
  deliveries: number;
  parts: number;
  final: boolean;
  last?: string;
  next?: string;
  addedAfter?: string;
  /** Names the stored bundles of a normalized page (bundleField); none for bundles stored without one. */
  tag?: string;
}

export interface FetchRecord {
  runId: string;
  page: number;
  /** X-TAXII-Date-Added-Last of the page, as the server wrote it. */
  last?: string;
  final: boolean;
  next?: string;
  /** `added_after` of the query that fetched the page (repeated with `next`). */
  addedAfter?: string;
  /** The envelope as received (JSON, UTF-8). */
  body: Buffer;
  /** What the loop guards need of the page (RECORD_FETCHED applies them); none for a page taken as it is. */
  guard?: LoopGuardFacts;
}

/** A received page as the loop guards see it, and the error each guard ends the run with. */
export interface LoopGuardFacts {
  /** The page's content digest (EnvelopeFacts.digest). */
  digest: string;
  /** Objects the page holds. */
  objects: number;
  /** The `next` token the request carried, if any. */
  sent?: string;
  /** The run's error when the page's `next` token was received before in the run without the paging moving on. */
  repeatedError: string;
  /** The run's error when the page is the page before again, for a request that carried a token. */
  identicalError: string;
}

/** How a received page was recorded: `loop` names the guard that failed the run. */
export interface FetchedResult {
  current: boolean;
  loop?: 'repeated' | 'identical';
}

export interface PageRecord {
  runId: string;
  page: number;
  /** Deliveries expected: bundles × sinks. */
  deliveries: number;
  /** The bundles' JSON (UTF-8). */
  bundles: Buffer[];
  fetched: number;
  rejected: number;
  filtered: number;
  upgraded: number;
  duplicates: number;
}

export interface AdvanceResult {
  /** False when the run is not current any more (superseded or ended). */
  current: boolean;
  /** recordPage: this call stored the page's bundles (false when the page was recorded before). */
  recorded?: boolean;
  /** recordPage: the tag of the page's bundles as recorded (by this call or an earlier one). */
  tag?: string;
  /** This step finished the run's last page. */
  completed: boolean;
}

/**
 * A bundle's field in the bundles hash: `<page>.<part>.<tag>`, where the tag names the attempt that
 * stored it (recordPage); `<page>.<part>` for a bundle stored without one.
 */
export function bundleField(page: number, part: number, tag?: string): string {
  return tag === undefined ? `${page}.${part}` : `${page}.${part}.${tag}`;
}

const COUNTERS: ReadonlyArray<keyof RunCounters> = ['pages', 'fetched', 'delivered', 'rejected', 'deadLettered', 'filtered', 'upgraded', 'duplicates'];

/** The run hash's own fields (it also holds per-page fields, which are never read whole). */
const RUN_FIELDS = ['id', 'title', 'status', 'startedAt', 'endedAt', 'heartbeat', 'startAfter', 'doneUpTo', 'error', ...COUNTERS] as const;

function toRun(values: Array<string | null>, works: Record<string, string> = {}): RunRecord | undefined {
  const h = Object.fromEntries(RUN_FIELDS.map((f, i) => [f, values[i] ?? undefined])) as Partial<Record<(typeof RUN_FIELDS)[number], string>>;
  if (!h.id) return undefined;
  const record: RunRecord = {
    id: h.id,
    title: h.title ?? '',
    status: h.status as RunStatus,
    startedAt: h.startedAt ? new Date(Number(h.startedAt)).toISOString() : '',
    endedAt: h.endedAt ? new Date(Number(h.endedAt)).toISOString() : undefined,
    heartbeat: h.heartbeat ? new Date(Number(h.heartbeat)).toISOString() : undefined,
    startAfter: h.startAfter || undefined,
    doneUpTo: Number(h.doneUpTo ?? -1),
    error: h.error || undefined,
    works,
    pages: 0, fetched: 0, delivered: 0, rejected: 0, deadLettered: 0, filtered: 0, upgraded: 0, duplicates: 0,
  };
  for (const c of COUNTERS) record[c] = Number(h[c] ?? 0);
  return record;
}

export class RunStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly now: () => number = Date.now,
  ) {}

  keys(source: string, collection: string): CollectionKeys {
    return collectionKeys(this.prefix, source, collection);
  }

  async nextRunId(source: string, collection: string): Promise<string> {
    return String(await this.redis.incr(this.keys(source, collection).runSeq));
  }

  /** Starts a run unless one is going (then the tick is counted as skipped). */
  async startRun(source: string, collection: string, args: { runId: string; ticket: string; title: string; startAfter?: string; staleMs: number }) {
    const k = this.keys(source, collection);
    const [code, id] = (await this.redis.eval(START_RUN, 7, k.run, k.done, k.bundles, k.stats, k.tokens, k.works, k.raw, args.runId, args.staleMs, args.startAfter ?? '', args.ticket, args.title)) as [number, string];
    return { started: code === 1, resumed: code === 2, runId: id };
  }

  /**
   * First step of a page: received, its loop guards applied and its envelope and paging facts kept,
   * in one round trip. Not current when the run is not (any more); a page that trips a loop guard
   * fails the run (`loop`).
   */
  async recordFetched(source: string, collection: string, f: FetchRecord): Promise<FetchedResult> {
    const k = this.keys(source, collection);
    const lastc = f.last ? canonicalTimestamp(f.last) ?? '' : '';
    const field = `${f.runId}.${f.page}`;
    const g = f.guard;
    // The envelope goes first, by reference (sendLarge); the script runs right after it, in the
    // same round trip.
    const [, reply] = await Promise.all([
      sendLarge(this.redis, 'hsetnx', [k.raw, field, f.body]),
      this.redis.eval(RECORD_FETCHED, 4, k.run, k.tokens, k.raw, k.lastRun, f.runId, f.page, f.last ?? '', lastc, f.final ? '1' : '0', f.next ?? '', f.addedAfter ?? '',
        g?.digest ?? '', g?.sent ?? '', g?.objects ?? 0, g?.repeatedError ?? '', g?.identicalError ?? ''),
    ]);
    const [code, loop] = reply as [number, string?];
    // A superseded run's envelope is of no use to anyone.
    if (code === -1) await this.redis.hdel(k.raw, field);
    if (code === -4) return { current: false, loop: loop === 'repeated' ? 'repeated' : 'identical' };
    return { current: code !== -1 };
  }

  /** The envelope of a page received but not yet normalized, as received. */
  async getRawPage(source: string, collection: string, runId: string, page: number): Promise<Buffer | null> {
    return this.redis.hgetBuffer(this.keys(source, collection).raw, `${runId}.${page}`);
  }

  /**
   * Second step: normalized, with its bundles; the cursor advances over finished pages. The
   * bundles are set under this attempt's own tag and the page recorded in the same round trip
   * (RECORD_PAGE); bundles of an attempt that did not count are removed again.
   */
  async recordPage(source: string, collection: string, p: PageRecord): Promise<AdvanceResult> {
    const k = this.keys(source, collection);
    const tag = randomBytes(6).toString('hex');
    const fields = p.bundles.map((_, i) => bundleField(p.page, i, tag));
    const [, reply] = await Promise.all([
      fields.length > 0 ? sendLarge(this.redis, 'hset', [k.bundles, ...p.bundles.flatMap((b, i) => [fields[i]!, b])]) : undefined,
      this.redis.eval(RECORD_PAGE, 5, k.run, k.cursor, k.lastRun, k.bundles, k.raw,
        p.runId, p.page, p.deliveries, p.bundles.length, p.fetched, p.rejected, p.filtered, p.upgraded, p.duplicates, tag),
    ]);
    const r = reply as Array<number | string>;
    // Already recorded: with this tag when this very call's script ran before (a command sent again
    // after a reconnection), else by another attempt, whose bundles are the ones that count.
    const recordedTag = r[0] === 1 ? tag : r[0] === -2 && r[1] !== '' ? String(r[1]) : undefined;
    if (recordedTag !== tag && fields.length > 0) await this.redis.hdel(k.bundles, ...fields);
    if (r[0] === -3) throw new ConnectorError(`the bundles of page ${p.page} were not stored in Redis`, { code: 'PIPELINE_BUNDLES_NOT_STORED', retryable: true });
    return { current: r[0] !== -1, recorded: recordedTag === tag, completed: r[0] === 1 && r[2] === 1, tag: recordedTag };
  }

  async finishDelivery(source: string, collection: string, a: { runId: string; deliveryId: string; page: number; delivered: number; deadLettered: number }): Promise<AdvanceResult> {
    const k = this.keys(source, collection);
    const r = (await this.redis.eval(FINISH_DELIVERY, 5, k.run, k.done, k.cursor, k.lastRun, k.bundles, a.runId, a.deliveryId, a.page, a.delivered, a.deadLettered)) as number[];
    return { current: r[0] !== -1, completed: r[2] === 1 };
  }

  async failRun(source: string, collection: string, runId: string, error: string): Promise<boolean> {
    const k = this.keys(source, collection);
    return (await this.redis.eval(FAIL_RUN, 2, k.run, k.lastRun, runId, error)) === 1;
  }

  async getRun(source: string, collection: string): Promise<RunRecord | undefined> {
    const k = this.keys(source, collection);
    const [values, works] = await Promise.all([this.redis.hmget(k.run, ...RUN_FIELDS), this.redis.hgetall(k.works)]);
    return toRun(values, works);
  }

  async getLastRun(source: string, collection: string): Promise<RunRecord | undefined> {
    return toRun(await this.redis.hmget(this.keys(source, collection).lastRun, ...RUN_FIELDS));
  }

  async getStats(source: string, collection: string): Promise<{ runs: number; skippedTicks: number; abandonedRuns: number }> {
    const h = await this.redis.hgetall(this.keys(source, collection).stats);
    return { runs: Number(h.runs ?? 0), skippedTicks: Number(h.skippedTicks ?? 0), abandonedRuns: Number(h.abandonedRuns ?? 0) };
  }

  async getPage(source: string, collection: string, runId: string, page: number): Promise<RecordedPage | undefined> {
    const k = this.keys(source, collection);
    const p = `p${page}`;
    const [id, f, n, parts, final, last, next, qa, tag] = await this.redis.hmget(k.run, 'id', `${p}.f`, `${p}.n`, `${p}.parts`, `${p}.final`, `${p}.last`, `${p}.next`, `${p}.qa`, `${p}.tag`);
    if (id !== runId || f === null) return undefined;
    return {
      normalized: n !== null,
      deliveries: Number(n ?? 0),
      parts: Number(parts ?? 0),
      final: final === '1',
      last: last || undefined,
      next: next || undefined,
      addedAfter: qa || undefined,
      tag: tag || undefined,
    };
  }


  /** Whether a bundle is still pending (stored and not yet delivered to every sink); `tag` as recorded with its page. */
  async hasBundle(source: string, collection: string, page: number, part: number, tag?: string): Promise<boolean> {
    return (await this.redis.hexists(this.keys(source, collection).bundles, bundleField(page, part, tag))) === 1;
  }

  /** A stored bundle's JSON (UTF-8), or null once it was delivered (or its run superseded). */
  async getBundle(source: string, collection: string, page: number, part: number, tag?: string): Promise<Buffer | null> {
    return this.redis.hgetBuffer(this.keys(source, collection).bundles, bundleField(page, part, tag));
  }

  /** Remembers a sink-side work id of the current run. */
  async setWork(source: string, collection: string, runId: string, sink: string, workId: string): Promise<void> {
    const k = this.keys(source, collection);
    if ((await this.redis.hget(k.run, 'id')) === runId) await this.redis.hset(k.works, sink, workId);
  }


  /** Marks the `next` token of a page as sent; false when it was sent before (never send it twice). */
  async markTokenSent(source: string, collection: string, page: number): Promise<boolean> {
    return (await this.redis.hsetnx(this.keys(source, collection).tokens, `sent.${page}`, '1')) === 1;
  }

  /** Takes back a mark made by markTokenSent when the request was not made after all (a closed gate). */
  async unmarkTokenSent(source: string, collection: string, page: number): Promise<void> {
    await this.redis.hdel(this.keys(source, collection).tokens, `sent.${page}`);
  }

  async touch(source: string, collection: string, runId: string): Promise<void> {
    await this.redis.eval(TOUCH_RUN, 1, this.keys(source, collection).run, runId);
  }


  async getCursor(source: string, collection: string): Promise<Cursor | undefined> {
    const h = await this.redis.hgetall(this.keys(source, collection).cursor);
    if (!h.value) return undefined;
    return { value: h.value, exact: h.exact === '1', updatedAt: h.updatedAt ? new Date(Number(h.updatedAt)).toISOString() : undefined, runId: h.runId || undefined };
  }

  /** Sets a cursor by hand (or from OpenCTI's state): the next run starts exactly after it. */
  async setCursor(source: string, collection: string, value: string): Promise<void> {
    const canon = canonicalTimestamp(value);
    if (!canon) throw new Error(`not an RFC 3339 timestamp: ${value}`);
    await this.redis.hset(this.keys(source, collection).cursor, 'value', value, 'canon', canon, 'exact', '1', 'updatedAt', this.now(), 'runId', 'manual');
  }

  async resetCursor(source: string, collection: string): Promise<boolean> {
    return (await this.redis.del(this.keys(source, collection).cursor)) === 1;
  }

  /** Every stored cursor as `source`, `collection`, cursor. */
  async listCursors(): Promise<Array<{ source: string; collection: string; cursor: Cursor }>> {
    const out: Array<{ source: string; collection: string; cursor: Cursor }> = [];
    const base = `${this.prefix}:c:`;
    let scan = '0';
    do {
      const [next, keys] = await this.redis.scan(scan, 'MATCH', cursorPattern(this.prefix), 'COUNT', 500);
      scan = next;
      for (const key of keys) {
        const [source, ...rest] = key.slice(base.length, -':cursor'.length).split(':');
        const collection = rest.join(':');
        const cursor = await this.getCursor(source, collection);
        if (cursor) out.push({ source, collection, cursor });
      }
    } while (scan !== '0');
    return out.sort((a, b) => `${a.source}/${a.collection}`.localeCompare(`${b.source}/${b.collection}`));
  }
}
