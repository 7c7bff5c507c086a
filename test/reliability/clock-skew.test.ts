// The local clock does not steer the feed: with the clock an hour ahead or behind (injected as the
// runtime's `now`), two passes fetch the same objects with the same added_after values and end on
// the same cursor (the server's X-TAXII-Date-Added-Last) as with the true clock. Run bookkeeping
// that compares clocks (a running run's heartbeat) must not be fooled by one host's skew either.
import type { Job } from 'bullmq';
import { startRun } from '../../src/pipeline/fetch-worker';
import { syncOnce } from '../../src/pipeline/sync';
import { recordFigures } from '../support/reliability-figures';
import { startRig, type Rig } from '../support/reliability-setup';
import { generateObjects, type TaxiiSeed } from '../support/taxii-server';
import { buildConfig, startHarness, type Harness } from '../support/pipeline-harness';

jest.setTimeout(60_000);

const HOUR = 3_600_000;
const first = generateObjects(400, { sameDateGroups: 3 });
const later = generateObjects(120, { startDate: '2025-03-01T10:00:00.000000Z', seed: 5 }).slice(1);

interface Outcome {
  ids: string[];
  cursors: Array<string | undefined>;
  addedAfter: Array<string | undefined>;
  requests: number;
}

/** Two passes (everything, then what was added since) with the runtime's clock moved by `skewMs`. */
async function twoPasses(label: string, skewMs: number): Promise<Outcome> {
  const rig: Rig = await startRig(label, { objects: first }, { pageSize: 60, runtime: { now: () => Date.now() + skewMs } });
  try {
    const cursors: Array<string | undefined> = [];
    const one = await syncOnce(rig.harness.runtime, {}, { pollMs: 25 });
    expect(one.ok).toBe(true);
    cursors.push(await rig.cursor());
    rig.server.addObjects(rig.server.defaultCollectionId, later);
    const two = await syncOnce(rig.harness.runtime, {}, { pollMs: 25 });
    expect(two.ok).toBe(true);
    cursors.push(await rig.cursor());
    const objects = rig.server.requestsTo('objects');
    return { ids: [...rig.delivered().keys()].sort(), cursors, addedAfter: objects.map((r) => r.query.added_after), requests: objects.length };
  } finally {
    await rig.close();
  }
}

const idsOf = (seeds: readonly TaxiiSeed[]) => [...new Set(seeds.map((s) => String(s.object.id)))].sort();

describe('when the local clock is an hour off', () => {
  let truth: Outcome;
  beforeAll(async () => {
    truth = await twoPasses('clock-true', 0);
  });

  it('fetches everything with the true clock, ending on the server cursor', () => {
    expect(truth.ids).toEqual(idsOf([...first, ...later]));
    expect(truth.cursors).toEqual([first.at(-1)!.date_added, later.at(-1)!.date_added]);
  });

  it.each([
    ['ahead', HOUR],
    ['behind', -HOUR],
  ])('an hour %s changes nothing: same objects, same cursors, same added_after on every request', async (name, skew) => {
    const skewed = await twoPasses(`clock-${name}`, skew);
    expect(skewed.ids).toEqual(truth.ids);
    expect(skewed.cursors).toEqual(truth.cursors);
    expect(skewed.addedAfter).toEqual(truth.addedAfter);
    recordFigures(`clock an hour ${name}`, {
      objectsDelivered: skewed.ids.length,
      expected: truth.ids.length,
      requests: skewed.requests,
      sameAddedAfter: JSON.stringify(skewed.addedAfter) === JSON.stringify(truth.addedAfter),
      cursor: skewed.cursors.at(-1) ?? null,
    });
  });
});

describe('when one worker host has its clock an hour ahead of the others', () => {
  // duration_period PT5M: a run counts as abandoned after max(2 × 5 min, stale_run_secs = 1 h).
  let rig: Rig;
  let ahead: Harness;
  beforeAll(async () => {
    rig = await startRig('clock-hosts', { objects: first }, { workers: false, edit: (raw) => (raw.connector = { duration_period: 'PT5M' }) });
    ahead = await startHarness(buildConfig(rig.raw), { now: () => Date.now() + HOUR + 1000 });
  });
  afterAll(async () => {
    await ahead.runtime.close();
    await rig.close();
  });

  it('does not take over a run that is going on elsewhere when it picks up the next tick', async () => {
    const data = { v: 1, source: 'feed', collection: rig.server.defaultCollectionId, apiRoot: rig.server.apiRootUrl, title: 'Test feed' };
    const running = await startRun(rig.harness.runtime, { id: 'tick-1', data } as unknown as Job);
    expect(running.skipped).toBe(false);
    const tick = await startRun(ahead.runtime, { id: 'tick-2', data } as unknown as Job);
    expect(tick).toEqual({ runId: running.runId, skipped: true });
    expect(await rig.harness.runtime.store.getStats('feed', rig.server.defaultCollectionId)).toMatchObject({ abandonedRuns: 0, skippedTicks: 1 });
  });
});
