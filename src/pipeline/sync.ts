// `sync --once`: one pass over the selected collections through the same queues as the service,
// waiting for every run to end, then a summary. A collection whose run was already going is
// awaited rather than started twice.
import { Job } from 'bullmq';
import { ConnectorError } from '../errors';
import type { CollectionTarget, PipelineContext } from './context';
import type { PollJob } from './jobs';
import type { RunCounters } from './run-state';
import { resolveTargets, type TargetFilter } from './scheduler';

export interface CollectionOutcome extends RunCounters {
  source: string;
  collection: string;
  title: string;
  runId?: string;
  status: 'done' | 'failed';
  error?: string;
}

export interface SyncSummary {
  collections: CollectionOutcome[];
  seconds: number;
  /** Every selected collection finished its pass. */
  ok: boolean;
  totals: RunCounters;
}

export interface SyncOptions {
  /** Called about every pollMs with the running totals. */
  onProgress?: (totals: RunCounters & { runsDone: number; runs: number }) => void;
  /** How often the runs are looked at, in milliseconds (default 20). */
  pollMs?: number;
}

const ZERO: RunCounters = { pages: 0, fetched: 0, delivered: 0, rejected: 0, deadLettered: 0, filtered: 0, upgraded: 0, duplicates: 0 };

function add(a: RunCounters, b: RunCounters): RunCounters {
  const out = { ...a };
  for (const k of Object.keys(ZERO) as Array<keyof RunCounters>) out[k] += b[k];
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function pollRunId(ctx: PipelineContext, t: CollectionTarget, pollMs: number): Promise<string> {
  const data: PollJob = { v: 1, source: t.source, collection: t.collection, apiRoot: t.apiRoot, title: t.title };
  const job = await ctx.queues.fetch.add('poll', data, { jobId: `sync.${t.source}.${t.collection}.${ctx.now()}`.replace(/:/g, '_') });
  for (;;) {
    const current = await Job.fromId(ctx.queues.fetch, job.id as string);
    const state = current ? await current.getState() : 'unknown';
    if (state === 'completed' && current?.returnvalue?.runId) return String(current.returnvalue.runId);
    if (state === 'failed') throw new ConnectorError(`could not start a run of ${t.source}/${t.title}: ${current?.failedReason}`, { code: 'SYNC_START_FAILED', retryable: false });
    await sleep(pollMs);
  }
}

export async function syncOnce(ctx: PipelineContext, filter: TargetFilter, options: SyncOptions = {}): Promise<SyncSummary> {
  const started = Date.now();
  const pollMs = options.pollMs ?? 20;
  const resolved = await resolveTargets(ctx, filter);
  if (resolved.targets.length === 0 && resolved.failures.length === 0) {
    const what = [filter.source && `source "${filter.source}"`, filter.collection && `collection "${filter.collection}"`].filter(Boolean).join(' and ');
    throw new ConnectorError(`no readable collection matches ${what || 'the configuration'}`, { code: 'SYNC_NOTHING_SELECTED', retryable: false });
  }
  const outcomes: CollectionOutcome[] = resolved.failures.map((f) => ({ ...ZERO, source: f.source, collection: '*', title: '*', status: 'failed', error: `${f.code}: ${f.message}` }));
  const runs = await Promise.all(resolved.targets.map(async (t) => ({ t, runId: await pollRunId(ctx, t, pollMs) })));
  const pending = new Map(runs.map((r) => [`${r.t.source}/${r.t.collection}`, r]));
  while (pending.size > 0) {
    let totals = { ...ZERO };
    for (const [key, { t, runId }] of pending) {
      const run = await ctx.store.getRun(t.source, t.collection);
      if (!run || run.id !== runId) {
        const last = await ctx.store.getLastRun(t.source, t.collection);
        const mine = last?.id === runId ? last : undefined;
        outcomes.push({ ...(mine ?? ZERO), source: t.source, collection: t.collection, title: t.title, runId, status: mine?.status === 'done' ? 'done' : 'failed', error: mine?.error ?? (mine ? undefined : 'the run was superseded') });
        pending.delete(key);
        continue;
      }
      if (run.status !== 'running') {
        outcomes.push({ ...run, source: t.source, collection: t.collection, title: t.title, runId, status: run.status, error: run.error });
        pending.delete(key);
        continue;
      }
      totals = add(totals, run);
    }
    for (const o of outcomes) totals = add(totals, o);
    options.onProgress?.({ ...totals, runsDone: outcomes.length, runs: outcomes.length + pending.size });
    if (pending.size > 0) await sleep(pollMs);
  }
  const totals = outcomes.reduce<RunCounters>((acc, o) => add(acc, o), { ...ZERO });
  return { collections: outcomes, seconds: (Date.now() - started) / 1000, ok: outcomes.every((o) => o.status === 'done'), totals };
}
