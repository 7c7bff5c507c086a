// Seeded fuzzing of normalize(): it never throws and every input is classified exactly once.
import { normalize, toBundles, type StixObject } from '../../src/stix';
import { NOW, validObjects } from './fixtures';
import { prng } from '../support/prng';


const random = prng(20250601);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
const GARBAGE: unknown[] = [
  null, 0, -1, 1e308, Number.NaN, '', 'x'.repeat(300), '2024-13-45T99:99:99Z', 'tool--nope', true, false, [], [null], {}, { a: { b: [1] } },
  ['marking-definition--not-a-uuid'], '[file:name = ', '\u0000\ud800', -0, 3.5, ['a', 1], { source_name: 1 },
];
const NON_OBJECTS: unknown[] = [null, undefined, 0, 'indicator', [], [{}], true, Symbol('s'), () => 1, 10n];
const BASES = Object.values(validObjects());

function mutate(base: StixObject): unknown {
  const o: Record<string, unknown> = structuredClone(base);
  const keys = Object.keys(o);
  const steps = 1 + Math.floor(random() * 3);
  for (let s = 0; s < steps; s++) {
    switch (Math.floor(random() * 8)) {
      case 0: delete o[pick(keys)]; break;
      case 1: o[pick(keys)] = pick(GARBAGE); break;
      case 2: o[`x_${Math.floor(random() * 1000)}`] = pick(GARBAGE); break;
      case 3: o.id = pick([`${String(o.type)}--${crypto.randomUUID()}`, 'indicator--6ba7b810-9dad-41d1-80b4-00c04fd430c8', 'bad', 12, o.id]); break;
      case 4: o.type = pick(['indicator', 'x-custom', 'Bad Type', 'bundle', 7, undefined, o.type]); break;
      case 5: delete o.spec_version; break;
      case 6: if (typeof o.pattern === 'string') o.pattern = o.pattern.slice(0, Math.floor(random() * o.pattern.length)); break;
      default: return pick(NON_OBJECTS);
    }
  }
  return o;
}

describe('when the input is hostile (fuzzing)', () => {
  const inputs = Array.from({ length: 10_000 }, () => (random() < 0.15 ? structuredClone(pick(BASES)) : mutate(pick(BASES))));

  it.each([true, false])('never throws and classifies every input (upgrade20 = %s)', (upgrade20) => {
    const result = normalize(inputs, { upgrade20, now: NOW });
    expect(result.objects.length + result.rejected.length + result.filtered + result.duplicates).toBe(inputs.length);
    expect(result.rejected.length).toBeGreaterThan(1000);
    expect(result.objects.length).toBeGreaterThan(100);
    for (const r of result.rejected) {
      expect(typeof r.reason).toBe('string');
      expect(typeof r.message).toBe('string');
    }
    expect(() => toBundles(result.objects, { maxObjects: 500, maxBytes: 100_000, idSeed: 'fuzz' })).not.toThrow();
  });

  it('never throws with filters and enrichment either', () => {
    const result = normalize(inputs, {
      upgrade20: true, now: NOW,
      enrich: { author: { name: 'A', identity_class: 'organization' }, override_author: true, markings: ['red'], labels: ['l'], confidence: 5, opencti: { score: 1 } },
      filter: { include_types: [], exclude_types: ['tool'], drop_revoked: true, drop_expired_indicators: true },
    });
    const added = result.objects.filter((o) => o.id === 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1' || o.name === 'A').length;
    expect(result.objects.length - added + result.rejected.length + result.filtered + result.duplicates).toBe(inputs.length);
  });

  it('survives objects whose properties cannot be read', () => {
    const throwing = new Proxy({}, { get: () => { throw new Error('boom'); } });
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const getter = Object.defineProperty({ type: 'tool' }, 'id', { get: () => { throw new Error('no id'); }, enumerable: true });
    const inputs2 = [throwing, revoked.proxy, getter, BASES[0]];
    const result = normalize(inputs2, { upgrade20: true, now: NOW });
    expect(result.objects).toHaveLength(1);
    expect(result.rejected).toHaveLength(3);
    expect(result.rejected.every((r) => r.reason === 'UNEXPECTED_ERROR')).toBe(true);
  });

  it('survives a call without a proper array or options', () => {
    const call = normalize as unknown as (i: unknown, o?: unknown) => ReturnType<typeof normalize>;
    expect(call(undefined, undefined).objects).toEqual([]);
    expect(call(BASES[0], {}).objects).toHaveLength(1);
    expect(call('text', { now: 'not a date' }).rejected[0].reason).toBe('NOT_AN_OBJECT');
  });
});
