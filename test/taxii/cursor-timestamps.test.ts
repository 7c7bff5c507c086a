// Cursor arithmetic at full precision: a canonical form that sorts as text, and whole-second shifts.
import { canonicalTimestamp, shiftTimestamp } from '../../src/taxii';

describe('canonicalTimestamp', () => {
  it.each([
    ['2024-01-01T00:00:00Z', '2024-01-01T00:00:00.000000000Z'],
    ['2024-01-01t00:00:00.123456z', '2024-01-01T00:00:00.123456000Z'],
    ['2024-01-01T02:00:00.5+02:00', '2024-01-01T00:00:00.500000000Z'],
    ['2024-01-01T00:00:00.123456789012Z', '2024-01-01T00:00:00.123456789012Z'],
    ['yesterday', undefined],
  ])('%s → %s', (input, expected) => {
    expect(canonicalTimestamp(input)).toBe(expected);
  });

  it('orders as text exactly as in time, beyond milliseconds', () => {
    const times = ['2024-01-01T00:00:00.0001Z', '2024-01-01T00:00:00.000099Z', '2024-01-01T01:00:00+01:00', '2023-12-31T23:59:59.9999999Z'];
    const sorted = [...times].sort((a, b) => (canonicalTimestamp(a)! < canonicalTimestamp(b)! ? -1 : 1));
    expect(sorted).toEqual(['2023-12-31T23:59:59.9999999Z', '2024-01-01T01:00:00+01:00', '2024-01-01T00:00:00.000099Z', '2024-01-01T00:00:00.0001Z']);
  });
});

describe('shiftTimestamp', () => {
  it.each([
    ['2024-01-01T00:00:10.008123Z', -1, '2024-01-01T00:00:09.008123Z'],
    ['2024-01-01T00:00:00.5Z', -1, '2023-12-31T23:59:59.5Z'],
    ['2024-03-01T00:30:00+01:00', -3600, '2024-02-29T22:30:00Z'],
    ['2024-01-01T00:00:00Z', 0, '2024-01-01T00:00:00Z'],
  ])('%s %d s → %s', (input, secs, expected) => {
    expect(shiftTimestamp(input, secs)).toBe(expected);
  });
});
