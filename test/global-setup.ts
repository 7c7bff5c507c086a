// Before any test: Redis must answer, or the run stops with one line saying how to start it.
import { assertRedisReachable } from '../src/redis';
import { REDIS_URL } from './support/redis-prefix';

export default async function globalSetup(): Promise<void> {
  await assertRedisReachable(REDIS_URL);
}
