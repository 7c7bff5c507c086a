// Duplicate ids within a batch: the newest `modified` (full precision) wins, the others are counted.
import { normalize } from '../../src/stix';
import { NOW, valid } from './fixtures';

const version = (modified: string, name = modified) => ({ ...valid('tool'), created: '2024-01-01T00:00:00Z', modified, name });

describe('when a batch holds several versions of one id', () => {
  it('keeps the newest modified and counts the others as duplicates', () => {
    const result = normalize([version('2024-03-01T00:00:00Z'), version('2024-05-01T00:00:00Z'), version('2024-04-01T00:00:00Z')], { upgrade20: true, now: NOW });
    expect(result.objects.map((o) => o.name)).toEqual(['2024-05-01T00:00:00Z']);
    expect(result.duplicates).toBe(2);
  });

  it('compares modified at full precision', () => {
    const a = version('2024-03-01T00:00:00.1234561Z', 'older');
    const b = version('2024-03-01T00:00:00.1234562Z', 'newer');
    expect(normalize([b, a], { upgrade20: true, now: NOW }).objects[0].name).toBe('newer');
    expect(normalize([a, b], { upgrade20: true, now: NOW }).objects[0].name).toBe('newer');
  });

  it('compares modified across time zone offsets', () => {
    const a = version('2024-03-01T12:00:00+02:00', 'ten-utc');
    const b = version('2024-03-01T11:00:00Z', 'eleven-utc');
    expect(normalize([b, a], { upgrade20: true, now: NOW }).objects[0].name).toBe('eleven-utc');
  });

  it('keeps the first of identical versions, in its place', () => {
    const other = valid('malware');
    const first = version('2024-03-01T00:00:00Z', 'first');
    const result = normalize([first, other, version('2024-03-01T00:00:00.000Z', 'second')], { upgrade20: true, now: NOW });
    expect(result.objects).toEqual([first, other]);
    expect(result.duplicates).toBe(1);
  });

  it('treats repeated SCOs (no modified) as duplicates of the first', () => {
    const sco = valid('ipv4-addr');
    const result = normalize([sco, { ...sco }, { ...sco }], { upgrade20: true, now: NOW });
    expect(result.objects).toEqual([sco]);
    expect(result.objects[0]).toBe(sco);
    expect(result.duplicates).toBe(2);
  });

  it('does not let a rejected version shadow a valid one', () => {
    const bad = { ...version('2024-09-01T00:00:00Z'), name: 7 };
    const good = version('2024-03-01T00:00:00Z');
    const result = normalize([bad, good], { upgrade20: true, now: NOW });
    expect(result.objects).toEqual([good]);
    expect(result.rejected).toHaveLength(1);
    expect(result.duplicates).toBe(0);
  });
});
