// toBundles(): delivery order, splitting by count and bytes, oversized objects, deterministic ids.
import { bundleId, toBundles, toBundleBytes, uuidv5, type StixObject } from '../../src/stix';
import { idOf, valid, validObjects } from './fixtures';

const bytesOf = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));
const tools = (n: number, pad = 0): StixObject[] =>
  Array.from({ length: n }, (_, i) => ({ ...valid('tool'), id: idOf('tool', i + 1), description: 'x'.repeat(pad) }));

describe('when objects are bundled', () => {
  it('puts marking definitions and identities first, then SCOs and SDOs, then relationships and sightings', () => {
    const all = Object.values(validObjects()).reverse();
    const [bundle] = toBundles(all, { maxObjects: 1000, maxBytes: 10_000_000, idSeed: 's' });
    const types = bundle.objects.map((o) => o.type);
    expect(types.slice(0, 3)).toEqual(['marking-definition', 'identity', 'extension-definition']);
    expect(types.slice(-2).sort()).toEqual(['relationship', 'sighting']);
    expect(types.indexOf('ipv4-addr')).toBeLessThan(types.indexOf('malware'));
    expect(types.indexOf('malware')).toBeLessThan(types.indexOf('report'));
    expect(types.indexOf('indicator')).toBeLessThan(types.indexOf('grouping'));
  });

  it('keeps the input order within a rank', () => {
    const input = tools(5).reverse();
    expect(toBundles(input, { maxObjects: 10, maxBytes: 1e9, idSeed: 's' })[0].objects).toEqual(input);
  });

  it('splits by maxObjects without losing or repeating any object', () => {
    const input = tools(23);
    const bundles = toBundles(input, { maxObjects: 5, maxBytes: 1e9, idSeed: 's' });
    expect(bundles.map((b) => b.objects.length)).toEqual([5, 5, 5, 5, 3]);
    expect(bundles.flatMap((b) => b.objects)).toEqual(input);
  });

  it('splits by maxBytes, counting the bundle wrapper', () => {
    const input = tools(40, 200);
    const maxBytes = 2000;
    const bundles = toBundles(input, { maxObjects: 1000, maxBytes, idSeed: 's' });
    expect(bundles.length).toBeGreaterThan(1);
    for (const b of bundles) expect(bytesOf(b)).toBeLessThanOrEqual(maxBytes);
    expect(bundles.flatMap((b) => b.objects)).toEqual(input);
    // Each bundle is full: the next object would not have fitted.
    for (let i = 0; i < bundles.length - 1; i++) {
      const next = bundles[i + 1].objects[0];
      expect(bytesOf({ ...bundles[i], objects: [...bundles[i].objects, next] })).toBeGreaterThan(maxBytes);
    }
  });

  it('fills a bundle to exactly maxBytes when the sizes allow it', () => {
    const input = tools(3);
    const exact = bytesOf(toBundles(input, { maxObjects: 10, maxBytes: 1e9, idSeed: 's' })[0]);
    expect(toBundles(input, { maxObjects: 10, maxBytes: exact, idSeed: 's' })).toHaveLength(1);
    expect(toBundles(input, { maxObjects: 10, maxBytes: exact - 1, idSeed: 's' })).toHaveLength(2);
  });

  it('measures multi-byte characters in UTF-8', () => {
    const input = [{ ...valid('tool'), name: 'Ünïcödé ✓ 𝔘' }, { ...valid('tool'), id: idOf('tool', 2), name: 'a"b\\c\u0001\u2028' }];
    const exact = bytesOf(toBundles(input, { maxObjects: 10, maxBytes: 1e9, idSeed: 's' })[0]);
    expect(toBundles(input, { maxObjects: 10, maxBytes: exact, idSeed: 's' })).toHaveLength(1);
    expect(toBundles(input, { maxObjects: 10, maxBytes: exact - 1, idSeed: 's' })).toHaveLength(2);
  });

  it('sends an object larger than maxBytes alone in its own bundle', () => {
    const [small1, big, small2] = [tools(1)[0], { ...tools(2)[1], description: 'y'.repeat(5000) }, { ...tools(3)[2] }];
    const bundles = toBundles([small1, big, small2], { maxObjects: 10, maxBytes: 1000, idSeed: 's' });
    expect(bundles.map((b) => b.objects.map((o) => o.id))).toEqual([[small1.id], [big.id], [small2.id]]);
  });

  it('gives deterministic ids: bundle--uuidv5(idSeed:index)', () => {
    const input = tools(10);
    const a = toBundles(input, { maxObjects: 3, maxBytes: 1e9, idSeed: 'src/coll/run-1/page-4' });
    const b = toBundles(input, { maxObjects: 3, maxBytes: 1e9, idSeed: 'src/coll/run-1/page-4' });
    expect(a.map((x) => x.id)).toEqual(b.map((x) => x.id));
    expect(a[2].id).toBe(`bundle--${uuidv5('src/coll/run-1/page-4:2')}`);
    expect(a[2].id).toBe(bundleId('src/coll/run-1/page-4', 2));
    expect(new Set(a.map((x) => x.id)).size).toBe(a.length);
    expect(toBundles(input, { maxObjects: 3, maxBytes: 1e9, idSeed: 'other' })[0].id).not.toBe(a[0].id);
  });

  it('produces well-formed bundles (STIX 2.1 §8: no spec_version on the bundle)', () => {
    const [b] = toBundles(tools(1), { maxObjects: 3, maxBytes: 1e9, idSeed: 's' });
    expect(Object.keys(b)).toEqual(['type', 'id', 'objects']);
    expect(b.id).toMatch(/^bundle--[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('makes no bundle of nothing', () => {
    expect(toBundles([], { maxObjects: 3, maxBytes: 1e9, idSeed: 's' })).toEqual([]);
  });
});

describe('when bundles are serialized as they are cut (toBundleBytes)', () => {
  const cases: Array<[string, StixObject[], number, number]> = [
    ['by count', tools(23), 5, 1e9],
    ['by bytes', tools(40, 200), 1000, 2000],
    ['by count and bytes', tools(60, 150), 7, 2500],
    ['with multi-byte text', tools(30, 0).map((t, i) => ({ ...t, name: `Ünïcödé ✓ 𝔘 ${i}` })), 1000, 900],
    ['with an object larger than maxBytes', [...tools(3), { ...valid('tool'), id: idOf('tool', 99), description: 'y'.repeat(5000) }, ...tools(2)], 1000, 1200],
    ['of nothing', [], 10, 1e9],
  ];

  it.each(cases)('gives exactly the bundles toBundles cuts, as JSON (%s)', (_what, input, maxObjects, maxBytes) => {
    const limits = { maxObjects, maxBytes, idSeed: 'page-7' };
    const expected = toBundles(input, limits);
    const serialized = toBundleBytes(input, limits);
    expect(serialized.map((b) => b.json.toString('utf8'))).toEqual(expected.map((b) => JSON.stringify(b)));
    expect(serialized.map((b) => ({ id: b.id, objects: b.objects }))).toEqual(expected.map((b) => ({ id: b.id, objects: b.objects.length })));
    for (const b of serialized) {
      if (b.objects > 1) expect(b.json.length).toBeLessThanOrEqual(maxBytes);
      // A buffer of its own, so that it can be transferred between threads.
      expect(b.json.byteOffset).toBe(0);
      expect(b.json.buffer.byteLength).toBe(b.json.length);
    }
  });
});
