// The ops server: /healthz (always open), and behind optional Basic auth /readyz, /metrics,
// /status (HTML or JSON) and /dashboard (bull-board). It reads the pipeline's state; it never
// serves a credential, and error texts go through `redact`.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import { describeError } from '../errors';
import { redact, type Logger } from '../log';
import type { PipelineContext } from '../pipeline/context';
import { basicAuth, type BasicCredentials } from './auth';
import { createDashboard } from './dashboard';
import { checkReadiness } from './health';
import type { PipelineMetrics } from './metrics';
import { buildStatus } from './status';
import { renderStatusPage } from './status-page';

export interface OpsServerOptions {
  /** Interface to listen on (default: the config's `ops.host`). */
  host?: string;
  /** Port; 0 picks a free one (default: the config's `ops.port`). */
  port?: number;
  /** Basic credentials required on everything but /healthz (default: the config's `ops.auth`). */
  auth?: BasicCredentials | null;
  /** Counters and scrape-time gauges; bound to the context here. */
  metrics: PipelineMetrics;
  logger?: Logger;
  /** Time limit of each readiness check, in milliseconds (default 5000). */
  readinessTimeoutMs?: number;
}

export interface OpsServer {
  /** `http://host:port` the server listens on. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** The status page may only style itself; nothing else loads, nothing runs. */
const STATUS_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const wrap = (fn: (req: Request, res: Response) => Promise<void>): RequestHandler => (req, res, next) => {
  fn(req, res).catch(next);
};

export function createOpsApp(ctx: PipelineContext, options: OpsServerOptions): express.Express {
  const metrics = options.metrics.bind(ctx);
  const log = options.logger ?? ctx.logger;
  const auth = options.auth === undefined ? ctx.config.ops.auth : options.auth ?? undefined;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((_req, res, next) => {
    res.set({ 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store' });
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'alive' });
  });
  if (auth) app.use(basicAuth(auth));

  app.get('/readyz', wrap(async (_req, res) => {
    const r = await checkReadiness(ctx, options.readinessTimeoutMs);
    if (!r.ready) log.warn('not ready', { failed: r.failed.map((f) => ({ check: f.check, code: f.code })) });
    res.status(r.ready ? 200 : 503).json(r);
  }));

  app.get('/metrics', wrap(async (_req, res) => {
    const body = await metrics.render();
    res.set('Content-Type', metrics.contentType).send(body);
  }));

  app.get('/status.json', wrap(async (_req, res) => {
    res.json(await buildStatus(ctx));
  }));
  app.get('/status', wrap(async (req, res) => {
    const report = await buildStatus(ctx);
    if (req.accepts(['html', 'json']) === 'json') {
      res.json(report);
      return;
    }
    res.set('Content-Security-Policy', STATUS_CSP).type('html').send(renderStatusPage(report, { dashboard: 'dashboard', json: 'status.json', metrics: 'metrics' }));
  }));
  app.get('/', (_req, res) => res.redirect(302, 'status'));

  app.use('/dashboard', createDashboard(ctx.queues, { basePath: '/dashboard', title: ctx.config.connector.name, statusPath: '/status' }));

  const onError: ErrorRequestHandler = (err, req, res, _next) => {
    const info = describeError(err);
    log.error('ops request failed', { path: req.path, code: info.code, message: info.message });
    if (!res.headersSent) res.status(500).json({ error: info.code, message: redact(info.message) });
  };
  app.use(onError);
  return app;
}

/** Starts the ops server; resolves once it listens. */
export async function startOpsServer(ctx: PipelineContext, options: OpsServerOptions): Promise<OpsServer> {
  const app = createOpsApp(ctx, options);
  const host = options.host ?? ctx.config.ops.host;
  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? ctx.config.ops.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
