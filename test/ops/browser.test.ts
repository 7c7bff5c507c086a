// A real browser (Debian chromium through playwright-core) on the ops server over live queues: the
// dashboard lists the three queues, a delivery that failed for good is retried with a click and
// its objects arrive, and the status page shows the collection's cursor. Screenshots go to
// artifacts/ops/ (git-ignored).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { jobIds } from '../../src/pipeline/keys';
import { syncOnce } from '../../src/pipeline/sync';
import { baseRawConfig, buildConfig, uniquePrefix } from '../support/pipeline-harness';
import { waitFor } from '../support/reliability-setup';
import { startStixEndpoint, type StixEndpoint } from '../support/stix-endpoint';
import { generateObjects, startTaxiiServer, type TaxiiTestServer } from '../support/taxii-server';
import { startOpsHarness, type OpsHarness } from './ops-harness';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const SHOTS = join(__dirname, '..', '..', 'artifacts', 'ops');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('when an operator uses the ops pages in a browser', () => {
  let server: TaxiiTestServer;
  let endpoint: StixEndpoint;
  let h: OpsHarness;
  let browser: Browser;
  let page: Page;
  const seeds = generateObjects(80);

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get update && apt-get install -y chromium) to run the browser tests`);
    }
    mkdirSync(SHOTS, { recursive: true });
    server = await startTaxiiServer({ objects: seeds });
    endpoint = await startStixEndpoint();
    const raw = baseRawConfig({ prefix: uniquePrefix('ops-browser'), discoveryUrl: server.url });
    raw.sink = { type: 'http', url: endpoint.url };
    raw.connector = { name: 'TAXII ops test' };
    h = await startOpsHarness(buildConfig(raw));
    await h.start();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  });

  afterAll(async () => {
    await browser?.close();
    await h?.close();
    await endpoint?.close();
    await server?.close();
  });

  it('lists the fetch, deliver and dead-letter queues on the dashboard', async () => {
    await page.goto(`${h.ops.url}/dashboard`);
    for (const name of ['fetch', 'deliver', 'dead-letter']) {
      await page.locator(`a[href="/dashboard/queue/${name}"]`).first().waitFor({ state: 'visible', timeout: 10_000 });
    }
    await page.screenshot({ path: join(SHOTS, 'dashboard.png'), fullPage: true });
  });

  it('retries a delivery that failed for good with a click, and the objects arrive', async () => {
    // The endpoint refuses the credentials: the bundle fails for good and is dead-lettered.
    endpoint.replyNext({ status: 401, times: 1000 });
    const summary = await syncOnce(h.runtime, {});
    expect(summary.totals).toMatchObject({ fetched: seeds.length, delivered: 0, deadLettered: seeds.length });
    const jobId = jobIds.deliver('feed', server.defaultCollectionId, '1', 0, 0, 'http');
    const job = await h.runtime.queues.deliver.getJob(jobId);
    // The run counts the bundle dead-lettered before BullMQ has moved its job to the failed set.
    await waitFor('the delivery job to be failed', async () => (await job?.getState()) === 'failed', 10_000);
    expect(await job?.getState()).toBe('failed');
    expect(await h.runtime.deadLetters.count()).toBe(1);

    // The endpoint is fixed; the operator retries the job from the failed tab.
    endpoint.clearReplies();
    await page.goto(`${h.ops.url}/dashboard/queue/deliver?status=failed`);
    await page.getByText(jobId).first().waitFor({ state: 'visible', timeout: 10_000 });
    await page.screenshot({ path: join(SHOTS, 'deliver-failed.png'), fullPage: true });
    await page.locator('ul[class*="jobActions"] button:has(svg.lucide-refresh-cw)').first().click();
    await page.getByText('retry this job').waitFor({ state: 'visible', timeout: 5000 });
    await page.getByRole('button', { name: 'Confirm' }).click();

    let state = '';
    for (let i = 0; i < 100 && state !== 'completed'; i++) {
      state = (await (await h.runtime.queues.deliver.getJob(jobId))?.getState()) ?? '';
      if (state !== 'completed') await sleep(100);
    }
    expect(state).toBe('completed');
    expect(new Set(endpoint.objects.map((o) => o.id))).toEqual(new Set(seeds.map((s) => s.object.id as string)));
    expect(await h.runtime.deadLetters.count()).toBe(0);
    await page.goto(`${h.ops.url}/dashboard/queue/deliver?status=completed`);
    await page.getByText(jobId).first().waitFor({ state: 'visible', timeout: 10_000 });
    await page.screenshot({ path: join(SHOTS, 'deliver-retried.png'), fullPage: true });
  });

  it("shows the collection's cursor on the status page", async () => {
    const cursor = await h.runtime.store.getCursor('feed', server.defaultCollectionId);
    expect(cursor?.value).toBe(seeds.at(-1)?.date_added);
    await page.goto(`${h.ops.url}/status`);
    await page.getByText(cursor!.value).waitFor({ state: 'visible', timeout: 5000 });
    expect(await page.title()).toContain('TAXII ops test');
    expect(await page.locator('body').innerText()).toContain('Test feed');
    await page.screenshot({ path: join(SHOTS, 'status.png'), fullPage: true });
  });
});
