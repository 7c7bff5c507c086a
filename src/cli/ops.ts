// `taxii-connector ops`: the ops server alone (dashboard, metrics, health, status) against the shared
// Redis, beside worker and scheduler processes; and the helper `run` uses to serve it in-process.
import type { Command } from 'commander';
import type { Logger } from '../log';
import type { PipelineMetrics } from '../ops/metrics';
import type { OpsServer } from '../ops/server';
import type { PipelineContext } from '../pipeline/context';
import { createRuntime } from '../pipeline/runtime';
import { action, EXIT_OK, loadFromCli, loggerFor } from './common';

type OpsModules = typeof import('../ops/metrics') & typeof import('../ops/server');

/**
 * The ops modules (express, bull-board, prom-client) load only in the commands that serve them, so
 * `sync --once` and the other short commands start faster.
 */
export function opsModules(): OpsModules {
  return { ...(require('../ops/metrics') as typeof import('../ops/metrics')), ...(require('../ops/server') as typeof import('../ops/server')) };
}

/** Starts the ops server on `ops.listen` for a runtime built with `metrics` as its observer. */
export async function serveOps(ctx: PipelineContext, metrics: PipelineMetrics, log: Logger): Promise<OpsServer> {
  const server = await opsModules().startOpsServer(ctx, { metrics, logger: log.child({ component: 'ops' }) });
  log.info('ops server listening', { url: server.url, auth: ctx.config.ops.auth ? 'basic' : 'none', paths: ['/healthz', '/readyz', '/metrics', '/status', '/dashboard'] });
  return server;
}

function untilSignal(log: Logger): Promise<void> {
  return new Promise((resolve) => {
    const handler = (signal: NodeJS.Signals) => {
      log.info('shutting down', { signal });
      resolve();
    };
    process.once('SIGTERM', handler);
    process.once('SIGINT', handler);
  });
}

export function registerOps(program: Command): void {
  program
    .command('ops')
    .description('the ops server alone: /dashboard, /metrics, /healthz, /readyz, /status on ops.listen')
    .action(
      action(async (_o: unknown, cmd: Command) => {
        const config = loadFromCli(cmd);
        const log = loggerFor(config);
        // Listening for signals from the start: a SIGTERM during start-up stops the server once it is up.
        const signalled = untilSignal(log);
        // Pipeline counters live in the worker processes; this process serves the scrape-time gauges.
        const metrics = new (opsModules().PipelineMetrics)();
        const runtime = await createRuntime(config, { logger: log, observer: metrics });
        let server: OpsServer | undefined;
        try {
          server = await serveOps(runtime, metrics, log);
          await signalled;
        } finally {
          await server?.close();
          await runtime.close();
        }
        return EXIT_OK;
      }),
    );
}
