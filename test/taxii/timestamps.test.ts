// Full-precision RFC 3339 comparison: microseconds and beyond, offsets, lowercase t/z.
import { compareTimestamps, isTimestamp, laterTimestamp, parseTimestamp } from '../../src/taxii';

describe('compareTimestamps', () => {
  it.each<[string, string, -1 | 0 | 1]>([
    ['2024-05-01T10:00:00.000001Z', '2024-05-01T10:00:00.000002Z', -1],
    ['2024-05-01T10:00:00.000999Z', '2024-05-01T10:00:00.001Z', -1],
    ['2024-05-01T10:00:00.1234567Z', '2024-05-01T10:00:00.1234568Z', -1],
    ['2024-05-01T10:00:00.123456789Z', '2024-05-01T10:00:00.123456789Z', 0],
    ['2024-05-01T10:00:00.5Z', '2024-05-01T10:00:00.500000Z', 0],
    ['2024-05-01T10:00:00Z', '2024-05-01T10:00:00.000Z', 0],
    ['2024-05-01T10:00:00.000001Z', '2024-05-01T10:00:00Z', 1],
    ['2024-05-01T12:00:00+02:00', '2024-05-01T10:00:00Z', 0],
    ['2024-05-01T12:00:00.000001+02:00', '2024-05-01T10:00:00Z', 1],
    ['2024-05-01T05:30:00-04:30', '2024-05-01T10:00:00Z', 0],
    ['2024-05-01t10:00:00.25z', '2024-05-01T10:00:00.25Z', 0],
    ['2023-12-31T23:59:59.999999Z', '2024-01-01T00:00:00Z', -1],
    ['1969-12-31T23:59:59Z', '1970-01-01T00:00:00Z', -1],
  ])('compares %s with %s as %i', (a, b, expected) => {
    expect(Math.sign(compareTimestamps(a, b))).toBe(expected);
    expect(Math.sign(compareTimestamps(b, a))).toBe(-expected || 0);
  });

  it('sorts timestamps that Date would see as equal', () => {
    const stamps = ['2024-01-01T00:00:00.000300Z', '2024-01-01T00:00:00.000100Z', '2024-01-01T00:00:00.0002Z', '2024-01-01T00:00:00Z'];
    expect(new Set(stamps.map((s) => Date.parse(s))).size).toBe(1);
    expect([...stamps].sort(compareTimestamps)).toEqual([
      '2024-01-01T00:00:00Z',
      '2024-01-01T00:00:00.000100Z',
      '2024-01-01T00:00:00.0002Z',
      '2024-01-01T00:00:00.000300Z',
    ]);
  });

  it.each(['2024-02-30T00:00:00Z', '2024-01-01 00:00', 'yesterday', '2024-01-01T24:00:00Z', '2024-01-01T00:00:00+25:00', '2024-01-01T00:00:00'])(
    'refuses %p with TAXII_BAD_TIMESTAMP',
    (bad) => {
      expect(() => compareTimestamps(bad, '2024-01-01T00:00:00Z')).toThrow(expect.objectContaining({ code: 'TAXII_BAD_TIMESTAMP', retryable: false }));
      expect(isTimestamp(bad)).toBe(false);
    },
  );
});

describe('parseTimestamp', () => {
  it('keeps the fraction as written, without trailing zeros', () => {
    expect(parseTimestamp('2024-02-29T00:00:01.012300Z')).toEqual({ epochSeconds: Date.UTC(2024, 1, 29, 0, 0, 1) / 1000, fraction: '0123' });
  });

  it('accepts a space between date and time (RFC 3339 §5.6 note)', () => {
    expect(isTimestamp('2024-01-01 00:00:00Z')).toBe(true);
  });
});

describe('laterTimestamp', () => {
  it('returns the later one at full precision, ignoring undefined', () => {
    expect(laterTimestamp('2024-01-01T00:00:00.000002Z', '2024-01-01T00:00:00.000001Z')).toBe('2024-01-01T00:00:00.000002Z');
    expect(laterTimestamp(undefined, '2024-01-01T00:00:00Z')).toBe('2024-01-01T00:00:00Z');
    expect(laterTimestamp('2024-01-01T00:00:00Z', undefined)).toBe('2024-01-01T00:00:00Z');
  });
});
