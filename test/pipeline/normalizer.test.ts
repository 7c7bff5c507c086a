// The normalizer: pages parsed and normalized in worker threads (or inline), envelope facts first,
// bundles as UTF-8 bytes; unreadable pages and lost threads fail with the codes the pipeline retries on.
import { contentDigest, normalizeObjects, type PageSettings } from '../../src/pipeline/normalize-page';
import { THREAD_YOUNG_GENERATION_MB } from '../../src/pipeline/heap';
import { createNormalizer, type Normalizer } from '../../src/pipeline/normalizer';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { caught } from '../support/taxii-client';
import { generateObjects } from '../support/taxii-server';

const settings: PageSettings = { upgrade20: true, nowMs: Date.parse('2026-01-01T00:00:00Z'), maxObjects: 400, maxBytes: 5 * 1024 * 1024, idSeed: 'feed/c/1/0' };
const objectsOf = (n: number, seed = 1) => generateObjects(n, { seed }).map((s) => s.object);
const envelope = (body: unknown): Buffer => Buffer.from(JSON.stringify(body));
const decoded = (json: Uint8Array): unknown => JSON.parse(Buffer.from(json).toString('utf8'));

describe.each([
  ['in one worker thread', 1, undefined],
  ['in one worker thread with the young generation for large pages', 1, THREAD_YOUNG_GENERATION_MB],
  ['in two worker threads', 2, undefined],
  ['on the event loop', 0, undefined],
])('when pages are normalized %s', (_where, threads, youngGenerationMb) => {
  let normalizer: Normalizer;
  beforeAll(() => {
    normalizer = createNormalizer({ threads, youngGenerationMb });
    normalizer.warm();
  });
  afterAll(() => normalizer.close());

  it('answers with the paging facts, then with the bundles normalizeObjects makes', async () => {
    const objects = objectsOf(1000);
    const work = normalizer.start(envelope({ more: true, next: 'tok-2', objects }), settings);
    expect(await work.envelope).toEqual({ ok: true, facts: { more: true, next: 'tok-2', objects: 1000, digest: contentDigest(objects) } });
    const page = await work.page;
    const expected = normalizeObjects(objects, settings);
    expect(page.bundles.map((b) => decoded(b.json))).toEqual(expected.bundles.map((b) => decoded(b.json)));
    expect(page.bundles.map((b) => [b.id, b.objects])).toEqual(expected.bundles.map((b) => [b.id, b.objects]));
    expect(page).toMatchObject({ fetched: 1000, accepted: 1000, rejected: [], filtered: 0, duplicates: 0 });
    expect(page.bundles.reduce((n, b) => n + b.objects, 0)).toBe(1000);
  });

  it('takes the memory of bundles it is done with back, and writes later bundles whole', async () => {
    const pages = [objectsOf(1200, 2), objectsOf(800, 3), objectsOf(1000, 4)];
    for (const objects of pages) {
      const page = await normalizer.start(envelope({ objects }), settings).page;
      const expected = normalizeObjects(objects, settings);
      expect(page.bundles.map((b) => decoded(b.json))).toEqual(expected.bundles.map((b) => decoded(b.json)));
      for (const b of page.bundles) {
        const json = Buffer.from(b.json.buffer, b.json.byteOffset, b.json.byteLength);
        normalizer.reuse(json);
        // Moved back to the thread that wrote it (nothing is moved from the event loop's own bundles).
        expect(json.length === 0).toBe(threads > 0);
        normalizer.reuse(json); // twice: nothing happens
      }
    }
  });

  it('reads an empty envelope, a byte order mark and an empty `next` as TAXII 2.1 §3.7 allows', async () => {
    const empty = normalizer.start(Buffer.from('{}'), settings);
    expect(await empty.envelope).toMatchObject({ ok: true, facts: { more: false, next: undefined, objects: 0 } });
    expect((await empty.page).bundles).toEqual([]);
    const bom = normalizer.start(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), envelope({ more: false, next: '', objects: objectsOf(3) })]), settings);
    expect(await bom.envelope).toMatchObject({ ok: true, facts: { more: false, next: undefined, objects: 3 } });
    expect((await bom.page).accepted).toBe(3);
  });

  const sizes = [['a small page', ''], ['a large page', 'x'.repeat(2 * 1024 * 1024)]] as const;

  it.each(sizes)('refuses a body that is not JSON (retryable at the fetch: a cut body) and normalizes nothing (%s)', async (_size, pad) => {
    const work = normalizer.start(Buffer.from(`{"pad": "${pad}", "more": true, "objects": [{"type": "indic`), settings);
    expect(await work.envelope).toMatchObject({ ok: false, kind: 'BAD_JSON' });
    expect(await caught(work.page)).toMatchObject({ code: 'PIPELINE_PAGE_UNREADABLE', retryable: false });
  });

  it.each(sizes)('refuses JSON that is not an envelope, naming the member at fault (%s)', async (_size, pad) => {
    const work = normalizer.start(envelope({ pad, more: 'yes', objects: {} }), settings);
    const outcome = await work.envelope;
    expect(outcome).toMatchObject({ ok: false, kind: 'BAD_ENVELOPE' });
    expect(outcome.ok === false && outcome.kind === 'BAD_ENVELOPE' ? outcome.issues.map((i) => i.path).sort() : []).toEqual(['more', 'objects']);
    await expect(work.page).rejects.toMatchObject({ code: 'PIPELINE_PAGE_UNREADABLE' });
  });

  it('normalizes a page of several MB (its objects parsed one by one in a thread) as normalizeObjects does', async () => {
    const objects = objectsOf(5000, 4);
    const body = Buffer.from(JSON.stringify({ more: true, next: 'big', objects }, null, 1));
    expect(body.length).toBeGreaterThan(2 * 1024 * 1024);
    const work = normalizer.start(body, settings);
    expect(await work.envelope).toEqual({ ok: true, facts: { more: true, next: 'big', objects: 5000, digest: contentDigest(objects) } });
    const page = await work.page;
    const expected = normalizeObjects(objects, settings, body);
    expect(page.bundles.map((b) => Buffer.from(b.json).toString('utf8'))).toEqual(expected.bundles.map((b) => Buffer.from(b.json).toString('utf8')));
    expect(page).toMatchObject({ fetched: 5000, accepted: expected.accepted, filtered: 0, duplicates: expected.duplicates });
  });

  it('writes objects normalization left alone as the server sent them', async () => {
    const objects = objectsOf(50);
    const page = await normalizer.start(Buffer.from(JSON.stringify({ objects }, null, 2)), settings).page;
    const text = Buffer.concat(page.bundles.map((b) => b.json)).toString('utf8');
    expect(text).toContain(`"id": "${objects[10].id}"`);
    expect(page.bundles.map((b) => decoded(b.json))).toEqual(normalizeObjects(objects, settings).bundles.map((b) => decoded(b.json)));
  });

  it('keeps text that is not ASCII as it came', async () => {
    const objects = objectsOf(3).map((o, i) => (o.type === 'identity' ? o : { ...o, name: `Ünïcödé ✓ 𝔘 ${i}` }));
    const page = await normalizer.start(envelope({ objects }), settings).page;
    const names = page.bundles.flatMap((b) => (decoded(b.json) as { objects: Array<{ id: string; name?: string }> }).objects).filter((o) => o.name?.startsWith('Ü'));
    expect(names.map((o) => o.name).sort()).toEqual(objects.filter((o) => o.type !== 'identity').map((o) => o.name).sort());
  });

  it('keeps each page to itself when several are under way', async () => {
    const pages = [objectsOf(300, 1), objectsOf(500, 2), objectsOf(200, 3)];
    const works = pages.map((objects, i) => normalizer.start(envelope({ more: i < 2, next: `t${i}`, objects }), { ...settings, idSeed: `p${i}` }));
    const done = await Promise.all(works.map((w) => w.page));
    for (const [i, page] of done.entries()) {
      const ids = page.bundles.flatMap((b) => (decoded(b.json) as { objects: Array<{ id: string }> }).objects.map((o) => o.id));
      expect(ids.sort()).toEqual(pages[i]!.map((o) => o.id as string).sort());
    }
  });
});

describe('when a page arrives while a thread normalizes a large one', () => {
  it('reads the new page’s envelope before the large page is finished', async () => {
    const normalizer = createNormalizer({ threads: 1 });
    try {
      const large = normalizer.start(envelope({ more: true, next: 'a', objects: objectsOf(20_000) }), settings);
      await large.envelope;
      const small = normalizer.start(envelope({ more: true, next: 'b', objects: objectsOf(10) }), settings);
      const order: string[] = [];
      await Promise.all([small.envelope.then(() => order.push('small envelope')), large.page.then(() => order.push('large page'))]);
      expect(order).toEqual(['small envelope', 'large page']);
    } finally {
      await normalizer.close();
    }
  });
});

describe('when a thread dies on a page', () => {
  it('fails that page with a retryable PIPELINE_NORMALIZER_LOST and gives the next page to a new thread', async () => {
    const marker = join(tmpdir(), `normalizer-dies-once-${process.pid}`);
    rmSync(marker, { force: true });
    const normalizer = createNormalizer({ threads: 1, threadScript: resolve(__dirname, '../support/dies-once-thread.js') });
    try {
      const first = normalizer.start(envelope({ objects: objectsOf(20) }), settings);
      const err = await caught(first.page);
      expect(err).toMatchObject({ code: 'PIPELINE_NORMALIZER_LOST', retryable: true });
      expect(err.message).toContain('exit code 3');
      expect(existsSync(marker)).toBe(true);
      const next = normalizer.start(envelope({ objects: objectsOf(50) }), settings);
      expect((await next.page).accepted).toBe(50);
    } finally {
      await normalizer.close();
      rmSync(marker, { force: true });
    }
  });
});

describe('when the normalizer is closed', () => {
  it('fails pages under way and later ones as retryable, so that their jobs are taken up again', async () => {
    const normalizer = createNormalizer({ threads: 1 });
    const under = normalizer.start(envelope({ objects: objectsOf(5000) }), settings);
    await normalizer.close();
    expect(await caught(under.page)).toMatchObject({ code: 'PIPELINE_SHUTTING_DOWN', retryable: true });
    expect(await caught(normalizer.start(envelope({ objects: [] }), settings).envelope)).toMatchObject({ code: 'PIPELINE_SHUTTING_DOWN', retryable: true });
  });
});

describe('the content digest of a page (the identical-page loop guard)', () => {
  const page = objectsOf(300, 7) as Array<{ id: string; modified?: string }>;

  it('is the same for the same ids and versions, whatever else the objects hold', () => {
    const again = page.map((o) => ({ ...o, description: 'changed elsewhere' }));
    expect(contentDigest(again)).toBe(contentDigest(page));
    expect(contentDigest(page)).toMatch(/^[0-9a-f]{16}$/);
  });

  it.each([
    ['one version moved on', (p: typeof page) => p.map((o, i) => (i === 150 ? { ...o, modified: '2030-01-01T00:00:00.000Z' } : o))],
    ['one object fewer', (p: typeof page) => p.slice(1)],
    ['the same objects in another order', (p: typeof page) => [...p].reverse()],
    ['the boundary between id and version moved', (p: typeof page) => p.map((o, i) => (i === 0 ? { ...o, id: `${o.id}|`, modified: (o.modified ?? '').slice(1) } : o))],
  ])('differs when %s', (_what, change) => {
    expect(contentDigest(change(page))).not.toBe(contentDigest(page));
  });

  it('tells apart the pages of a large collection', () => {
    const all = objectsOf(20_000, 3);
    const digests = new Set(Array.from({ length: 200 }, (_, i) => contentDigest(all.slice(i * 100, i * 100 + 100))));
    expect(digests.size).toBe(200);
  });
});
