// Redis memory during a run: `INFO memory` used_memory above the baseline taken before it (the whole
// server, so other clients of the same Redis add noise), and the memory of the run's own keys
// (SCAN of `<prefix>:*` + MEMORY USAGE), which nothing else touches.
import { Redis } from 'ioredis';

export interface RedisPeaks {
  /** Peak used_memory minus the baseline, in bytes. */
  usedAboveBaseline: number;
  /** Peak total MEMORY USAGE of the keys under the prefix, in bytes. */
  prefixBytes: number;
  /** Peak number of keys under the prefix. */
  prefixKeys: number;
}

export interface RedisSampler {
  stop(): Promise<RedisPeaks>;
}

/** What the run left under its prefix once it ended: keys, and finished jobs kept by the queues. */
export interface Leftovers {
  keys: number;
  bytes: number;
  /** Of `bytes`: the run state and cursor of the collection (`<prefix>:c:*`). */
  runStateBytes: number;
  completedJobs: number;
  failedJobs: number;
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? 0);
}

async function prefixUsage(redis: Redis, pattern: string): Promise<{ keys: number; bytes: number }> {
  let cursor = '0';
  let keys = 0;
  let bytes = 0;
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (batch.length === 0) continue;
    const pipeline = redis.pipeline();
    for (const key of batch) pipeline.memory('USAGE', key, 'SAMPLES', 0);
    for (const [err, size] of (await pipeline.exec()) ?? []) {
      if (err || size === null) continue; // the key went away between SCAN and MEMORY USAGE
      keys++;
      bytes += Number(size);
    }
  } while (cursor !== '0');
  return { keys, bytes };
}

export async function startRedisSampler(url: string, prefix: string, options: { infoMs?: number; keysMs?: number } = {}): Promise<RedisSampler> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  const baseline = await usedMemory(redis);
  const peaks: RedisPeaks = { usedAboveBaseline: 0, prefixBytes: 0, prefixKeys: 0 };
  let stopped = false;
  const loop = async (everyMs: number, sample: () => Promise<void>): Promise<void> => {
    while (!stopped) {
      await sample().catch(() => undefined);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  };
  const info = loop(options.infoMs ?? 20, async () => {
    peaks.usedAboveBaseline = Math.max(peaks.usedAboveBaseline, (await usedMemory(redis)) - baseline);
  });
  const keys = loop(options.keysMs ?? 100, async () => {
    const u = await prefixUsage(redis, `${prefix}:*`);
    peaks.prefixBytes = Math.max(peaks.prefixBytes, u.bytes);
    peaks.prefixKeys = Math.max(peaks.prefixKeys, u.keys);
  });
  return {
    stop: async () => {
      stopped = true;
      await Promise.all([info, keys]);
      redis.disconnect();
      return peaks;
    },
  };
}

export async function leftovers(url: string, prefix: string): Promise<Leftovers> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    const u = await prefixUsage(redis, `${prefix}:*`);
    const runState = await prefixUsage(redis, `${prefix}:c:*`);
    const count = async (state: string): Promise<number> =>
      (await redis.zcard(`${prefix}:fetch:${state}`)) + (await redis.zcard(`${prefix}:deliver:${state}`));
    return { ...u, runStateBytes: runState.bytes, completedJobs: await count('completed'), failedJobs: await count('failed') };
  } finally {
    redis.disconnect();
  }
}
