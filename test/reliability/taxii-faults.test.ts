// Faults of the TAXII server survived through the whole pipeline: 429 with Retry-After (nothing is
// sent before the wait is over, measured on the server's side), 503 storms, connection resets and
// answers slower than the timeout. Each scenario ends with every source object in the sink.
import { syncOnce } from '../../src/pipeline/sync';
import { recordFigures } from '../support/reliability-figures';
import { startRig, type Rig } from '../support/reliability-setup';
import { generateObjects, type RecordedRequest, type TaxiiFault } from '../support/taxii-server';

jest.setTimeout(60_000);

const seeds = generateObjects(300);

/** A pass from scratch (cursor reset); the objects requests it made, in arrival order. */
async function freshPass(rig: Rig): Promise<{ summary: Awaited<ReturnType<typeof syncOnce>>; requests: RecordedRequest[]; ms: number }> {
  await rig.harness.runtime.store.resetCursor('feed', rig.server.defaultCollectionId);
  const before = rig.server.requestsTo('objects').length;
  const started = Date.now();
  const summary = await syncOnce(rig.harness.runtime, {}, { pollMs: 25 });
  return { summary, requests: rig.server.requestsTo('objects').slice(before), ms: Date.now() - started };
}

describe('when the TAXII server answers 429 with Retry-After', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig('429', { objects: seeds }, { pageSize: 50, pipeline: { max_attempts: 5 } });
  });
  afterAll(() => rig.close());

  /** When the server allows the next request: Retry-After seconds count from the answer, a date names the moment (to the second). */
  interface Case {
    name: string;
    fault: () => TaxiiFault;
    count: number;
    notBefore: (limited: RecordedRequest, fault: TaxiiFault) => number;
  }
  it.each<Case>([
    { name: 'seconds (twice in a row)', fault: () => ({ kind: '429', retryAfterSecs: 1, on: 'objects', skip: 2, times: 2 }), count: 2, notBefore: (r) => r.time + 1000 },
    {
      name: 'an HTTP date',
      fault: () => ({ kind: '429', retryAfterDate: new Date(Date.now() + 2500), on: 'objects', skip: 2, times: 1 }),
      count: 1,
      notBefore: (_r, f) => Math.floor((f.kind === '429' ? f.retryAfterDate!.getTime() : 0) / 1000) * 1000,
    },
  ])('as $name: sends nothing before the wait is over, then completes', async ({ name, fault, count, notBefore }) => {
    const spec = fault();
    rig.server.setFault(spec);
    const { summary, requests } = await freshPass(rig);
    rig.server.clearFaults();
    expect(summary.collections[0]?.error).toBeUndefined();
    expect(summary.ok).toBe(true);
    const limited = requests.map((r, i) => ({ r, i })).filter(({ r }) => r.status === 429);
    expect(limited).toHaveLength(count);
    const waits = limited.map(({ r, i }) => {
      const following = requests[i + 1];
      expect(following).toBeDefined();
      expect(following!.time).toBeGreaterThanOrEqual(notBefore(r, spec));
      return { asked: notBefore(r, spec) - r.time, measured: following!.time - r.time };
    });
    expect(rig.missing(seeds)).toEqual([]);
    recordFigures(`429 Retry-After ${name}`, {
      responses429: limited.length,
      askedMs: waits.map((w) => w.asked).join('/'),
      measuredMs: waits.map((w) => w.measured).join('/'),
      delivered: seeds.length - rig.missing(seeds).length,
      expected: seeds.length,
    });
  });
});

describe('when the TAXII server has a 503 storm', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig('503', { objects: seeds }, { pageSize: 50, pipeline: { max_attempts: 12, backoff_base_ms: 20, backoff_max_ms: 150 } });
  });
  afterAll(() => rig.close());

  it('keeps retrying through ten consecutive 503s, then delivers everything with nothing dead-lettered', async () => {
    rig.server.setFault({ kind: '5xx', status: 503, on: 'objects', skip: 3, times: 10 });
    const { summary, requests, ms } = await freshPass(rig);
    expect(summary.ok).toBe(true);
    const storm = requests.filter((r) => r.status === 503);
    expect(storm).toHaveLength(10);
    expect(rig.missing(seeds)).toEqual([]);
    expect(await rig.harness.runtime.deadLetters.count()).toBe(0);
    const recoveredAfter = requests.find((r) => r.time > storm.at(-1)!.time && r.status === 200)!.time - storm[0]!.time;
    recordFigures('503 storm', { consecutive503: storm.length, stormToRecoveryMs: recoveredAfter, passMs: ms, delivered: seeds.length - rig.missing(seeds).length, expected: seeds.length });
  });
  it('waits out a storm that also hits the collection listing at the start of a pass', async () => {
    // A server-wide outage: every endpoint answers 503 for a while (TAXII 2.1 §3.6: retryable).
    rig.server.setFault({ kind: '5xx', status: 503, times: 6 });
    const before = rig.server.requests.length;
    const { summary } = await freshPass(rig);
    const storm = rig.server.requests.slice(before).filter((r) => r.status === 503);
    expect(storm.map((r) => r.kind)).toContain('collections');
    expect(summary.collections[0]?.error).toBeUndefined();
    expect(summary.ok).toBe(true);
    expect(rig.missing(seeds)).toEqual([]);
  });
});

describe('when the TAXII server resets connections', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig('reset', { objects: seeds }, { pageSize: 50, pipeline: { max_attempts: 6 } });
  });
  afterAll(() => rig.close());

  it.each<[string, TaxiiFault]>([
    ['before answering, three times in a row', { kind: 'reset', on: 'objects', skip: 2, times: 3 }],
    ['half-way through the body, twice', { kind: 'reset', afterBytes: 2000, on: 'objects', skip: 3, times: 2 }],
  ])('%s: retries and delivers everything', async (name, fault) => {
    rig.server.setFault(fault);
    const { summary, requests, ms } = await freshPass(rig);
    rig.server.clearFaults();
    expect(summary.ok).toBe(true);
    const resets = requests.filter((r) => r.status === undefined).length;
    expect(resets).toBe(fault.times);
    expect(rig.missing(seeds)).toEqual([]);
    recordFigures(`connection reset ${name}`, { resets, passMs: ms, delivered: seeds.length - rig.missing(seeds).length, expected: seeds.length });
  });
});

describe('when the TAXII server answers slower than the timeout', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig('slow', { objects: seeds }, { pageSize: 50, source: { timeout_secs: 1 }, pipeline: { max_attempts: 6 } });
  });
  afterAll(() => rig.close());

  it('gives up on each slow answer after timeout_secs, retries, and delivers everything', async () => {
    rig.server.setFault({ kind: 'slow', delayMs: 3000, on: 'objects', skip: 2, times: 3 });
    const { summary, requests, ms } = await freshPass(rig);
    expect(summary.ok).toBe(true);
    expect(rig.missing(seeds)).toEqual([]);
    // Requests 2, 3 and 4 were held for 3 s; each was abandoned at the 1 s timeout and retried
    // without waiting for the slow answer.
    const gaps = [3, 4, 5].map((i) => requests[i]!.time - requests[i - 1]!.time);
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(1000 - 20);
      expect(gap).toBeLessThan(3000);
    }
    expect(requests[5]!.status).toBe(200);
    recordFigures('slow answers past timeout_secs=1', {
      slowAnswers: 3,
      timeoutSecs: 1,
      retryGapsMs: gaps.join('/'),
      slowToRecoveryMs: requests[5]!.time - requests[2]!.time,
      passMs: ms,
      delivered: seeds.length - rig.missing(seeds).length,
      expected: seeds.length,
    });
  });
});

describe('when the first next request of a run fails (page 1) and page 0 spans less than resume_overlap_secs', () => {
  // The retry must not re-send the token: it resumes from page 0's X-TAXII-Date-Added-Last minus
  // the overlap, which legitimately serves page 0's objects again. That is an overlap, not a loop.
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig('page1', { objects: seeds }, { pageSize: 50, pipeline: { max_attempts: 5 } });
  });
  afterAll(() => rig.close());

  it.each<[string, TaxiiFault]>([
    ['a 503', { kind: '5xx', status: 503, on: 'objects', skip: 1, times: 1 }],
    ['a connection reset', { kind: 'reset', on: 'objects', skip: 1, times: 1 }],
    ['a 429', { kind: '429', retryAfterSecs: 1, on: 'objects', skip: 1, times: 1 }],
  ])('resumes after %s and completes the pass with everything delivered', async (_name, fault) => {
    rig.server.setFault(fault);
    const { summary, requests } = await freshPass(rig);
    rig.server.clearFaults();
    expect(requests[1]!.query.next).toBeDefined();
    expect(requests[2]!.query.next).toBeUndefined();
    expect(summary.collections[0]?.error).toBeUndefined();
    expect(summary.ok).toBe(true);
    expect(rig.missing(seeds)).toEqual([]);
  });
});
