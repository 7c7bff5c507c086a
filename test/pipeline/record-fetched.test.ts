// RunStore.recordFetched against real Redis: the loop guards run in the same script that records a
// received page, and a page that trips one fails the run there, before anything sent after it in
// the same round trip (the next page's job) can find the run still going.
import { Redis } from 'ioredis';
import { RunStore, type FetchRecord, type LoopGuardFacts } from '../../src/pipeline/run-state';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../support/redis-prefix';

const SOURCE = 'feed';
const COLLECTION = 'c1';
const RUN = '1';

let redis: Redis;
let prefix: string;
let store: RunStore;

beforeEach(async () => {
  redis = new Redis(REDIS_URL);
  prefix = uniquePrefix('record-fetched');
  store = new RunStore(redis, prefix);
  expect((await store.startRun(SOURCE, COLLECTION, { runId: RUN, ticket: 't1', title: 'Feed', staleMs: 0 })).started).toBe(true);
});

afterEach(async () => {
  redis.disconnect();
  await dropPrefix(prefix);
});

const ERRORS = { repeatedError: 'TAXII_LOOP_REPEATED_NEXT: repeated', identicalError: 'TAXII_LOOP_IDENTICAL_PAGE: identical' };

/** Page `page` received with `digest`, carrying token `next`, asked for with token `sent`. */
function received(page: number, digest: string, next: string | undefined, sent: string | undefined, objects = 10): FetchRecord {
  const guard: LoopGuardFacts = { digest, objects, sent, ...ERRORS };
  return { runId: RUN, page, final: next === undefined, next, body: Buffer.from(`{"page":${page}}`), guard };
}

const rawFields = async (): Promise<string[]> => (await redis.hkeys(store.keys(SOURCE, COLLECTION).raw)).sort();

describe('recordFetched: loop guards', () => {
  it('records pages whose tokens and contents move on', async () => {
    expect(await store.recordFetched(SOURCE, COLLECTION, received(0, 'd0', 'A', undefined))).toEqual({ current: true });
    expect(await store.recordFetched(SOURCE, COLLECTION, received(1, 'd1', 'B', 'A'))).toEqual({ current: true });
    expect(await store.recordFetched(SOURCE, COLLECTION, received(2, 'd2', undefined, 'B'))).toEqual({ current: true });
    const run = await store.getRun(SOURCE, COLLECTION);
    expect(run).toMatchObject({ status: 'running', pages: 3 });
    expect(await rawFields()).toEqual(['1.0', '1.1', '1.2']);
  });

  it('fails the run on a token received before, removes the page and archives the run with the error', async () => {
    await store.recordFetched(SOURCE, COLLECTION, received(0, 'd0', 'A', undefined));
    await store.recordFetched(SOURCE, COLLECTION, received(1, 'd1', 'B', 'A'));
    expect(await store.recordFetched(SOURCE, COLLECTION, received(2, 'd2', 'A', 'B'))).toEqual({ current: false, loop: 'repeated' });
    expect(await store.getRun(SOURCE, COLLECTION)).toMatchObject({ status: 'failed', error: ERRORS.repeatedError, pages: 2 });
    expect(await store.getLastRun(SOURCE, COLLECTION)).toMatchObject({ id: RUN, status: 'failed', error: ERRORS.repeatedError });
    expect(await rawFields()).toEqual(['1.0', '1.1']);
    expect(await store.getPage(SOURCE, COLLECTION, RUN, 2)).toBeUndefined();
    // Nothing more is recorded for the run: it is over.
    expect(await store.recordFetched(SOURCE, COLLECTION, received(3, 'd3', 'C', 'A'))).toEqual({ current: false });
  });

  it('takes the token just sent again when the page moved on (a server-side cursor), not when the page is the same', async () => {
    await store.recordFetched(SOURCE, COLLECTION, received(0, 'd0', 'K', undefined));
    expect(await store.recordFetched(SOURCE, COLLECTION, received(1, 'd1', 'K', 'K'))).toEqual({ current: true });
    expect(await store.recordFetched(SOURCE, COLLECTION, received(2, 'd1', 'K', 'K'))).toEqual({ current: false, loop: 'repeated' });
    expect(await store.getRun(SOURCE, COLLECTION)).toMatchObject({ status: 'failed', error: ERRORS.repeatedError });
  });

  it('fails the run on a page identical to the page before when the request carried a token', async () => {
    await store.recordFetched(SOURCE, COLLECTION, received(0, 'd0', 'A', undefined));
    expect(await store.recordFetched(SOURCE, COLLECTION, received(1, 'd0', 'B', 'A'))).toEqual({ current: false, loop: 'identical' });
    expect(await store.getRun(SOURCE, COLLECTION)).toMatchObject({ status: 'failed', error: ERRORS.identicalError });
  });

  it('lets a fresh query overlap the page before, and empty pages repeat', async () => {
    await store.recordFetched(SOURCE, COLLECTION, received(0, 'd0', undefined, undefined, 10));
    // §3.4 continuation: no token sent, the same content is an overlap, not a loop.
    expect(await store.recordFetched(SOURCE, COLLECTION, { ...received(1, 'd0', 'A', undefined), final: false })).toEqual({ current: true });
    // Two empty pages have the same digest; an empty page is no loop by content.
    await store.recordFetched(SOURCE, COLLECTION, received(2, 'empty', 'B', 'A', 0));
    expect(await store.recordFetched(SOURCE, COLLECTION, received(3, 'empty', 'C', 'B', 0))).toEqual({ current: true });
  });

  it('applies no guard to a page recorded without its facts', async () => {
    await store.recordFetched(SOURCE, COLLECTION, received(0, 'd0', 'A', undefined));
    const plain: FetchRecord = { runId: RUN, page: 1, final: false, next: 'A', body: Buffer.from('{}') };
    expect(await store.recordFetched(SOURCE, COLLECTION, plain)).toEqual({ current: true });
  });
});
