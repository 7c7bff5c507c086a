// The one retry decision both workers use: which failures are final, and how long a retry waits.
import { ConnectorError } from '../../src/errors';
import { PipelineConfig } from '../../src/config/schema';
import { isFinalFailure, retryDelayMs } from '../../src/pipeline/queues';

const retryable = new ConnectorError('server busy', { code: 'TAXII_HTTP_503', retryable: true });
const final = new ConnectorError('bad token', { code: 'TAXII_HTTP_401', retryable: false });
const job = (attemptsMade: number, attempts = 3) => ({ attemptsMade, opts: { attempts } });

describe('isFinalFailure', () => {
  it.each([
    ['a retryable error on the first attempt', retryable, job(0), false],
    ['a retryable error on the last attempt', retryable, job(2), true],
    ['a non-retryable error on the first attempt', final, job(0), true],
    ['an unexpected error (retried like a retryable one)', new Error('connection lost'), job(0), false],
    ['an unexpected error on the last attempt', new Error('connection lost'), job(2), true],
  ])('%s → %s', (_name, err, j, expected) => {
    expect(isFinalFailure(err, j)).toBe(expected);
  });
});

describe('retryDelayMs', () => {
  const pipeline = PipelineConfig.parse({ backoff_base_ms: 1000, backoff_max_ms: 8000 });

  it.each([
    [1, 500, 1000],
    [2, 1000, 2000],
    [3, 2000, 4000],
    [6, 4000, 8000],
  ])('attempt %d waits between %d and %d ms (exponential, half jittered, capped)', (attempt, low, high) => {
    expect(retryDelayMs(attempt, pipeline, undefined, () => 0)).toBe(low);
    expect(retryDelayMs(attempt, pipeline, undefined, () => 1)).toBe(high);
  });

  it('never waits less than Retry-After asked', () => {
    expect(retryDelayMs(1, pipeline, 30_000, () => 0.5)).toBe(30_000);
    expect(retryDelayMs(4, pipeline, 100, () => 0)).toBe(4000);
  });
});
