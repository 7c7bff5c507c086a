// Paging objects (TAXII 2.1 §3.4, §5.4): filters kept on every `next`, date headers reported, both
// kinds of `next`, perishable cursors, exclusive added_after, and loops ended by typed errors.
import { compareTimestamps, LoopGuard } from '../../src/taxii';
import { caught, drain, taxiiFixture } from '../support/taxii-client';
import { generateObjects, type TaxiiSeed } from '../support/taxii-server';

const ids = (objects: unknown[]) => objects.map((o) => (o as { id: string }).id);
const seedIds = (seeds: TaxiiSeed[]) => seeds.map((s) => s.object.id as string);

describe('paging objects', () => {
  const fx = taxiiFixture();

  describe.each(['stateless', 'cursor'] as const)('with %s next tokens', (nextMode) => {
    it('delivers every object once, in date_added order, across many pages', async () => {
      const seeds = generateObjects(1234, { sameDateGroups: 3 });
      const srv = await fx.server({ objects: seeds, nextMode });
      const { items, error } = await drain(fx.client(srv).objectPages(srv.defaultCollectionId, { limit: 100 }));
      expect(error).toBeUndefined();
      expect(items).toHaveLength(13);
      expect(ids(items.flatMap((p) => p.objects))).toEqual(seedIds(seeds));
      expect(items.map((p) => p.more)).toEqual([...Array(12).fill(true), false]);
      expect(items[12]!.next).toBeUndefined();
    });

    it('repeats added_after, limit and match[...] on every next request', async () => {
      const seeds = generateObjects(600);
      const srv = await fx.server({ objects: seeds, nextMode });
      const query = { addedAfter: seeds[10]!.date_added, limit: 50, match: { type: ['indicator', 'malware'], spec_version: '2.1' } };
      const { items, error } = await drain(fx.client(srv).objectPages(srv.defaultCollectionId, query));
      expect(error).toBeUndefined();
      const expected = seeds.slice(11).filter((s) => s.object.type === 'indicator' || s.object.type === 'malware');
      expect(ids(items.flatMap((p) => p.objects))).toEqual(seedIds(expected));
      const sent = srv.requestsTo('objects');
      expect(sent.length).toBeGreaterThan(5);
      for (const r of sent) {
        expect(r.query).toMatchObject({ added_after: seeds[10]!.date_added, limit: '50', 'match[type]': 'indicator,malware', 'match[spec_version]': '2.1' });
      }
      expect(sent.slice(1).every((r) => typeof r.query.next === 'string')).toBe(true);
      expect(sent[0]!.query.next).toBeUndefined();
    });

    it('reports X-TAXII-Date-Added-First/Last and the body size of each page', async () => {
      const seeds = generateObjects(30);
      const srv = await fx.server({ objects: seeds, nextMode });
      const page = await fx.client(srv).getObjectsPage(srv.defaultCollectionId, { limit: 10 });
      expect(page.dateAddedFirst).toBe(seeds[0]!.date_added);
      expect(page.dateAddedLast).toBe(seeds[9]!.date_added);
      expect(page.bytes).toBe(Buffer.byteLength(JSON.stringify({ more: true, next: page.next, objects: page.objects })));
      expect(page.request.query).toEqual({ limit: 10 });
      expect(page.request.url).toBe(`${srv.collectionUrl()}objects/?limit=10`);
    });
  });

  describe('getObjectsPage (one page per call)', () => {
    it('makes exactly one request and hands back next for the caller to use', async () => {
      const seeds = generateObjects(25);
      const srv = await fx.server({ objects: seeds });
      const client = fx.client(srv, { apiRootUrl: srv.apiRootUrl });
      const first = await client.getObjectsPage(srv.defaultCollectionId, { limit: 10 });
      const second = await client.getObjectsPage(srv.defaultCollectionId, { limit: 10, next: first.next });
      expect(srv.requestsTo('objects')).toHaveLength(2);
      expect(ids(second.objects)).toEqual(seedIds(seeds.slice(10, 20)));
      expect(second.request.query.next).toBe(first.next);
    });

    it('clamps limit into the page bounds', async () => {
      const srv = await fx.server({ objects: generateObjects(5) });
      await fx.client(srv, { pageBounds: { min: 1000, max: 10000 } }).getObjectsPage(srv.defaultCollectionId, { limit: 50 });
      expect(srv.requestsTo('objects')[0]!.query.limit).toBe('1000');
    });

    it('reads an empty `{}` answer as an empty, final page', async () => {
      const srv = await fx.server();
      const page = await fx.client(srv).getObjectsPage(srv.defaultCollectionId);
      expect(page).toMatchObject({ objects: [], more: false, next: undefined, dateAddedFirst: undefined, bytes: 2 });
    });
  });

  describe('added_after', () => {
    it('is exclusive: objects sharing the boundary date_added are not sent again', async () => {
      const seeds = generateObjects(12, { sameDateGroups: 4 });
      const srv = await fx.server({ objects: seeds });
      const page = await fx.client(srv).getObjectsPage(srv.defaultCollectionId, { addedAfter: seeds[5]!.date_added });
      expect(ids(page.objects)).toEqual(seedIds(seeds.slice(8)));
    });

    it('works at microsecond precision, where Date would truncate', async () => {
      const base = generateObjects(3);
      const stamps = ['2024-06-01T12:00:00.000001Z', '2024-06-01T12:00:00.000002Z', '2024-06-01T12:00:00.000003Z'];
      const seeds = base.map((s, i) => ({ ...s, date_added: stamps[i]! }));
      const srv = await fx.server({ objects: [...seeds].reverse() });
      const all = await fx.client(srv).getObjectsPage(srv.defaultCollectionId);
      expect(ids(all.objects)).toEqual(seedIds(seeds));
      expect(compareTimestamps(all.dateAddedFirst!, all.dateAddedLast!)).toBeLessThan(0);
      const after = await fx.client(srv).getObjectsPage(srv.defaultCollectionId, { addedAfter: stamps[0] });
      expect(ids(after.objects)).toEqual(seedIds(seeds.slice(1)));
      expect(after.dateAddedFirst).toBe('2024-06-01T12:00:00.000002Z');
    });

    it('refuses a value that is not a timestamp before sending anything', async () => {
      const srv = await fx.server();
      expect(await caught(fx.client(srv).getObjectsPage(srv.defaultCollectionId, { addedAfter: 'last tuesday' }))).toMatchObject({ code: 'TAXII_BAD_QUERY' });
      expect(srv.requestsTo('objects')).toHaveLength(0);
    });
  });

  describe('with a server-side cursor', () => {
    it('returns the same token on every page, and the client accepts it while pages move', async () => {
      const srv = await fx.server({ objects: generateObjects(50), nextMode: 'cursor' });
      const { items, error } = await drain(fx.client(srv).objectPages(srv.defaultCollectionId, { limit: 10 }));
      expect(error).toBeUndefined();
      expect(new Set(items.map((p) => p.next).filter(Boolean)).size).toBe(1);
      expect(srv.cursorCount()).toBe(0);
    });

    it('gives the following page when a token is sent again (it advanced)', async () => {
      const seeds = generateObjects(30);
      const srv = await fx.server({ objects: seeds, nextMode: 'cursor' });
      const client = fx.client(srv);
      const first = await client.getObjectsPage(srv.defaultCollectionId, { limit: 10 });
      await client.getObjectsPage(srv.defaultCollectionId, { limit: 10, next: first.next });
      const again = await client.getObjectsPage(srv.defaultCollectionId, { limit: 10, next: first.next });
      expect(ids(again.objects)).toEqual(seedIds(seeds.slice(20, 30)));
    });

    it.each([400, 404] as const)('reports an expired token (HTTP %i) as TAXII_NEXT_REJECTED', async (status) => {
      const srv = await fx.server({ objects: generateObjects(30), nextMode: 'cursor', cursorTtlMs: 50, expiredNextStatus: status });
      const client = fx.client(srv);
      const first = await client.getObjectsPage(srv.defaultCollectionId, { limit: 10 });
      await new Promise((r) => setTimeout(r, 120));
      const err = await caught(client.getObjectsPage(srv.defaultCollectionId, { limit: 10, next: first.next }));
      expect(err).toMatchObject({ code: 'TAXII_NEXT_REJECTED', retryable: false, status });
      expect(err.message).toContain("'next' not valid");
      expect(err.message).toContain('resume from added_after');
    });

    it('reports a token sent with other filters as TAXII_NEXT_REJECTED', async () => {
      const srv = await fx.server({ objects: generateObjects(30), nextMode: 'cursor' });
      const client = fx.client(srv);
      const first = await client.getObjectsPage(srv.defaultCollectionId, { limit: 10 });
      const err = await caught(client.getObjectsPage(srv.defaultCollectionId, { limit: 10, match: { type: 'indicator' }, next: first.next }));
      expect(err).toMatchObject({ code: 'TAXII_NEXT_REJECTED', status: 400 });
    });
  });

  describe('when the server loops', () => {
    it.each(['stateless', 'cursor'] as const)('ends "more without next" with TAXII_LOOP_MORE_WITHOUT_NEXT after yielding the page (%s)', async (nextMode) => {
      const srv = await fx.server({ objects: generateObjects(30), nextMode });
      srv.setFault({ kind: 'more-without-next' });
      const { items, error } = await drain(fx.client(srv).objectPages(srv.defaultCollectionId, { limit: 10 }));
      expect(items).toHaveLength(1);
      expect(error).toMatchObject({ code: 'TAXII_LOOP_MORE_WITHOUT_NEXT', retryable: false });
      expect(error!.message).toContain('source "test"');
    });

    it('can follow §3.4 instead: added_after = X-TAXII-Date-Added-Last, until that stops moving', async () => {
      const seeds = generateObjects(30);
      const srv = await fx.server({ objects: seeds });
      srv.setFault({ kind: 'more-without-next' });
      const { items, error } = await drain(fx.client(srv).objectPages(srv.defaultCollectionId, { limit: 10 }, { onMoreWithoutNext: 'added-after' }));
      expect(ids(items.flatMap((p) => p.objects))).toEqual(seedIds(seeds));
      expect(error).toMatchObject({ code: 'TAXII_LOOP_MORE_WITHOUT_NEXT' });
      expect(srv.requestsTo('objects').map((r) => r.query.added_after)).toEqual([undefined, seeds[9]!.date_added, seeds[19]!.date_added, seeds[29]!.date_added]);
    });

    it.each(['stateless', 'cursor'] as const)('ends a repeated next with TAXII_LOOP_REPEATED_NEXT (%s)', async (nextMode) => {
      const srv = await fx.server({ objects: generateObjects(100), nextMode });
      srv.setFault({ kind: 'repeat-next' });
      const { items, error } = await drain(fx.client(srv).objectPages(srv.defaultCollectionId, { limit: 10 }));
      expect(error).toMatchObject({ code: 'TAXII_LOOP_REPEATED_NEXT', retryable: false });
      expect(items.length).toBeLessThanOrEqual(2);
      expect(srv.requestsTo('objects').length).toBeLessThanOrEqual(3);
    });

    it.each(['stateless', 'cursor'] as const)('ends an identical page with TAXII_LOOP_IDENTICAL_PAGE (%s)', async (nextMode) => {
      const srv = await fx.server({ objects: generateObjects(100), nextMode });
      srv.setFault({ kind: 'repeat-page' });
      const { items, error } = await drain(fx.client(srv).objectPages(srv.defaultCollectionId, { limit: 10 }));
      expect(error).toMatchObject({ code: 'TAXII_LOOP_IDENTICAL_PAGE', retryable: false });
      expect(items).toHaveLength(1);
    });
  });
});

describe('LoopGuard', () => {
  const page = (next: string | undefined, more = true) => ({ next, more });

  it('catches a cycle of tokens (A, B, A)', () => {
    const guard = new LoopGuard('feed');
    guard.check([1], page('A'));
    guard.check([2], page('B'), 'A');
    expect(() => guard.check([3], page('A'), 'B')).toThrow(expect.objectContaining({ code: 'TAXII_LOOP_REPEATED_NEXT' }));
  });

  it('gives up after too many empty pages that say more', () => {
    const guard = new LoopGuard('feed', { maxEmptyPages: 2 });
    guard.check([], page('A'));
    guard.check([], page('B'), 'A');
    expect(() => guard.check([], page('C'), 'B')).toThrow(expect.objectContaining({ code: 'TAXII_LOOP_EMPTY_PAGES' }));
  });

  it('carries its state across jobs as plain data', () => {
    const first = new LoopGuard('feed');
    first.check([{ id: 'x' }], page('A'));
    const state = JSON.parse(JSON.stringify(first.state()));
    const second = new LoopGuard('feed', {}, state);
    expect(() => second.check([{ id: 'x' }], page('B'), 'A')).toThrow(expect.objectContaining({ code: 'TAXII_LOOP_IDENTICAL_PAGE' }));
  });
});
