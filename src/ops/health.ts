// Readiness: Redis answers PING and every sink's health() passes, each within a time limit. What
// failed is reported by name and error code, with its message redacted.
import { describeError } from '../errors';
import { redact } from '../log';
import type { PipelineContext } from '../pipeline/context';

export interface CheckResult {
  /** `redis`, or `sink:<name>`. */
  check: string;
  ok: boolean;
  ms: number;
  code?: string;
  message?: string;
}

export interface Readiness {
  ready: boolean;
  checks: CheckResult[];
  failed: CheckResult[];
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`${what} did not answer within ${ms} ms`), { code: 'TIMEOUT' })), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function run(check: string, fn: () => Promise<unknown>, timeoutMs: number): Promise<CheckResult> {
  const started = Date.now();
  try {
    await withTimeout(fn(), timeoutMs, check);
    return { check, ok: true, ms: Date.now() - started };
  } catch (err) {
    const info = describeError(err);
    const code = (err as { code?: unknown }).code === 'TIMEOUT' ? 'TIMEOUT' : info.code;
    return { check, ok: false, ms: Date.now() - started, code, message: redact(info.message) };
  }
}

export async function checkReadiness(ctx: PipelineContext, timeoutMs = 5000): Promise<Readiness> {
  const checks = await Promise.all([
    run('redis', async () => {
      const pong = await ctx.redis.ping();
      if (pong !== 'PONG') throw new Error(`unexpected PING answer: ${pong}`);
    }, timeoutMs),
    ...[...ctx.sinks.values()].map((sink) => run(`sink:${sink.name}`, () => sink.health(), timeoutMs)),
  ]);
  const failed = checks.filter((c) => !c.ok);
  return { ready: failed.length === 0, checks, failed };
}
