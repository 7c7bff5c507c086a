// Replaying dead-letter entries once their cause is fixed: bundles are delivered again to their
// sink; refused objects are checked again and delivered if they now pass; a failed page starts a
// new run of its collection. An entry disappears only when nothing of it is left undelivered.
import { ConnectorError, describeError } from '../errors';
import { toBundles } from '../stix/bundles';
import { normalize } from '../stix/normalize';
import type { StixBundle, StixObject } from '../stix/types';
import type { PipelineContext } from './context';
import type { DeadLetterItem } from './dead-letter';
import type { PollJob } from './jobs';

export interface ReplayOutcome {
  id: string;
  delivered: number;
  /** Objects still undelivered (the entry stays with them). */
  remaining: number;
  error?: string;
}

async function deliverAll(ctx: PipelineContext, item: DeadLetterItem, objects: StixObject[], sinkName?: string): Promise<{ delivered: number; refused: NonNullable<DeadLetterItem['entry']['rejections']> }> {
  const e = item.entry;
  const sinks = sinkName ? [ctx.sinks.get(sinkName)] : [...ctx.sinks.values()];
  if (sinks.some((s) => !s)) throw new ConnectorError(`sink "${sinkName}" is not configured any more`, { code: 'REPLAY_NO_SINK', retryable: false });
  const bundles = toBundles(objects, { maxObjects: ctx.config.stix.bundle_max_objects, maxBytes: ctx.config.stix.bundle_max_bytes, idSeed: `replay/${item.id}/${e.replays}` });
  let delivered = 0;
  const refused: NonNullable<DeadLetterItem['entry']['rejections']> = [];
  for (const sink of sinks) {
    for (const b of bundles) {
      const r = await sink!.deliver(b, { source: e.source, collection: e.collection, runId: `replay-${item.id}` });
      delivered += r.delivered;
      refused.push(...r.rejected);
    }
  }
  return { delivered, refused };
}

export async function replay(ctx: PipelineContext, item: DeadLetterItem): Promise<ReplayOutcome> {
  const e = item.entry;
  try {
    if (e.kind === 'page') {
      const [target] = (await ctx.reader(e.source).resolveCollections([e.collection])).filter((c) => c.id === e.collection);
      if (!target) throw new ConnectorError(`collection ${e.collection} is not readable any more`, { code: 'REPLAY_NO_COLLECTION', retryable: false });
      const data: PollJob = { v: 1, source: e.source, collection: e.collection, apiRoot: target.apiRootUrl, title: target.title };
      await ctx.queues.fetch.add('poll', data, { jobId: `replay.${item.id}.${ctx.now()}` });
      await ctx.deadLetters.remove(item.id);
      return { id: item.id, delivered: 0, remaining: 0 };
    }
    let objects: StixObject[];
    let rejectedAgain: NonNullable<DeadLetterItem['entry']['rejections']> = [];
    if (e.kind === 'bundle') {
      objects = (e.bundle as StixBundle).objects;
    } else {
      const again = normalize((e.rejections ?? []).map((r) => r.raw), { upgrade20: ctx.config.stix.upgrade_2_0, now: new Date(ctx.now()) });
      objects = again.objects;
      rejectedAgain = again.rejected;
    }
    const { delivered, refused } = objects.length > 0 ? await deliverAll(ctx, item, objects, e.sink) : { delivered: 0, refused: [] };
    const remaining = [...rejectedAgain, ...refused];
    if (remaining.length === 0) await ctx.deadLetters.remove(item.id);
    else await ctx.deadLetters.update(item.id, { ...e, kind: 'rejected', bundle: undefined, rejections: remaining, replays: e.replays + 1 });
    return { id: item.id, delivered, remaining: remaining.length };
  } catch (err) {
    const info = describeError(err);
    await ctx.deadLetters.update(item.id, { ...e, replays: e.replays + 1, code: info.code, message: info.message });
    const count = e.kind === 'bundle' ? (e.bundle as StixBundle).objects.length : (e.rejections?.length ?? 0);
    return { id: item.id, delivered: 0, remaining: count, error: `${info.code}: ${info.message}` };
  }
}
