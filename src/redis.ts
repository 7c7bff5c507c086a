// Redis connections for BullMQ and our own keys, and a fail-fast reachability check that says in
// one line what is wrong and how to fix it.
import { Redis } from 'ioredis';
import { ConnectorError } from './errors';

/** A connection fit for BullMQ workers and queues (BullMQ requires maxRetriesPerRequest: null). */
export function createRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
}

function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

/** Pings Redis once with a short timeout; throws a one-line ConnectorError when it does not answer. */
export async function assertRedisReachable(url: string, timeoutMs = 3000): Promise<void> {
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.ping();
  } catch (err) {
    throw new ConnectorError(
      `Redis does not answer at ${safeUrl(url)} (${(err as Error).message}); start one with \`redis-server\` or \`docker compose up -d redis\`, or set redis.url / REDIS_URL`,
      { code: 'REDIS_UNREACHABLE', retryable: false },
    );
  } finally {
    probe.disconnect();
  }
}
