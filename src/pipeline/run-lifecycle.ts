// Beginning and end of a run: where it starts (cursor, overlap, initial history), the sinks'
// units of work (OpenCTI works), and what happens once the run is done or failed.
import { describeError } from '../errors';
import type { RunInfo } from '../sinks/types';
import type { PipelineContext } from './context';
import type { RunRecord } from './run-state';
import { shiftTimestamp } from '../taxii';

/**
 * Where a new run starts (`added_after`, exclusive): after the saved cursor — exactly when the
 * previous run reached the end, else with `resume_overlap_secs` of overlap so that objects
 * sharing the boundary `date_added` are fetched again rather than lost. Without a cursor:
 * `added_after` from the config, or now minus `initial_history`.
 */
export async function startAfterFor(ctx: PipelineContext, source: string, collection: string): Promise<string> {
  const cursor = await ctx.store.getCursor(source, collection);
  if (cursor) return cursor.exact ? cursor.value : shiftTimestamp(cursor.value, -ctx.config.pipeline.resume_overlap_secs) ?? cursor.value;
  const s = ctx.sources.get(source);
  if (s?.added_after) return s.added_after;
  return new Date(ctx.now() - (s?.initialHistoryMs ?? 0)).toISOString();
}

function runInfo(source: string, collection: string, title: string, run: Pick<RunRecord, 'id' | 'startedAt'>): RunInfo {
  return { source, collection, collectionTitle: title, runId: run.id, startedAt: run.startedAt };
}

/** Opens the sinks' units of work for a run and remembers their ids. A failure here is logged, not fatal. */
export async function beginRunInSinks(ctx: PipelineContext, source: string, collection: string, title: string, runId: string): Promise<void> {
  const info = runInfo(source, collection, title, { id: runId, startedAt: new Date(ctx.now()).toISOString() });
  for (const sink of ctx.sinks.values()) {
    if (!sink.beginRun) continue;
    try {
      const workId = await sink.beginRun(info);
      if (workId) await ctx.store.setWork(source, collection, runId, sink.name, workId);
    } catch (err) {
      ctx.logger.warn('sink could not open a unit of work', { sink: sink.name, source, collection, runId, ...describeError(err) });
    }
  }
}

/** Closes the sinks' units of work and tells the observer; called once per run, by whoever ended it. */
export async function endRun(ctx: PipelineContext, source: string, collection: string): Promise<void> {
  const run = await ctx.store.getRun(source, collection);
  if (!run || run.status === 'running') return;
  const title = run.title || collection;
  const status = run.status;
  const fields = { source, collection, runId: run.id, pages: run.pages, fetched: run.fetched, delivered: run.delivered, rejected: run.rejected, deadLettered: run.deadLettered };
  if (status === 'done') ctx.logger.info('run finished', fields);
  else ctx.logger.error('run failed', { ...fields, error: run.error });
  for (const sink of ctx.sinks.values()) {
    if (!sink.endRun) continue;
    try {
      await sink.endRun(runInfo(source, collection, title, run), run.works[sink.name], {
        pages: run.pages,
        fetched: run.fetched,
        delivered: run.delivered,
        rejected: run.rejected,
        deadLettered: run.deadLettered + (status === 'failed' ? 1 : 0),
      });
    } catch (err) {
      ctx.logger.warn('sink could not close its unit of work', { sink: sink.name, source, collection, runId: run.id, ...describeError(err) });
    }
  }
  ctx.observer.runEnded?.({ source, collection, runId: run.id, status });
}
