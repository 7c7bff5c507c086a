// Cursors kept on the platform too (OpenCTI's connector state, sent with every ping): cursors
// missing in Redis are seeded from it at start, and a state an administrator set (a reset) is
// adopted: cursors it names are set, cursors it no longer names are removed.
import { describeError } from '../errors';
import { isStateKeeper, type ConnectorStatusInfo, type StateKeeper } from '../sinks/types';
import type { PipelineContext } from './context';

/** The state we keep on the platform: `{ cursors: { "<source>/<collection>": "<timestamp>" } }`. */
export async function stateOf(ctx: PipelineContext): Promise<string> {
  const cursors: Record<string, string> = {};
  for (const c of await ctx.store.listCursors()) cursors[`${c.source}/${c.collection}`] = c.cursor.value;
  return JSON.stringify({ cursors });
}

function parseState(state: string | null): Map<string, string> | undefined {
  if (state === null || state.trim() === '') return new Map();
  try {
    const doc = JSON.parse(state) as { cursors?: Record<string, unknown> };
    if (!doc || typeof doc !== 'object' || typeof doc.cursors !== 'object' || doc.cursors === null) return undefined;
    return new Map(Object.entries(doc.cursors).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return undefined;
  }
}

function split(key: string): [string, string] {
  const at = key.indexOf('/');
  return [key.slice(0, at), key.slice(at + 1)];
}

/** Sets cursors the platform knows and Redis does not (a fresh Redis after a volume loss). */
export async function seedFromState(ctx: PipelineContext, state: string | null): Promise<number> {
  const cursors = parseState(state);
  if (!cursors) return 0;
  let seeded = 0;
  for (const [key, value] of cursors) {
    const [source, collection] = split(key);
    if (!ctx.sources.has(source) || (await ctx.store.getCursor(source, collection))) continue;
    await ctx.store.setCursor(source, collection, value).then(() => seeded++, () => undefined);
  }
  if (seeded > 0) ctx.logger.info('cursors taken from the platform state', { seeded });
  return seeded;
}

/** Makes Redis match a state an administrator set on the platform. */
export async function adoptState(ctx: PipelineContext, state: string | null): Promise<void> {
  const cursors = parseState(state);
  if (!cursors) {
    ctx.logger.warn('platform state is not ours: ignored', {});
    return;
  }
  for (const c of await ctx.store.listCursors()) {
    const key = `${c.source}/${c.collection}`;
    if (!cursors.has(key)) await ctx.store.resetCursor(c.source, c.collection);
  }
  for (const [key, value] of cursors) {
    const [source, collection] = split(key);
    if (ctx.sources.has(source)) await ctx.store.setCursor(source, collection, value).catch(() => undefined);
  }
  ctx.logger.warn('connector state reset on the platform: cursors adopted', { cursors: cursors.size });
}

export interface StateSync {
  /** Sends the current state now (end of a `sync --once`). */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

/** Seeds cursors from every state-keeping sink, then pings them with our state until stopped. */
export async function startStateSync(ctx: PipelineContext): Promise<StateSync> {
  const keepers = [...ctx.sinks.values()].filter(isStateKeeper);
  const onReset = (state: string | null) => adoptState(ctx, state).catch((err) => ctx.logger.error('cannot adopt the platform state', describeError(err)));
  const infoOf = (sink: StateKeeper) => async (): Promise<ConnectorStatusInfo> => ({ ...sink.queueStatus(), lastRunAt: await lastRunAt(ctx) });
  for (const sink of keepers) await seedFromState(ctx, sink.initialState());
  const pingers = keepers.map((sink) => sink.startPinging(() => stateOf(ctx), infoOf(sink), onReset));
  return {
    flush: async () => {
      for (const sink of keepers) {
        const r = await sink.ping(await stateOf(ctx), await infoOf(sink)());
        if (r.reset) await onReset(r.state);
      }
    },
    stop: async () => void (await Promise.all(pingers.map((p) => p.stop()))),
  };
}

async function lastRunAt(ctx: PipelineContext): Promise<string | undefined> {
  let latest: string | undefined;
  for (const c of await ctx.store.listCursors()) {
    const run = await ctx.store.getRun(c.source, c.collection);
    if (run?.startedAt && (!latest || run.startedAt > latest)) latest = run.startedAt;
  }
  return latest;
}
