// Building blocks: UUIDv5, canonical JSON, identifiers, RFC 3339 instants, JSON byte size, rejection capping.
import { canonicalJson, compareInstants, identifierType, isTypeName, parseTimestamp, RAW_MAX_BYTES, uuidv5 } from '../../src/stix';
import { jsonByteSize } from '../../src/stix/json-size';
import { capRaw, reject } from '../../src/stix/reasons';
import { loadAttackBundle, ATTACK_FILES, valid } from './fixtures';

describe('uuidv5', () => {
  it('matches the RFC 4122 reference value', () => {
    expect(uuidv5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('uses the STIX namespace by default and is deterministic', () => {
    expect(uuidv5('x')).toBe(uuidv5('x', '00abedb4-aa42-466c-9c01-fed23315a9b7'));
    expect(uuidv5('x')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('canonicalizes JSON as RFC 8785 does', () => {
    expect(canonicalJson({ b: [1, 'é', null], a: { d: true, c: 1.5 } })).toBe('{"a":{"c":1.5,"d":true},"b":[1,"é",null]}');
  });
});

describe('identifiers and type names', () => {
  it.each([
    ['indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f', 'indicator'],
    ['x-mitre-tactic--2558FD61-8C75-4730-94C4-11926DB2A263', 'x-mitre-tactic'],
    ['indicator--8e2e2d2b17d44cbf938f98ee46b3cd3f', undefined],
    ['indicator-8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f', undefined],
    ['Indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f', undefined],
    ['ab--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f', undefined],
    ['indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3g', undefined],
  ])('reads the type of %s', (id, type) => {
    expect(identifierType(id)).toBe(type);
  });

  it('knows a type name', () => {
    expect(['tool', 'x-acme-thing', 'a1b'].every(isTypeName)).toBe(true);
    expect(['to', 'x--y', 'Tool', 'a_b', 'x'.repeat(251)].some(isTypeName)).toBe(false);
  });
});

describe('RFC 3339 timestamps', () => {
  it('reads the instant, whatever the offset', () => {
    expect(parseTimestamp('2024-03-01T12:00:00+02:00')).toEqual(parseTimestamp('2024-03-01T10:00:00Z'));
    expect(parseTimestamp('1970-01-01T00:00:00Z')).toEqual({ sec: 0, frac: '' });
    expect(parseTimestamp('2000-03-01T00:00:00.500Z')).toEqual({ sec: Date.UTC(2000, 2, 1) / 1000, frac: '5' });
  });

  it('orders instants at full precision', () => {
    const t = (s: string) => parseTimestamp(s)!;
    expect(compareInstants(t('2024-01-01T00:00:00.1000000001Z'), t('2024-01-01T00:00:00.1Z'))).toBe(1);
    expect(compareInstants(t('2024-01-01T00:00:00.10Z'), t('2024-01-01T00:00:00.1Z'))).toBe(0);
    expect(compareInstants(t('2023-12-31T23:59:59.999999Z'), t('2024-01-01T00:00:00Z'))).toBe(-1);
  });

  it.each(['2024-01-01', '2024-01-01T00:00:00', '2024-01-01 00:00:00Z', '2024-01-01T00:00:00.Z', '2023-02-29T00:00:00Z', '2024-01-01T00:00:00+24:00', 'x'])(
    'refuses %s', (s) => expect(parseTimestamp(s)).toBeUndefined(),
  );
});

describe('JSON byte size', () => {
  it.each<[string, unknown]>([
    ['plain', valid('indicator')],
    ['escapes and unicode', { a: 'quote " backslash \\ tab \t nul \u0000 é ✓ 𝔘 \u2028 lone \ud800', n: [1.5, -0, 1e21, NaN, null, true] }],
    ['skipped values', { a: undefined, f: () => 1, arr: [undefined, () => 1], d: new Date(0) }],
  ])('equals JSON.stringify in UTF-8 for %s', (_what, value) => {
    expect(jsonByteSize(value)).toBe(Buffer.byteLength(JSON.stringify(value)));
  });

  it('equals JSON.stringify for every ATT&CK object', () => {
    for (const file of ATTACK_FILES) {
      for (const o of loadAttackBundle(file).objects) expect(jsonByteSize(o)).toBe(Buffer.byteLength(JSON.stringify(o)));
    }
  });
});

describe('rejections', () => {
  it('keep the raw object when it is small', () => {
    const obj = { ...valid('tool'), name: 5 };
    expect(reject(obj, { reason: 'INVALID_PROPERTY', message: 'm' })).toEqual({ id: obj.id, type: 'tool', reason: 'INVALID_PROPERTY', message: 'm', raw: obj });
  });

  it('keep a truncated preview instead of a raw object over 64 KiB', () => {
    const big = { ...valid('tool'), description: 'z'.repeat(RAW_MAX_BYTES) };
    const rejection = reject(big, { reason: 'INVALID_PROPERTY', message: 'm' });
    expect(typeof rejection.raw).toBe('string');
    expect((rejection.raw as string).length).toBeLessThan(5000);
    expect(rejection.raw as string).toContain('"type":"tool"');
    expect(rejection.id).toBe(big.id);
  });

  it('describe values JSON cannot hold', () => {
    expect(capRaw(Symbol('s'))).toBe('[unserializable symbol]');
    expect(capRaw(10n)).toBe('[unserializable bigint]');
  });
});
