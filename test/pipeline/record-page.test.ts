// RunStore.recordPage against real Redis: bundles are set under the attempt's own tag and only the
// attempt the script records counts; nothing another attempt or a superseded run wrote survives.
import { Redis } from 'ioredis';
import { RunStore, bundleField, type PageRecord } from '../../src/pipeline/run-state';
import { RECORD_PAGE } from '../../src/pipeline/run-state-scripts';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../support/redis-prefix';

const SOURCE = 'feed';
const COLLECTION = 'c1';

let redis: Redis;
let prefix: string;
let store: RunStore;

beforeEach(() => {
  redis = new Redis(REDIS_URL);
  prefix = uniquePrefix('record-page');
  store = new RunStore(redis, prefix);
});

afterEach(async () => {
  redis.disconnect();
  await dropPrefix(prefix);
});

async function startRun(runId: string): Promise<void> {
  const r = await store.startRun(SOURCE, COLLECTION, { runId, ticket: `t${runId}`, title: 'Feed', staleMs: 0 });
  expect(r.started).toBe(true);
  expect(await store.recordFetched(SOURCE, COLLECTION, { runId, page: 0, final: true, body: Buffer.from('{"objects":[]}') })).toEqual({ current: true });
}

function page(runId: string, bundles: string[]): PageRecord {
  return { runId, page: 0, deliveries: bundles.length, bundles: bundles.map((b) => Buffer.from(b)), fetched: 2, rejected: 0, filtered: 0, upgraded: 0, duplicates: 0 };
}

const fieldsOfBundles = async (): Promise<string[]> => (await redis.hkeys(store.keys(SOURCE, COLLECTION).bundles)).sort();

describe('recordPage', () => {
  it('stores the bundles under its tag, where the deliveries read them', async () => {
    await startRun('1');
    const r = await store.recordPage(SOURCE, COLLECTION, page('1', ['{"a":1}', '{"b":2}']));
    expect(r).toMatchObject({ current: true, recorded: true, completed: false });
    expect(r.tag).toMatch(/^[0-9a-f]{12}$/);
    expect(await fieldsOfBundles()).toEqual([bundleField(0, 0, r.tag), bundleField(0, 1, r.tag)]);
    expect((await store.getBundle(SOURCE, COLLECTION, 0, 1, r.tag))?.toString()).toBe('{"b":2}');
    expect(await store.hasBundle(SOURCE, COLLECTION, 0, 0, r.tag)).toBe(true);
    expect((await store.getPage(SOURCE, COLLECTION, '1', 0))?.tag).toBe(r.tag);
  });

  it('keeps the first attempt: a second one of the same page changes nothing and leaves nothing behind', async () => {
    await startRun('1');
    const first = await store.recordPage(SOURCE, COLLECTION, page('1', ['{"first":0}', '{"first":1}']));
    const second = await store.recordPage(SOURCE, COLLECTION, page('1', ['{"second":0}', '{"second":1}', '{"second":2}']));
    expect(second).toMatchObject({ current: true, recorded: false, tag: first.tag });
    expect(await fieldsOfBundles()).toEqual([bundleField(0, 0, first.tag), bundleField(0, 1, first.tag)]);
    expect((await store.getBundle(SOURCE, COLLECTION, 0, 0, first.tag))?.toString()).toBe('{"first":0}');
    expect(await store.getRun(SOURCE, COLLECTION)).toMatchObject({ fetched: 2 });
  });

  it('leaves nothing of a run that is not current', async () => {
    await startRun('1');
    await startRun('2'); // staleMs 0: run 1 is superseded
    const r = await store.recordPage(SOURCE, COLLECTION, page('1', ['{"old":0}']));
    expect(r).toMatchObject({ current: false, recorded: false, tag: undefined });
    expect(await fieldsOfBundles()).toEqual([]);
  });

  it('frees the bundles once every delivery finished, and ends the run', async () => {
    await startRun('1');
    const r = await store.recordPage(SOURCE, COLLECTION, page('1', ['{"a":1}', '{"b":2}']));
    await store.finishDelivery(SOURCE, COLLECTION, { runId: '1', deliveryId: '0.0.file', page: 0, delivered: 1, deadLettered: 0 });
    expect(await fieldsOfBundles()).toEqual([bundleField(0, 0, r.tag), bundleField(0, 1, r.tag)]);
    const last = await store.finishDelivery(SOURCE, COLLECTION, { runId: '1', deliveryId: '0.1.file', page: 0, delivered: 1, deadLettered: 0 });
    expect(last.completed).toBe(true);
    expect(await fieldsOfBundles()).toEqual([]);
  });

  it('does not record a page whose bundles are not in Redis', async () => {
    await startRun('1');
    const k = store.keys(SOURCE, COLLECTION);
    const reply = await redis.eval(RECORD_PAGE, 5, k.run, k.cursor, k.lastRun, k.bundles, k.raw, '1', 0, 1, 1, 1, 0, 0, 0, 0, 'no-such-tag');
    expect(reply).toEqual([-3]);
    expect(await store.getPage(SOURCE, COLLECTION, '1', 0)).toMatchObject({ normalized: false });
  });

  it('still frees bundles stored without a tag (recorded before tags), and reads them by page and part', async () => {
    await startRun('1');
    const k = store.keys(SOURCE, COLLECTION);
    await redis.hset(k.bundles, '0.0', '{"untagged":0}');
    await redis.hset(k.run, 'p0.n', 1, 'p0.parts', 1);
    expect((await store.getBundle(SOURCE, COLLECTION, 0, 0))?.toString()).toBe('{"untagged":0}');
    const r = await store.finishDelivery(SOURCE, COLLECTION, { runId: '1', deliveryId: '0.0.file', page: 0, delivered: 1, deadLettered: 0 });
    expect(r.completed).toBe(true);
    expect(await fieldsOfBundles()).toEqual([]);
  });
});
