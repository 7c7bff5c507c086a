import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { LARGE_ARGUMENT_BYTES, sendLarge } from '../src/redis-large';
import { dropPrefix, REDIS_URL, uniquePrefix } from './support/redis-prefix';

describe('sendLarge (large Buffer arguments written by reference)', () => {
  let redis: Redis;
  let prefix: string;

  beforeEach(() => {
    prefix = uniquePrefix('large');
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  });
  afterEach(async () => {
    redis.disconnect();
    await dropPrefix(prefix);
  });

  it('stores large and small values byte for byte, with text that is not ASCII around them', async () => {
    const big = randomBytes(3 * LARGE_ARGUMENT_BYTES + 7);
    const edge = randomBytes(LARGE_ARGUMENT_BYTES);
    const small = Buffer.from([0, 13, 10, 255]);
    const key = `${prefix}:h`;
    await expect(sendLarge(redis, 'hset', [key, 'große', big, 'é€', 'ünïcode ✓', 'edge', edge, 'small', small, 'empty', Buffer.alloc(0), 'n', 42])).resolves.toBe(6);
    expect((await redis.hgetBuffer(key, 'große'))?.equals(big)).toBe(true);
    expect(await redis.hget(key, 'é€')).toBe('ünïcode ✓');
    expect((await redis.hgetBuffer(key, 'edge'))?.equals(edge)).toBe(true);
    expect((await redis.hgetBuffer(key, 'small'))?.equals(small)).toBe(true);
    expect(await redis.hget(key, 'empty')).toBe('');
    expect(await redis.hget(key, 'n')).toBe('42');
  });

  it('keeps the order of commands sent around it on the same connection', async () => {
    const key = `${prefix}:list`;
    const values = Array.from({ length: 6 }, (_, i) => Buffer.concat([Buffer.from(`v${i}:`), randomBytes(LARGE_ARGUMENT_BYTES * (i % 2 === 0 ? 2 : 0) + 10)]));
    const sent = values.map((v, i) => (i % 2 === 0 ? sendLarge(redis, 'rpush', [key, v]) : redis.rpush(key, v)));
    await expect(Promise.all(sent)).resolves.toEqual([1, 2, 3, 4, 5, 6]);
    const stored = await redis.lrangeBuffer(key, 0, -1);
    expect(stored.map((b, i) => b.equals(values[i]!))).toEqual(values.map(() => true));
  });

  it('runs a script with large arguments and returns its reply', async () => {
    const big = randomBytes(LARGE_ARGUMENT_BYTES * 4);
    const script = "redis.call('SET', KEYS[1], ARGV[1]); return {string.len(ARGV[1]), ARGV[2]}";
    await expect(sendLarge(redis, 'eval', [script, 1, `${prefix}:s`, big, 'tail'])).resolves.toEqual([big.length, 'tail']);
    expect((await redis.getBuffer(`${prefix}:s`))?.equals(big)).toBe(true);
  });

  it('rejects with the server error', async () => {
    await redis.set(`${prefix}:str`, 'x');
    await expect(sendLarge(redis, 'hset', [`${prefix}:str`, 'f', randomBytes(LARGE_ARGUMENT_BYTES)])).rejects.toThrow(/WRONGTYPE/);
    await expect(redis.get(`${prefix}:str`)).resolves.toBe('x');
  });

  it('waits in the offline queue and is sent, whole, once connected', async () => {
    const lazy = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: null });
    try {
      const big = randomBytes(LARGE_ARGUMENT_BYTES * 2);
      expect(lazy.status).toBe('wait');
      // Sending connects a lazy client; the command waits in the queue until it is ready.
      const pending = sendLarge(lazy, 'set', [`${prefix}:late`, big]);
      expect(lazy.status).not.toBe('ready');
      await expect(pending).resolves.toBe('OK');
      expect((await redis.getBuffer(`${prefix}:late`))?.equals(big)).toBe(true);
    } finally {
      lazy.disconnect();
    }
  });
});
