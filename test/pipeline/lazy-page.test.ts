// A large page read lazily (its objects parsed one by one, and kept only when they changed) must
// give exactly what the page read whole gives: the same paging facts and digest, the same counts
// and rejections, and the same bundles, byte for byte where both write the server's bytes.
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { normalizeLazily, normalizeObjects, readPage, readPageLazily, type NormalizedPage, type PageSettings } from '../../src/pipeline/normalize-page';
import { ATTACK_FILES, DATA_DIR, idOf, T1, T2 } from '../stix/fixtures';
import { generateObjects } from '../support/taxii-server';

const settings: PageSettings = { upgrade20: true, nowMs: Date.parse('2026-01-01T00:00:00Z'), maxObjects: 400, maxBytes: 5 * 1024 * 1024, idSeed: 'feed/c/1/0' };
const objectsOf = (n: number, seed = 1) => generateObjects(n, { seed }).map((s) => s.object);
const now = (): Promise<void> => Promise.resolve();
const texts = (p: NormalizedPage) => p.bundles.map((b) => Buffer.from(b.json).toString('utf8'));
const decoded = (p: NormalizedPage) => texts(p).map((t) => JSON.parse(t) as unknown);

/** The page read both ways; the lazy read must be possible. */
async function bothWays(body: Buffer, s: PageSettings = settings) {
  const whole = readPage(body);
  const lazy = readPageLazily(body);
  if (lazy === undefined) throw new Error('not read lazily');
  expect(lazy.outcome).toEqual(whole.outcome);
  return { whole: normalizeObjects(whole.objects, s, body), lazy: await normalizeLazily(lazy.page, s, now) };
}

function expectSame(a: NormalizedPage, b: NormalizedPage, bytes: boolean): void {
  const { bundles: ab, ...aCounts } = a;
  const { bundles: bb, ...bCounts } = b;
  expect(bCounts).toEqual(aCounts);
  expect(bb.map((x) => [x.id, x.objects])).toEqual(ab.map((x) => [x.id, x.objects]));
  if (bytes) expect(texts(b)).toEqual(texts(a));
  else expect(decoded(b)).toEqual(decoded(a));
}

describe('when a page is read lazily', () => {
  it('gives the facts and bundles of the page read whole: compact, indented, with a byte order mark', async () => {
    const objects = objectsOf(1200);
    for (const body of [
      Buffer.from(JSON.stringify({ more: true, next: 'tok', objects })),
      Buffer.from(JSON.stringify({ objects, more: false }, null, 2)),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ more: false, objects: objects.slice(0, 10) }))]),
    ]) {
      const { whole, lazy } = await bothWays(body);
      expect(lazy.accepted).toBeGreaterThan(0);
      expectSame(whole, lazy, true);
    }
  });

  it('counts and rejects alike: invalid objects, STIX 2.0 upgrades, versions of one id, a name given twice', async () => {
    const objects: unknown[] = objectsOf(300);
    const v20 = { type: 'malware', id: idOf('malware', 77), created: T1, modified: T2, name: 'Emotet', labels: ['trojan'] };
    const ind = objects.find((o) => (o as { type: string }).type === 'indicator') as Record<string, unknown>;
    const newer = { ...ind, modified: '2030-01-01T00:00:00.000Z', x_version: 2 };
    objects.push(v20, newer, { type: 'indicator', id: 'indicator--nope' }, { ...ind, id: idOf('indicator', 5), pattern: '[broken' });
    const twice = JSON.stringify({ ...ind, id: idOf('indicator', 9) }).replace(/}$/, ',"x_note":"first","x_note":"second"}');
    const text = `{"objects":[${[...objects.map((o) => JSON.stringify(o)), twice].join(',')}]}`;
    const { whole, lazy } = await bothWays(Buffer.from(text));
    expect(lazy.upgraded).toBe(1);
    expect(lazy.duplicates).toBe(1);
    expect(lazy.rejected.map((r) => r.reason).sort()).toEqual(whole.rejected.map((r) => r.reason).sort());
    expect(lazy.rejected.length).toBeGreaterThanOrEqual(2);
    expect(texts(lazy).join('')).toContain('"x_note":"second"');
    expect(texts(lazy).join('')).not.toContain('"x_note":"first"');
    expectSame(whole, lazy, true);
  });

  it('filters after keeping the newest version of each id, as the page read whole does', async () => {
    const objects = objectsOf(200);
    const ind = objects.find((o) => o.type === 'indicator')!;
    const revokedNewer = { ...ind, modified: '2030-01-01T00:00:00.000Z', revoked: true };
    const body = Buffer.from(JSON.stringify({ objects: [...objects, revokedNewer] }));
    const s: PageSettings = { ...settings, filter: { include_types: [], exclude_types: ['relationship'], drop_revoked: true, drop_expired_indicators: false } as PageSettings['filter'] };
    const { whole, lazy } = await bothWays(body, s);
    expect(lazy.filtered).toBeGreaterThan(1);
    expect(lazy.duplicates).toBe(1);
    expect(texts(lazy).join('')).not.toContain(`"id":"${ind.id}"`);
    expectSame(whole, lazy, true);
  });

  it('gives the bundles of the page read whole with enrichment on, and for bytes that are not UTF-8', async () => {
    const objects = objectsOf(100);
    const enrich = { override_author: false, markings: ['amber'], labels: ['feed'], opencti: {} } as PageSettings['enrich'];
    const enriched = await bothWays(Buffer.from(JSON.stringify({ objects })), { ...settings, enrich });
    expect(enriched.lazy.accepted).toBeGreaterThan(objects.length);
    expectSame(enriched.whole, enriched.lazy, false);
    const body = Buffer.from(JSON.stringify({ objects: objects.map((o) => (o.type === 'identity' ? o : { ...o, description: 'bad: @' })) }, null, 1));
    body[body.indexOf('bad: @') + 5] = 0xff;
    const notUtf8 = await bothWays(body);
    expect(texts(notUtf8.lazy).join('')).toContain('bad: \uFFFD');
    expectSame(notUtf8.whole, notUtf8.lazy, true);
  });

  it.each(ATTACK_FILES)('gives the bundles of the page read whole for real ATT&CK data (%s)', async (file) => {
    const { whole, lazy } = await bothWays(gunzipSync(readFileSync(path.join(DATA_DIR, file))), { ...settings, maxObjects: 5000 });
    expect(lazy.accepted).toBeGreaterThan(1000);
    expectSame(whole, lazy, true);
  });

  it('rejects an object that is not JSON, alone, and delivers the rest of the page', async () => {
    const objects = objectsOf(50);
    const good = objects.map((o) => JSON.stringify(o));
    const text = `{"more": false, "objects": [${good.slice(0, 20).join(',')}, {"type": "note", "x": tru, "y": "a\tb"}, ${good.slice(20).join(',')}]}`;
    expect(() => JSON.parse(text)).toThrow();
    const lazy = readPageLazily(Buffer.from(text));
    expect(lazy?.outcome).toMatchObject({ ok: true, facts: { more: false, objects: 51 } });
    const page = await normalizeLazily(lazy!.page, settings, now);
    expect(page.rejected).toMatchObject([{ reason: 'NOT_JSON', message: expect.stringMatching(/^the object is not JSON: /), raw: '{"type": "note", "x": tru, "y": "a\tb"}' }]);
    expect(page.fetched).toBe(51);
    const expected = normalizeObjects(objects, settings);
    expect(page.accepted).toBe(expected.accepted);
    expect(decoded(page)).toEqual(decoded(expected));
  });

  it('takes the digest of the page read whole, from the bytes: ids and timestamps in ASCII without escapes', () => {
    const objects: unknown[] = objectsOf(300, 9);
    objects.push({ type: 'note', content: 'no id, no modified' }, { type: 'note', id: 'note--1', modified: '2020-01-01T00:00:00Z', extra: { id: 'inner', modified: 'inner' } });
    for (const body of [Buffer.from(JSON.stringify({ objects })), Buffer.from(JSON.stringify({ objects }, null, 3))]) {
      expect(readPageLazily(body)?.outcome).toEqual(readPage(body).outcome);
    }
    const twice = Buffer.from('{"objects": [{"type": "note", "id": "note--a", "id": "note--b", "modified": "m"}]}');
    expect(readPageLazily(twice)?.outcome).toEqual(readPage(twice).outcome);
    const other = readPageLazily(Buffer.from('{"objects": [{"type": "note", "id": "note--a", "modified": "m"}]}'));
    expect(other?.outcome).not.toEqual(readPageLazily(twice)?.outcome);
    // An id that is not a string: another digest than the page read whole, the same one each time.
    const odd = Buffer.from('{"objects": [{"type": "note", "id": 42, "modified": {"at": "x"}}]}');
    expect(readPageLazily(odd)?.outcome).toEqual(readPageLazily(Buffer.from(odd))?.outcome);
  });

  it.each([
    ['a cut body', '{"more": true, "objects": [{"type": "note"}, {"type": "no'],
    ['an element that is not an object', '{"objects": [{"type": "note"}, 42]}'],
    ['a member of the envelope that is wrong', '{"more": "yes", "objects": [{"type": "note"}]}'],
    ['members that are not JSON around the objects', '{"more": tru, "objects": [{"type": "note"}]}'],
    ['no objects', '{"more": false}'],
  ])('leaves %s to the page read whole', (_what, text) => {
    expect(readPageLazily(Buffer.from(text))).toBeUndefined();
  });
});
