// Pooled memory: memory given back is taken again as it is, only memory the pool handed out comes
// back, and what it keeps stays within its limits.
import { MessageChannel } from 'node:worker_threads';
import { MemoryPool, type MemoryPoolLimits } from '../src/memory-pool';

const MiB = 1024 * 1024;
const sharedPool = (limits: MemoryPoolLimits) => new MemoryPool<SharedArrayBuffer>(limits, (n) => new SharedArrayBuffer(n));

describe('MemoryPool', () => {
  it('hands out whole mebibytes of shared memory, at least the size asked for', () => {
    const pool = sharedPool({ maxBuffers: 4, maxBytes: 64 * MiB });
    expect(pool.take(0).length).toBe(MiB);
    const b = pool.take(5 * MiB + 1);
    expect(b.length).toBe(6 * MiB);
    expect(b.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('takes memory given back again, contents and all, for a body that fits', () => {
    const pool = sharedPool({ maxBuffers: 4, maxBytes: 64 * MiB });
    const first = pool.take(3 * MiB);
    first.write('first body', 0, 'latin1');
    pool.giveBack(first.subarray(0, 10));
    const again = pool.take(2 * MiB);
    expect(again.buffer).toBe(first.buffer);
    expect(again.toString('latin1', 0, 10)).toBe('first body');
    expect(pool.take(2 * MiB).buffer).not.toBe(first.buffer);
  });

  it('takes the smallest memory that fits', () => {
    const pool = sharedPool({ maxBuffers: 4, maxBytes: 64 * MiB });
    const [large, small] = [pool.take(8 * MiB), pool.take(2 * MiB)];
    pool.giveBack(large);
    pool.giveBack(small);
    expect(pool.take(MiB).buffer).toBe(small.buffer);
    expect(pool.take(MiB).buffer).toBe(large.buffer);
  });

  it('ignores memory it did not hand out, and memory given back twice', () => {
    const pool = sharedPool({ maxBuffers: 4, maxBytes: 64 * MiB });
    pool.giveBack(Buffer.alloc(MiB));
    pool.giveBack(Buffer.from(new SharedArrayBuffer(MiB)));
    expect(pool.kept).toEqual({ buffers: 0, bytes: 0 });
    const b = pool.take(MiB);
    pool.giveBack(b);
    pool.giveBack(b);
    expect(pool.kept.buffers).toBe(1);
    // Handed out once only: the second taker gets other memory.
    expect(pool.take(MiB).buffer).toBe(b.buffer);
    expect(pool.take(MiB).buffer).not.toBe(b.buffer);
  });

  it('keeps at most its limits: the smallest memory goes when there are too many, the largest when too much', () => {
    const pool = sharedPool({ maxBuffers: 2, maxBytes: 10 * MiB });
    const taken = [1, 2, 3].map((n) => pool.take(n * MiB));
    for (const b of taken) pool.giveBack(b);
    expect(pool.kept).toEqual({ buffers: 2, bytes: 5 * MiB });
    expect(pool.largestKept).toBe(3 * MiB);
    const big = pool.take(16 * MiB);
    pool.giveBack(big);
    expect(pool.kept).toEqual({ buffers: 1, bytes: 3 * MiB });
  });

  it('takes back memory that went to another thread and came back as a new object', async () => {
    const pool = new MemoryPool<ArrayBuffer>({ maxBuffers: 4, maxBytes: 64 * MiB }, (n) => new ArrayBuffer(n));
    const lent = pool.take(MiB);
    lent.write('kept', 0, 'latin1');
    const { port1, port2 } = new MessageChannel();
    const back = new Promise<ArrayBuffer>((resolve) => port2.once('message', resolve));
    port1.postMessage(lent.buffer, [lent.buffer as ArrayBuffer]);
    const memory = await back;
    port1.close();
    port2.close();
    expect(lent.length).toBe(0); // moved away: the old view is empty
    pool.giveBack(Buffer.from(memory)); // not known by identity
    expect(pool.kept.buffers).toBe(0);
    pool.adopt(memory);
    const again = pool.take(MiB);
    expect(again.buffer).toBe(memory);
    expect(again.toString('latin1', 0, 4)).toBe('kept');
  });
});
