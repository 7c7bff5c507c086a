// The fetch worker: `poll` jobs start a run of a collection; `page` jobs fetch one page, keep it in
// Redis and enqueue the next page at once, then normalize it (in a worker thread), store its
// bundles and enqueue their deliveries. Pages of a run run up to `max_pages_in_flight` ahead of the
// cursor, and wait while the deliver queue or a sink is backed up.
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { ConnectorError, describeError } from '../errors';
import { pageBodies } from '../http/body-pool';
import { displayUrl } from '../http/request';
import { badEnvelopeError, badJsonError, compareTimestamps, shiftTimestamp, type ObjectsPageBody } from '../taxii';
import type { PipelineContext } from './context';
import type { EnvelopeFacts, NormalizedPage, PageSettings } from './normalize-page';
import type { PageWork } from './normalizer';
import type { FetchedResult, RecordedPage } from './run-state';
import { BundleHandoff } from './handoff';
import { FetchJob, PollJob, type DeliverJob } from './jobs';
import { jobIds } from './keys';
import { isFinalFailure } from './queues';
import { beginRunInSinks, endRun, startAfterFor } from './run-lifecycle';

/** How long a page waits before looking at the gates again, in milliseconds. */
const GATE_RETRY_MS = 250;

export function fetchProcessor(ctx: PipelineContext) {
  return async (job: Job, token?: string): Promise<unknown> => {
    if (job.name === 'poll') return startRun(ctx, job);
    return fetchPage(ctx, job, token);
  };
}

/** Starts a run unless the previous one is still going; then enqueues its first page. */
export async function startRun(ctx: PipelineContext, job: Job): Promise<{ runId?: string; skipped: boolean }> {
  const data = PollJob.parse(job.data);
  const { source, collection } = data;
  const startAfter = await startAfterFor(ctx, source, collection);
  const staleMs = Math.max(ctx.config.durationPeriodMs * 2, ctx.config.pipeline.stale_run_secs * 1000);
  const runId = await ctx.store.nextRunId(source, collection);
  const r = await ctx.store.startRun(source, collection, { runId, ticket: job.id ?? runId, title: data.title, startAfter, staleMs });
  if (!r.started && !r.resumed) {
    ctx.logger.info('run skipped: the previous run is still going', { source, collection, activeRun: r.runId });
    ctx.observer.tickSkipped?.({ source, collection });
    return { runId: r.runId, skipped: true };
  }
  if (r.started) {
    ctx.logger.info('run started', { source, collection, runId: r.runId, addedAfter: startAfter });
    await beginRunInSinks(ctx, source, collection, data.title, r.runId);
  }
  const run = await ctx.store.getRun(source, collection);
  const first: FetchJob = { v: 1, source, collection, apiRoot: data.apiRoot, runId: r.runId, page: 0, addedAfter: run?.startAfter, resumeAfter: run?.startAfter };
  await ctx.queues.fetch.add('page', first, { jobId: jobIds.fetch(source, collection, r.runId, 0) });
  return { runId: r.runId, skipped: false };
}

/** How many deliveries are waiting or under way (the deliver-queue gate). */
async function pendingDeliveries(ctx: PipelineContext): Promise<number> {
  const counts = await ctx.queues.deliver.getJobCounts('wait', 'delayed', 'prioritized', 'active');
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

async function gateClosed(ctx: PipelineContext, page: number, doneUpTo: number, pending: number): Promise<string | undefined> {
  const { max_pages_in_flight, max_pending_bundles } = ctx.config.pipeline;
  if (page - (doneUpTo + 1) >= max_pages_in_flight) return 'pages in flight';
  if (pending > max_pending_bundles) return 'deliver queue';
  for (const sink of ctx.sinks.values()) if (sink.backpressure && (await sink.backpressure())) return `sink ${sink.name}`;
  return undefined;
}

function loopError(message: string, code: string): ConnectorError {
  return new ConnectorError(message, { code, retryable: false });
}

async function fetchPage(ctx: PipelineContext, job: Job, token?: string): Promise<unknown> {
  const data = FetchJob.parse(job.data);
  const { source, collection, runId, page } = data;
  const log = ctx.logger.child({ source, collection, runId, page, jobId: job.id });
  // One round trip before the request: the run, the page, the deliver queue for the gate, and the
  // page's `next` token marked as sent. The mark comes first because a token must never go out
  // twice; when the page turns out not to be requested now, a mark made here is taken back.
  let [run, paging, pending, tokenFresh] = await Promise.all([
    ctx.store.getRun(source, collection),
    ctx.store.getPage(source, collection, runId, page),
    pendingDeliveries(ctx),
    data.next === undefined ? undefined : ctx.store.markTokenSent(source, collection, page),
  ]);
  const notSent = async (): Promise<void> => {
    if (tokenFresh === true) await ctx.store.unmarkTokenSent(source, collection, page);
  };
  if (!run || run.id !== runId || run.status !== 'running') {
    log.debug('page of a run that is not current: skipped');
    await notSent();
    return { stale: true };
  }
  // Set when a loop guard failed the run (in Redis, with the page's record).
  let runFailed = false;
  try {
    // The page under way in the normalizer, started as soon as it was received, and its body.
    let work: PageWork | undefined;
    let body: Buffer | undefined;
    if (!paging) {
      // A sink that cannot say whether it is backed up fails the job: the retry finds the token unused.
      const closed = await gateClosed(ctx, page, run.doneUpTo, pending).catch(async (err: unknown) => {
        await notSent();
        throw err;
      });
      if (closed) {
        await notSent();
        // Waiting is progress too: the run stays alive while a sink is backed up.
        await ctx.store.touch(source, collection, runId);
        await job.moveToDelayed(Date.now() + GATE_RETRY_MS, token);
        throw new DelayedError(`waiting: ${closed}`);
      }
      const received = await fetchAndGuard(ctx, data, tokenFresh, log);
      const { facts, raw } = received;
      paging = { normalized: false, deliveries: 0, parts: 0, final: !facts.more, last: raw.dateAddedLast, next: facts.next, addedAfter: received.addedAfter };
      // The page is kept in Redis, its loop guards applied and the next one asked for in the same
      // round trip. Redis runs them in order: a page that trips a guard fails the run before the
      // next page's job exists, and that job, like any of a run superseded meanwhile, is skipped.
      const loops = loopErrors(page);
      const guard = { digest: facts.digest, objects: facts.objects, sent: received.sent, repeatedError: runError(loops.repeated), identicalError: runError(loops.identical) };
      const [fetched] = await Promise.all([ctx.store.recordFetched(source, collection, { runId, page, ...paging, body: raw.body, guard }), enqueueNextPage(ctx, data, paging)]);
      if (fetched.loop) {
        runFailed = true;
        throw loops[fetched.loop];
      }
      if (!fetched.current) return { stale: true };
      work = received.work;
      body = raw.body;
    } else {
      // Received before (by a worker that stopped): the next page may not have been asked for.
      await enqueueNextPage(ctx, data, paging);
    }
    // The page is safe in Redis and the next one asked for: normalize this one.
    let completed = false;
    let bundleFacts: BundleFacts[] | undefined;
    if (!paging.normalized) {
      work ??= ctx.normalizer.start(await storedBody(ctx, data), pageSettings(ctx, data));
      const normalized = await work.page;
      // Redis has the body and the normalizer is done with it: its memory can take the next page.
      if (body !== undefined) pageBodies.giveBack(body);
      const r = await normalizeAndRecord(ctx, job, data, normalized, log);
      if (!r.current) return { stale: true };
      paging = { ...paging, normalized: true, deliveries: r.deliveries, parts: r.parts, tag: r.tag };
      completed = r.completed;
      bundleFacts = r.bundles;
    }
    await enqueueDeliveries(ctx, data, run.works, paging.parts, paging.tag, bundleFacts);
    if (completed) await endRun(ctx, source, collection);
    return { page, deliveries: paging.deliveries, more: !paging.final };
  } catch (err) {
    if (err instanceof DelayedError) throw err;
    const info = describeError(err);
    if (!isFinalFailure(err, job)) {
      log.warn('page failed, will retry', { ...info, attempt: job.attemptsMade + 1 });
      throw err;
    }
    await ctx.deadLetters.add(job.id ?? `${runId}.${page}`, { kind: 'page', source, collection, runId, page, code: info.code, message: info.message, attempts: job.attemptsMade + 1 });
    const error = runError(info);
    if (runFailed || (await ctx.store.failRun(source, collection, runId, error))) await endRun(ctx, source, collection);
    throw new UnrecoverableError(error);
  }
}

/** How the normalizer treats a page of this job: the source's enrichment and filters, bundle limits, bundle ids. */
function pageSettings(ctx: PipelineContext, data: FetchJob): PageSettings {
  const { source, collection, runId, page } = data;
  const settings = ctx.sources.get(source);
  const { stix } = ctx.config;
  return {
    upgrade20: stix.upgrade_2_0, enrich: settings?.enrich, filter: settings?.filter, nowMs: ctx.now(),
    maxObjects: stix.bundle_max_objects, maxBytes: stix.bundle_max_bytes, idSeed: `${source}/${collection}/${runId}/${page}`,
  };
}

interface Received {
  raw: ObjectsPageBody;
  facts: EnvelopeFacts;
  /** The page in the normalizer. */
  work: PageWork;
  /** `added_after` of the request that fetched the page. */
  addedAfter?: string;
  /** The `next` token the request carried. */
  sent?: string;
}

/**
 * Fetches the page (never re-sending a used token: `tokenFresh` says whether this job's mark of
 * the page's token was the first), hands it to the normalizer, and applies to its envelope the
 * loop guard that needs nothing of the run.
 */
async function fetchAndGuard(ctx: PipelineContext, data: FetchJob, tokenFresh: boolean | undefined, log: PipelineContext['logger']): Promise<Received> {
  const { source, collection, page } = data;
  let { addedAfter, next } = data;
  if (next !== undefined && tokenFresh !== true) {
    // The token went out once already (a crash or a failed request): it may have moved a
    // server-side cursor or expired. Resume from the last page received, with the overlap.
    addedAfter = data.resumeAfter ? shiftTimestamp(data.resumeAfter, -ctx.config.pipeline.resume_overlap_secs) ?? data.resumeAfter : data.addedAfter;
    log.warn('not re-sending a used next token: resuming from added_after', { addedAfter });
    next = undefined;
  }
  const started = Date.now();
  let raw: ObjectsPageBody;
  try {
    raw = await ctx.pageSource(source).fetchPage({ apiRoot: data.apiRoot, collection, addedAfter, next });
  } catch (err) {
    // A refused or expired token is not final: the retry resumes from added_after (it will not
    // send the token again, see above).
    if (next !== undefined && err instanceof ConnectorError && err.code === 'TAXII_NEXT_REJECTED') {
      throw new ConnectorError(err.message, { code: err.code, retryable: true, status: err.status });
    }
    throw err;
  }
  const work = ctx.normalizer.start(raw.body, pageSettings(ctx, data));
  const outcome = await work.envelope;
  if (!outcome.ok) {
    throw outcome.kind === 'BAD_JSON'
      ? badJsonError(raw.what, 'TAXII', outcome.reason, { url: displayUrl(raw.request.url), status: raw.status, content_type: raw.contentType, bytes: raw.bytes })
      : badEnvelopeError(raw.what, raw.status, raw.request.url, outcome.issues);
  }
  const fetched = { ...outcome.facts, dateAddedLast: raw.dateAddedLast };
  ctx.observer.pageFetched?.({ source, collection, objects: fetched.objects, bytes: raw.bytes, ms: Date.now() - started });

  // The loop guard that needs nothing of the run (the others go with the page's record, see
  // loopErrors). TAXII 2.1 §3.4: `more` without `next` means "go on with added_after =
  // X-TAXII-Date-Added-Last". Without that header, or when it does not move past the query's
  // added_after, there is no way on.
  if (fetched.more && !fetched.next && !(fetched.dateAddedLast && (!addedAfter || compareTimestamps(fetched.dateAddedLast, addedAfter) > 0))) {
    throw loopError(`the server said more=true without a next token and without a later X-TAXII-Date-Added-Last (page ${page})`, 'TAXII_LOOP_MORE_WITHOUT_NEXT');
  }
  if (!fetched.dateAddedLast && fetched.objects > 0) log.warn('page without X-TAXII-Date-Added-Last: the cursor cannot move past it');
  return { raw, facts: outcome.facts, work, addedAfter, sent: next };
}

/** A run's error, as the run and its summary show it. */
function runError(err: { code: string; message: string }): string {
  return `${err.code}: ${err.message}`;
}

/**
 * The errors of the loop guards that go with the page's record (RECORD_FETCHED applies them, DESIGN:
 * a server fault ends the run with a clear error). The rule is the client's LoopGuard: a token
 * received before is a loop, unless it is the token just sent and the page moved on (a server-side
 * cursor keeps one token for the whole paging, as the OASIS server does); only a request that
 * carried a token can get "the same page again".
 */
function loopErrors(page: number): Record<NonNullable<FetchedResult['loop']>, ConnectorError> {
  return {
    repeated: loopError(`the server repeated a next token already seen in this run without moving on (page ${page})`, 'TAXII_LOOP_REPEATED_NEXT'),
    identical: loopError(`the server sent page ${page} identical to the page before`, 'TAXII_LOOP_IDENTICAL_PAGE'),
  };
}

/** The envelope of a page received before a crash, as kept in Redis. */
async function storedBody(ctx: PipelineContext, data: FetchJob): Promise<Buffer> {
  const body = await ctx.store.getRawPage(data.source, data.collection, data.runId, data.page);
  if (body === null) throw new ConnectorError(`page ${data.page} of run ${data.runId} was received but its content is gone`, { code: 'PIPELINE_PAGE_LOST', retryable: false });
  return body;
}

/** Checks and bundles the page's objects, dead-letters the rejected ones, and records the page. */
async function normalizeAndRecord(ctx: PipelineContext, job: Job, data: FetchJob, result: NormalizedPage, log: PipelineContext['logger']) {
  const { source, collection, runId, page } = data;
  const { bundles } = result;
  const rejectedByReason: Record<string, number> = {};
  for (const r of result.rejected) rejectedByReason[r.reason] = (rejectedByReason[r.reason] ?? 0) + 1;
  ctx.observer.pageNormalized?.({ source, collection, accepted: result.accepted, rejectedByReason, filtered: result.filtered, upgraded: result.upgraded });
  if (result.rejected.length > 0) {
    await ctx.deadLetters.add(job.id ?? `${runId}.${page}`, {
      kind: 'rejected', source, collection, runId, page, code: 'STIX_REJECTED', message: `${result.rejected.length} object(s) failed validation`, attempts: 1, rejections: result.rejected,
    });
    ctx.observer.deadLettered?.({ kind: 'rejected', source, collection, objects: result.rejected.length });
    log.warn('objects rejected', { rejected: result.rejected.length, reasons: rejectedByReason });
  }
  const deliveries = bundles.length * ctx.sinks.size;
  // The bytes came from the thread: Buffers over them, no copy.
  const jsons = bundles.map((b) => Buffer.from(b.json.buffer, b.json.byteOffset, b.json.byteLength));
  const r = await ctx.store.recordPage(source, collection, {
    runId, page, deliveries, bundles: jsons,
    fetched: result.fetched, rejected: result.rejected.length, filtered: result.filtered, upgraded: result.upgraded, duplicates: result.duplicates,
  });
  // The bundles' memory goes to the handoff, or back to the normalizer when another attempt's bundles count.
  for (const [part, json] of jsons.entries()) {
    if (r.recorded) ctx.handoff.put(BundleHandoff.key(source, collection, runId, page, part), json, ctx.sinks.keys());
    else ctx.normalizer.reuse(json);
  }
  log.debug('page recorded', { objects: result.fetched, bundles: bundles.length });
  // Facts of these bundles, for the deliveries; not when another attempt's bundles are the ones recorded.
  const facts = r.recorded ? bundles.map((b) => ({ id: b.id, objects: b.objects })) : undefined;
  return { current: r.current, completed: r.completed, deliveries, parts: bundles.length, tag: r.tag, bundles: facts };
}

/** The next page's job (idempotent by job id): with a token the query repeats; without (§3.4) it goes on after this page. */
async function enqueueNextPage(ctx: PipelineContext, data: FetchJob, rec: RecordedPage): Promise<void> {
  if (rec.final) return;
  const nextJob: FetchJob = {
    v: 1, source: data.source, collection: data.collection, apiRoot: data.apiRoot, runId: data.runId, page: data.page + 1,
    addedAfter: rec.next ? rec.addedAfter ?? data.addedAfter : rec.last, next: rec.next, resumeAfter: rec.last ?? data.resumeAfter,
  };
  await ctx.queues.fetch.add('page', nextJob, { jobId: jobIds.fetch(data.source, data.collection, data.runId, data.page + 1) });
}

interface BundleFacts {
  id: string;
  objects: number;
}

/**
 * Deliver jobs for the page's bundles, one per sink: idempotent by job id. `works`: the sinks' units
 * of work of the run (set when it started, before its first page).
 */
async function enqueueDeliveries(ctx: PipelineContext, data: FetchJob, works: Readonly<Record<string, string>>, parts: number, tag: string | undefined, facts?: BundleFacts[]): Promise<void> {
  const { source, collection, runId, page } = data;
  if (parts === 0) return;
  const jobs: Array<{ name: string; data: DeliverJob; opts: { jobId: string } }> = [];
  for (let part = 0; part < parts; part++) {
    for (const sink of ctx.sinks.values()) {
      const f = facts?.[part];
      const d: DeliverJob = {
        v: 1, source, collection, runId, page, part, sink: sink.name,
        ...(tag !== undefined ? { tag } : {}),
        ...(f ? { bundleId: f.id, objects: f.objects } : {}),
        ...(works[sink.name] ? { workId: works[sink.name] } : {}),
      };
      jobs.push({ name: 'bundle', data: d, opts: { jobId: jobIds.deliver(source, collection, runId, page, part, sink.name) } });
    }
  }
  await ctx.queues.deliver.addBulk(jobs);
}
