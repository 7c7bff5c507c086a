// The status report behind /status: per source and collection, the cursor, the last run and its
// counts, and the lag; plus queue depths. Names and counts only, never a credential; error texts
// are redacted.
import { redact } from '../log';
import type { PipelineContext } from '../pipeline/context';
import type { RunRecord } from '../pipeline/run-state';
import { readCollections, type CollectionState } from './collections';
import { QUEUE_STATES } from './metrics';

export interface RunView {
  id: string;
  status: RunRecord['status'];
  startedAt: string;
  endedAt?: string;
  pages: number;
  /** Objects received from the server. */
  objectsIn: number;
  /** Objects accepted by the sinks. */
  objectsOut: number;
  rejected: number;
  deadLettered: number;
  filtered: number;
  error?: string;
}

export interface CollectionStatus {
  source: string;
  collection: string;
  title: string;
  scheduled: boolean;
  cursor: string | null;
  cursorExact: boolean | null;
  cursorUpdatedAt: string | null;
  lagSeconds: number | null;
  running: RunView | null;
  lastRun: RunView | null;
  runs: number;
  skippedTicks: number;
}

export interface SourceStatus {
  name: string;
  /** Collection ids or titles the configuration selects (`*`: all readable). */
  selectors: string[];
  collections: CollectionStatus[];
}

export interface StatusReport {
  connector: string;
  generatedAt: string;
  sources: SourceStatus[];
  queues: Record<string, Record<string, number>>;
  deadLetterEntries: number;
  sinks: Array<{ name: string; type: string }>;
}

function runView(r: RunRecord | undefined): RunView | null {
  if (!r) return null;
  return {
    id: r.id, status: r.status, startedAt: r.startedAt, endedAt: r.endedAt, pages: r.pages, objectsIn: r.fetched, objectsOut: r.delivered,
    rejected: r.rejected, deadLettered: r.deadLettered, filtered: r.filtered, error: r.error ? redact(r.error) : undefined,
  };
}

function collectionStatus(c: CollectionState): CollectionStatus {
  return {
    source: c.source, collection: c.collection, title: c.title, scheduled: c.scheduled,
    cursor: c.cursor?.value ?? null, cursorExact: c.cursor ? c.cursor.exact : null, cursorUpdatedAt: c.cursor?.updatedAt ?? null,
    lagSeconds: c.lagSeconds === undefined ? null : Math.round(c.lagSeconds), running: runView(c.running), lastRun: runView(c.lastRun),
    runs: c.runs, skippedTicks: c.skippedTicks,
  };
}

export async function buildStatus(ctx: PipelineContext): Promise<StatusReport> {
  const queues = [ctx.queues.fetch, ctx.queues.deliver, ctx.queues.deadLetter];
  const [collections, counts, dlq] = await Promise.all([
    readCollections(ctx),
    Promise.all(queues.map((q) => q.getJobCounts(...QUEUE_STATES))),
    ctx.deadLetters.count(),
  ]);
  const sources: SourceStatus[] = ctx.config.sources.map((s) => ({
    name: s.name,
    selectors: [...s.collections],
    collections: collections.filter((c) => c.source === s.name).map(collectionStatus),
  }));
  // Collections of sources no longer configured still hold cursors: show them rather than hide them.
  for (const c of collections.filter((x) => !x.configured)) {
    let s = sources.find((x) => x.name === c.source);
    if (!s) sources.push((s = { name: c.source, selectors: [], collections: [] }));
    s.collections.push(collectionStatus(c));
  }
  return {
    connector: ctx.config.connector.name,
    generatedAt: new Date(ctx.now()).toISOString(),
    sources,
    queues: Object.fromEntries(queues.map((q, i) => [q.name, counts[i]])),
    deadLetterEntries: dlq,
    sinks: [...ctx.sinks.values()].map((s) => ({ name: s.name, type: s.type })),
  };
}
