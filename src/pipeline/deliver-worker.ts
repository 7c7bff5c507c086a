// The deliver worker: one bundle to one sink. Success, a partial refusal, or a final failure all
// finish the delivery exactly once (the page's countdown), so the cursor can move; final failures
// are dead-lettered with the bundle and also left in BullMQ's failed set, where a retry from the
// dashboard delivers again (and clears the dead-letter entry when it succeeds).
import { UnrecoverableError, type Job } from 'bullmq';
import { describeError } from '../errors';
import { storedText } from '../sinks/types';
import type { StixBundle } from '../stix/types';
import type { PipelineContext } from './context';
import { BundleHandoff } from './handoff';
import { DeliverJob } from './jobs';
import { jobIds } from './keys';
import { isFinalFailure } from './queues';
import { endRun } from './run-lifecycle';

export function deliverProcessor(ctx: PipelineContext) {
  return async (job: Job): Promise<unknown> => {
    const data = DeliverJob.parse(job.data);
    // This process's own copy when it normalized the page (used as long as Redis still has it pending).
    const local = ctx.handoff.take(BundleHandoff.key(data.source, data.collection, data.runId, data.page, data.part), data.sink);
    try {
      return await deliver(ctx, job, data, local);
    } finally {
      // Nothing reads the local copy any more: its memory can be used again.
      if (local !== undefined) ctx.handoff.done(local);
    }
  };
}

/** One delivery attempt of the bundle `data` names, from `local` while Redis has it pending, else from Redis. */
async function deliver(ctx: PipelineContext, job: Job, data: DeliverJob, local: Buffer | undefined): Promise<unknown> {
  const { source, collection, runId, page, part } = data;
  const jobId = job.id ?? jobIds.deliver(source, collection, runId, page, part, data.sink);
  const log = ctx.logger.child({ source, collection, runId, page, part, sink: data.sink, jobId });
  const sink = ctx.sinks.get(data.sink);
  if (!sink) throw new UnrecoverableError(`no sink named "${data.sink}" is configured`);

  const dlqId = jobIds.deadLetter(jobId);
  const parked = await ctx.deadLetters.get(dlqId);
  const pending = local !== undefined && (await ctx.store.hasBundle(source, collection, page, part, data.tag)) ? local : undefined;
  const text = pending ?? (await ctx.store.getBundle(source, collection, page, part, data.tag)) ?? (parked?.entry.kind === 'bundle' ? JSON.stringify(parked.entry.bundle) : null);
  if (text === null) {
    log.debug('bundle already finished or its run superseded: nothing to deliver');
    return { stale: true };
  }
  let parsed: StixBundle | undefined;
  const bundle = (): StixBundle => (parsed ??= JSON.parse(storedText(text)) as StixBundle);
  const deliveryId = `${page}.${part}.${data.sink}`;
  const started = Date.now();
  try {
    const dctx = { source, collection, runId, workId: data.workId };
    const result =
      sink.deliverText && data.bundleId !== undefined && data.objects !== undefined && !parked
        ? await sink.deliverText(text, { id: data.bundleId, objects: data.objects }, dctx)
        : await sink.deliver(bundle(), dctx);
    ctx.observer.delivered?.({ sink: sink.name, source, collection, objects: result.delivered, ms: Date.now() - started });
    if (result.rejected.length > 0) {
      await ctx.deadLetters.add(`${jobId}.refused`, {
        kind: 'rejected', source, collection, runId, page, part, sink: sink.name, code: 'SINK_REFUSED',
        message: `${result.rejected.length} object(s) refused by sink ${sink.name}`, attempts: job.attemptsMade + 1, rejections: result.rejected,
      });
      ctx.observer.deadLettered?.({ kind: 'rejected', source, collection, objects: result.rejected.length });
      log.warn('objects refused by the sink', { refused: result.rejected.length });
    }
    if (parked) await ctx.deadLetters.remove(dlqId);
    await finish(ctx, data, deliveryId, result.delivered, result.rejected.length);
    return { delivered: result.delivered, refused: result.rejected.length };
  } catch (err) {
    const info = describeError(err);
    const final = isFinalFailure(err, job);
    ctx.observer.deliveryFailed?.({ sink: sink.name, code: info.code, final });
    if (!final) {
      log.warn('delivery failed, will retry', { code: info.code, message: info.message, attempt: job.attemptsMade + 1 });
      throw err;
    }
    await ctx.deadLetters.add(jobId, {
      kind: 'bundle', source, collection, runId, page, part, sink: sink.name, code: info.code, message: info.message, attempts: job.attemptsMade + 1, bundle: bundle(),
    });
    const objects = bundle().objects.length;
    ctx.observer.deadLettered?.({ kind: 'bundle', source, collection, objects });
    log.error('delivery dead-lettered', { code: info.code, message: info.message, attempts: job.attemptsMade + 1, objects });
    await finish(ctx, data, deliveryId, 0, objects);
    throw new UnrecoverableError(`${info.code}: ${info.message}`);
  }
}

async function finish(ctx: PipelineContext, data: DeliverJob, deliveryId: string, delivered: number, deadLettered: number): Promise<void> {
  const r = await ctx.store.finishDelivery(data.source, data.collection, { runId: data.runId, deliveryId, page: data.page, delivered, deadLettered });
  if (r.completed) await endRun(ctx, data.source, data.collection);
}
