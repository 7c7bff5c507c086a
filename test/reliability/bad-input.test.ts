// Bad answers from a TAXII server, through the whole pipeline: each ends the run with a clear error
// and a dead-letter entry for the page (never a crash, never an endless loop), the cursor never
// passes an undelivered object, and the next pass, once the server behaves, loses nothing. A
// server that takes added_after as inclusive and timestamps in odd RFC 3339 forms lose nothing.
import { syncOnce } from '../../src/pipeline/sync';
import { shiftTimestamp } from '../../src/taxii';
import { recordFigures } from '../support/reliability-figures';
import { passedButUndelivered, startRig, type Rig } from '../support/reliability-setup';
import { generateObjects, type TaxiiFault, type TaxiiSeed, type TaxiiServerOptions } from '../support/taxii-server';
import { fromMicros, toMicros } from '../support/taxii-objects';

jest.setTimeout(60_000);

const MAX_ATTEMPTS = 4;
const PAGE = 10;

interface BadCase {
  name: string;
  fault?: TaxiiFault;
  server?: Partial<TaxiiServerOptions>;
  seeds?: TaxiiSeed[];
  code: string;
  retryable: boolean;
  /** The fault goes away and the next pass delivers everything. */
  recovers: boolean;
}

const plain = generateObjects(100);
/** Page 3 (objects 30-39) carries one object far larger than the API root's max_content_length. */
const withHuge = generateObjects(100).map((s, i) => (i === 35 ? { ...s, object: { ...s.object, description: 'x'.repeat(20_000) } } : s));

const CASES: BadCase[] = [
  { name: 'a truncated JSON page', fault: { kind: 'truncated-json', on: 'objects', skip: 3 }, code: 'TAXII_BAD_JSON', retryable: true, recovers: true },
  { name: "a proxy's HTML error page (502)", fault: { kind: 'html', status: 502, on: 'objects', skip: 3 }, code: 'TAXII_HTTP_502', retryable: true, recovers: true },
  { name: "a proxy's HTML page served as 200", fault: { kind: 'html', status: 200, on: 'objects', skip: 3 }, code: 'TAXII_CONTENT_TYPE', retryable: false, recovers: true },
  {
    name: 'a wrong content type with a non-JSON body',
    fault: { kind: 'status', status: 200, body: 'maintenance: come back later', headers: { 'Content-Type': 'text/plain' }, on: 'objects', skip: 3 },
    code: 'TAXII_CONTENT_TYPE',
    retryable: false,
    recovers: true,
  },
  { name: '`objects` that is not an array', fault: { kind: 'objects-not-array', on: 'objects', skip: 3 }, code: 'TAXII_BAD_ENVELOPE', retryable: false, recovers: true },
  { name: "an envelope over the API root's max_content_length", seeds: withHuge, server: { maxContentLength: 16_000 }, code: 'TAXII_TOO_LARGE', retryable: false, recovers: false },
];

describe.each(CASES)('when the TAXII server sends $name', (c) => {
  const seeds = c.seeds ?? plain;
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig(`bad-${c.code.toLowerCase()}`, { objects: seeds, ...c.server }, { pageSize: PAGE, pipeline: { max_attempts: MAX_ATTEMPTS } });
    if (c.fault) rig.server.setFault(c.fault);
  });
  afterAll(() => rig.close());

  it(`ends the run with ${c.code}, dead-letters the page, and keeps the cursor behind it`, async () => {
    const started = Date.now();
    const summary = await syncOnce(rig.harness.runtime, {}, { pollMs: 25 });
    const ms = Date.now() - started;
    expect(summary.ok).toBe(false);
    expect(summary.collections[0]?.error).toContain(c.code);
    const entries = await rig.harness.runtime.deadLetters.list();
    expect(entries.map((e) => ({ kind: e.entry.kind, code: e.entry.code, page: e.entry.page }))).toEqual([{ kind: 'page', code: c.code, page: 3 }]);
    expect(entries[0]!.entry.message).toMatch(/^source "feed": /);
    expect(entries[0]!.entry.attempts).toBe(c.retryable ? MAX_ATTEMPTS : 1);
    // No endless loop: three good pages, then the attempts of the bad one.
    const requests = rig.server.requestsTo('objects').length;
    expect(requests).toBe(3 + (c.retryable ? MAX_ATTEMPTS : 1));
    const cursor = await rig.cursor();
    if (cursor !== undefined) expect(cursor <= seeds[29]!.date_added).toBe(true);
    expect(passedButUndelivered(seeds, cursor, rig.delivered())).toEqual([]);
    expect((await rig.harness.runtime.store.getCursor('feed', rig.server.defaultCollectionId))?.exact).not.toBe(true);
    recordFigures(`bad input: ${c.name}`, { code: c.code, attempts: entries[0]!.entry.attempts, objectRequests: requests, runMs: ms, cursorAtOrBefore: seeds[29]!.date_added, cursor: cursor ?? null });
  });

  if (c.recovers) {
    it('delivers everything on the next pass once the server behaves', async () => {
      rig.server.clearFaults();
      const summary = await syncOnce(rig.harness.runtime, {}, { pollMs: 25 });
      expect(summary.ok).toBe(true);
      expect(rig.missing(seeds)).toEqual([]);
      expect(await rig.cursor()).toBe(seeds.at(-1)!.date_added);
    });
  } else {
    it('fails the same way on the next pass, without moving the cursor past the page', async () => {
      const before = await rig.cursor();
      const summary = await syncOnce(rig.harness.runtime, {}, { pollMs: 25 });
      expect(summary.collections[0]?.error).toContain(c.code);
      const after = await rig.cursor();
      if (after !== undefined) expect(after <= seeds[29]!.date_added).toBe(true);
      if (before !== undefined && after !== undefined) expect(after >= before).toBe(true);
      expect(passedButUndelivered(seeds, after, rig.delivered())).toEqual([]);
    });
  }
});

describe('when the TAXII server sends a JSON page under a wrong content type', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig('bad-ct-json', { objects: plain }, { pageSize: PAGE });
  });
  afterAll(() => rig.close());

  it('reads it anyway (TAXII media types are read leniently) and delivers everything', async () => {
    rig.server.setFault({ kind: 'wrong-content-type', contentType: 'text/html; charset=iso-8859-1', on: 'objects' });
    const summary = await syncOnce(rig.harness.runtime, {}, { pollMs: 25 });
    expect(summary.ok).toBe(true);
    expect(rig.missing(plain)).toEqual([]);
  });
});

describe('when the TAXII server treats added_after as inclusive', () => {
  const seeds = generateObjects(200, { sameDateGroups: 4 });
  const later = generateObjects(60, { startDate: '2025-02-01T00:00:00.000000Z', sameDateGroups: 4, seed: 9 }).slice(1);
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig('inclusive', { objects: seeds }, { pageSize: PAGE });
    rig.server.setFault({ kind: 'inclusive-added-after', on: 'objects' });
  });
  afterAll(() => rig.close());

  it('loses nothing and does not loop when it continues from X-TAXII-Date-Added-Last (§3.4)', async () => {
    // Pages 2-6 say more without next: the connector goes on with added_after = the page's last
    // date_added, which this server answers inclusively (the boundary group comes again).
    rig.server.addFault({ kind: 'more-without-next', on: 'objects', skip: 2, times: 5 });
    const summary = await syncOnce(rig.harness.runtime, {}, { pollMs: 25 });
    expect(summary.collections[0]?.error).toBeUndefined();
    expect(summary.ok).toBe(true);
    expect(rig.missing(seeds)).toEqual([]);
    const requests = rig.server.requestsTo('objects').length;
    expect(requests).toBeLessThan(seeds.length / PAGE + 10);
    expect(await rig.cursor()).toBe(seeds.at(-1)!.date_added);
    recordFigures('inclusive added_after, pass 1 (§3.4 continuations)', { objectRequests: requests, delivered: seeds.length - rig.missing(seeds).length, expected: seeds.length, writes: [...rig.delivered().values()].reduce((a, b) => a + b, 0) });
  });

  it('sends the boundary objects again on the next pass (duplicates are fine) and the new ones once', async () => {
    rig.server.addObjects(rig.server.defaultCollectionId, later);
    const before = rig.server.requestsTo('objects').length;
    const summary = await syncOnce(rig.harness.runtime, {}, { pollMs: 25 });
    expect(summary.ok).toBe(true);
    const first = rig.server.requestsTo('objects')[before]!;
    expect(first.query.added_after).toBe(seeds.at(-1)!.date_added);
    const boundary = seeds.filter((s) => s.date_added === seeds.at(-1)!.date_added).length;
    expect(summary.totals.fetched).toBe(later.length + boundary);
    expect(rig.missing([...seeds, ...later])).toEqual([]);
    expect(await rig.cursor()).toBe(later.at(-1)!.date_added);
  });
});

/** `date_added` of object i written in one of several valid RFC 3339 forms (same instants, ascending). */
function oddForm(us: number, i: number): string {
  const utc = fromMicros(us); // YYYY-MM-DDTHH:MM:SS.ffffffZ
  const [date, rest] = utc.split('T') as [string, string];
  const time = rest.slice(0, 8);
  const frac = rest.slice(9, 15);
  const shifted = (offsetMin: number) => {
    const local = new Date(Math.floor(us / 1000) + offsetMin * 60_000).toISOString();
    const sign = offsetMin >= 0 ? '+' : '-';
    const abs = Math.abs(offsetMin);
    return `${local.slice(0, 19)}.${frac}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  };
  switch (i % 5) {
    case 0: return `${date}t${time}.${frac}z`;
    case 1: return shifted(120);
    case 2: return `${date}T${time}.${frac}123Z`; // nine fraction digits
    case 3: return shifted(-330);
    default: return utc;
  }
}

function oddSeeds(n: number, startDate: string, seed: number): TaxiiSeed[] {
  const start = toMicros(startDate);
  return generateObjects(n, { startDate, seed }).map((s, i) => {
    const at = oddForm(start + i * 1001, i);
    const created = i % 2 === 0 ? '2023-12-31t23:59:00.123456789z' : '2024-01-01T01:59:00+02:00';
    const object = { ...s.object, created, modified: created, ...(s.object.type === 'indicator' ? { valid_from: created } : {}) };
    return { object, date_added: at };
  });
}

describe('when timestamps come in odd but valid RFC 3339 forms (lowercase t/z, offsets, 9 fraction digits)', () => {
  const seeds = oddSeeds(120, '2024-01-01T00:00:00.000000Z', 11);
  const later = oddSeeds(40, '2024-06-01T00:00:00.000000Z', 12).slice(1);
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig('odd-time', { objects: seeds }, { pageSize: 7 });
  });
  afterAll(() => rig.close());

  it('pages, delivers every object once and keeps the cursor exactly as the server wrote it', async () => {
    const summary = await syncOnce(rig.harness.runtime, {}, { pollMs: 25 });
    expect(summary.ok).toBe(true);
    expect(summary.totals.rejected).toBe(0);
    expect(rig.missing(seeds)).toEqual([]);
    expect([...rig.delivered().values()].every((n) => n === 1)).toBe(true);
    expect(await rig.cursor()).toBe(seeds.at(-1)!.date_added);
  });

  it('resumes exactly after an odd-form cursor: the next pass fetches only what was added since', async () => {
    rig.server.addObjects(rig.server.defaultCollectionId, later);
    const before = rig.server.requestsTo('objects').length;
    const summary = await syncOnce(rig.harness.runtime, {}, { pollMs: 25 });
    expect(summary.ok).toBe(true);
    expect(rig.server.requestsTo('objects')[before]!.query.added_after).toBe(seeds.at(-1)!.date_added);
    expect(summary.totals.fetched).toBe(later.length);
    expect(rig.missing(later)).toEqual([]);
    expect(await rig.cursor()).toBe(later.at(-1)!.date_added);
  });

  it('resumes with the overlap from an odd-form cursor after a failed run, losing nothing', async () => {
    await rig.harness.runtime.store.resetCursor('feed', rig.server.defaultCollectionId);
    rig.server.setFault({ kind: 'status', status: 400, on: 'objects', skip: 9 });
    const failed = await syncOnce(rig.harness.runtime, {}, { pollMs: 25 });
    expect(failed.ok).toBe(false);
    const cursor = await rig.cursor();
    expect(cursor).toBeDefined();
    expect([...seeds, ...later].map((s) => s.date_added)).toContain(cursor);
    rig.server.clearFaults();
    const before = rig.server.requestsTo('objects').length;
    const resumed = await syncOnce(rig.harness.runtime, {}, { pollMs: 25 });
    expect(resumed.ok).toBe(true);
    expect(rig.server.requestsTo('objects')[before]!.query.added_after).toBe(shiftTimestamp(cursor!, -1));
    expect(rig.missing([...seeds, ...later])).toEqual([]);
  });
});
