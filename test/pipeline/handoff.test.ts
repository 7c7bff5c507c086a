// The bundle hand-off: one delivery per sink from memory, then Redis; bounded in bytes.
import { BundleHandoff } from '../../src/pipeline/handoff';

const bytes = (n: number, fill = 'x'): Buffer => Buffer.from(fill.repeat(n));

describe('when this process normalized a bundle', () => {
  const key = BundleHandoff.key('feed', 'c1', '3', 7, 1);

  it('hands it once to each sink, then forgets it', () => {
    const h = new BundleHandoff(1000);
    h.put(key, bytes(10), ['opencti', 'files']);
    expect(h.take(key, 'files')?.toString()).toBe('x'.repeat(10));
    expect(h.take(key, 'files')).toBeUndefined();
    expect(h.size).toBe(10);
    expect(h.take(key, 'opencti')?.length).toBe(10);
    expect(h.size).toBe(0);
    expect(h.take(key, 'opencti')).toBeUndefined();
  });

  it('has nothing for a sink it was not kept for, nor for another run, page or part', () => {
    const h = new BundleHandoff(1000);
    h.put(key, bytes(10), ['files']);
    expect(h.take(key, 'opencti')).toBeUndefined();
    for (const other of [BundleHandoff.key('feed', 'c1', '4', 7, 1), BundleHandoff.key('feed', 'c1', '3', 8, 1), BundleHandoff.key('feed', 'c1', '3', 7, 0)]) {
      expect(h.take(other, 'files')).toBeUndefined();
    }
  });

  it('drops the oldest bundles past its byte bound, and keeps none larger than the bound', () => {
    const h = new BundleHandoff(100);
    const keys = [0, 1, 2].map((part) => BundleHandoff.key('feed', 'c1', '1', 0, part));
    keys.forEach((k, i) => h.put(k, bytes(40, String(i)), ['files']));
    expect(h.size).toBe(80);
    expect(h.take(keys[0]!, 'files')).toBeUndefined();
    expect(h.take(keys[2]!, 'files')?.toString()).toBe('2'.repeat(40));
    h.put(BundleHandoff.key('feed', 'c1', '1', 1, 0), bytes(101), ['files']);
    expect(h.size).toBe(40);
  });

  it('replaces a bundle put again under the same key without counting it twice', () => {
    const h = new BundleHandoff(1000);
    h.put(key, bytes(10), ['files']);
    h.put(key, bytes(30, 'y'), ['files']);
    expect(h.size).toBe(30);
    expect(h.take(key, 'files')?.toString()).toBe('y'.repeat(30));
  });
});

describe('when the memory of a bundle is given back', () => {
  const key = (part: number) => BundleHandoff.key('feed', 'c1', '3', 7, part);
  const handoff = (maxBytes: number) => {
    const back: Buffer[] = [];
    return { h: new BundleHandoff(maxBytes, (json) => back.push(json)), back };
  };

  it('gives it back once every sink took it and every delivery that took it is done', () => {
    const { h, back } = handoff(1000);
    const json = bytes(10);
    h.put(key(0), json, ['opencti', 'files']);
    expect(h.take(key(0), 'files')).toBe(json);
    h.done(json);
    expect(back).toEqual([]); // opencti has not taken it yet
    expect(h.take(key(0), 'opencti')).toBe(json);
    expect(back).toEqual([]); // opencti still reads it
    h.done(json);
    expect(back).toEqual([json]);
    h.done(json);
    expect(back).toEqual([json]);
  });

  it('gives back a bundle dropped for room only when the deliveries holding it are done', () => {
    const { h, back } = handoff(100);
    const [first, second] = [bytes(60, 'a'), bytes(60, 'b')];
    h.put(key(0), first, ['files', 'opencti']);
    expect(h.take(key(0), 'files')).toBe(first);
    h.put(key(1), second, ['files']);
    expect(h.take(key(0), 'opencti')).toBeUndefined(); // dropped for room
    expect(back).toEqual([]);
    h.done(first);
    expect(back).toEqual([first]);
  });

  it('gives back at once a bundle too large to keep, one for no sink, and one a put under its key replaces', () => {
    const { h, back } = handoff(100);
    const [large, none, old, fresh] = [bytes(101), bytes(5), bytes(10, 'o'), bytes(10, 'n')];
    h.put(key(0), large, ['files']);
    h.put(key(1), none, []);
    h.put(key(2), old, ['files']);
    h.put(key(2), fresh, ['files']);
    expect(back).toEqual([large, none, old]);
    expect(h.take(key(2), 'files')).toBe(fresh);
  });

  it('ignores done for a bundle it never lent', () => {
    const { h, back } = handoff(100);
    const json = bytes(10);
    h.put(key(0), json, ['files']);
    h.done(json);
    h.done(bytes(10));
    expect(back).toEqual([]);
    expect(h.take(key(0), 'files')).toBe(json);
  });
});
