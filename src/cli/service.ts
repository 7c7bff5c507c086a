// Long-running roles: `run` (everything in one process), `worker` and `scheduler` apart, and
// `sync --once`. SIGTERM/SIGINT stop taking jobs and let running ones finish within
// `shutdown_timeout_secs`; a second signal exits at once (jobs left active are taken over as stalled).
import type { Command } from 'commander';
import type { Config } from '../config/resolve';
import type { Logger } from '../log';
import type { OpsServer } from '../ops/server';
import { startStateSync, type StateSync } from '../pipeline/platform-state';
import { createRuntime, startSinks, type Runtime } from '../pipeline/runtime';
import { startScheduler, type SchedulerHandle } from '../pipeline/scheduler';
import { RunEndSignal, syncOnce, type SyncSummary } from '../pipeline/sync';
import { startWorkers, type WorkerSet } from '../pipeline/workers';
import { action, EXIT_FAILED, EXIT_OK, loadFromCli, loggerFor } from './common';
import { opsModules, serveOps } from './ops';
import { progressReporter } from './progress';

interface Service {
  runtime: Runtime;
  workers?: WorkerSet;
  scheduler?: SchedulerHandle;
  state?: StateSync;
  ops?: OpsServer;
}

/** Resolves when the service should stop; a second signal exits at once. */
function waitForSignal(log: Logger): Promise<string> {
  return new Promise((resolve) => {
    let received = false;
    const handler = (signal: NodeJS.Signals) => {
      if (received) {
        log.warn('second signal: exiting now', { signal });
        process.exit(130);
      }
      received = true;
      log.info('shutting down', { signal });
      resolve(signal);
    };
    process.on('SIGTERM', handler);
    process.on('SIGINT', handler);
  });
}

async function stop(service: Service, config: Config): Promise<void> {
  await service.scheduler?.close();
  await service.state?.stop();
  await service.workers?.close(config.connector.shutdown_timeout_secs * 1000);
  await service.ops?.close();
  await service.runtime.close();
}

async function serve(cmd: Command, roles: { scheduler: boolean; workers: boolean; ops: boolean }): Promise<number> {
  const config = loadFromCli(cmd);
  const log = loggerFor(config);
  // Signals are handled from the start: a SIGTERM during start-up stops the service once it is up.
  const signalled = waitForSignal(log);
  const metrics = new (opsModules().PipelineMetrics)();
  const runtime = await createRuntime(config, { logger: log, observer: metrics });
  const service: Service = { runtime };
  try {
    if (roles.ops) service.ops = await serveOps(runtime, metrics, log);
    await startSinks(runtime);
    // The scheduler keeps the platform's copy of the cursors (one pinger per deployment).
    if (roles.scheduler) service.state = await startStateSync(runtime);
    if (roles.workers) service.workers = startWorkers(runtime);
    if (roles.scheduler) service.scheduler = await startScheduler(runtime);
    log.info('connector started', { roles: Object.entries(roles).filter(([, on]) => on).map(([r]) => r), sources: config.sources.length, sinks: [...runtime.sinks.keys()] });
  } catch (err) {
    await stop(service, config);
    throw err;
  }
  await signalled;
  await stop(service, config);
  return EXIT_OK;
}

export function formatSummary(s: SyncSummary): string {
  const lines = s.collections.map(
    (c) =>
      `${c.status === 'done' ? 'ok    ' : 'FAILED'} ${c.source}/${c.title}: ${c.pages} pages, ${c.fetched} fetched, ${c.delivered} delivered, ${c.rejected} rejected, ${c.deadLettered} dead-lettered${c.error ? ` — ${c.error}` : ''}`,
  );
  const t = s.totals;
  lines.push(`total: ${t.pages} pages, ${t.fetched} objects fetched, ${t.delivered} delivered, ${t.rejected} rejected, ${t.deadLettered} dead-lettered in ${s.seconds.toFixed(1)} s`);
  return `${lines.join('\n')}\n`;
}

export function registerService(program: Command): void {
  program
    .command('run')
    .description('scheduler and workers in one process (the container command)')
    .action(action((_o: unknown, cmd: Command) => serve(cmd, { scheduler: true, workers: true, ops: true })));
  program
    .command('worker')
    .description('fetch and deliver workers only (run any number against one Redis)')
    .option('--ops', 'also serve the ops server (this process\'s metrics, health, status, dashboard) on ops.listen')
    .action(action((o: { ops?: boolean }, cmd: Command) => serve(cmd, { scheduler: false, workers: true, ops: o.ops === true })));
  program
    .command('scheduler')
    .description('the job schedulers only')
    .option('--ops', 'also serve the ops server (health, status, dashboard) on ops.listen')
    .action(action((o: { ops?: boolean }, cmd: Command) => serve(cmd, { scheduler: true, workers: false, ops: o.ops === true })));
  program
    .command('sync')
    .description('one pass over the selected collections, then exit with a summary')
    .requiredOption('--once', 'one pass and exit (the only mode)')
    .option('--source <name>', 'only this source')
    .option('--collection <id-or-title>', 'only this collection')
    .option('--json', 'print the summary as JSON')
    .action(
      action(async (opts: { source?: string; collection?: string; json?: boolean }, cmd: Command) => {
        const config = loadFromCli(cmd);
        const log = loggerFor(config);
        const ended = new RunEndSignal();
        const runtime = await createRuntime(config, { logger: log, observer: { runEnded: () => ended.notify() } });
        let workers: WorkerSet | undefined;
        let state: StateSync | undefined;
        const progress = progressReporter(process.stderr);
        try {
          await startSinks(runtime);
          state = await startStateSync(runtime);
          workers = startWorkers(runtime);
          const summary = await syncOnce(runtime, { source: opts.source, collection: opts.collection }, { onProgress: progress.update, ended });
          progress.done();
          await state.flush();
          process.stdout.write(opts.json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary));
          return summary.ok ? EXIT_OK : EXIT_FAILED;
        } finally {
          progress.done();
          await workers?.close(config.connector.shutdown_timeout_secs * 1000);
          await state?.stop();
          await runtime.close();
        }
      }),
    );
}
