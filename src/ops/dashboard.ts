// The queue dashboard (bull-board) over the fetch, deliver and dead-letter queues, with retry,
// promote and clean enabled. Every API answer is passed through `redact` before it leaves, so a
// secret that slipped into a failure reason or a stack trace is not shown.
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Router } from 'express';
import { redact } from '../log';
import type { Queues } from '../pipeline/queues';

const DESCRIPTIONS = {
  fetch: 'Polls and page fetches from TAXII servers',
  deliver: 'Bundles on their way to the sinks',
  deadLetter: 'Bundles, objects and pages that failed for good; replay with `taxii-connector dlq replay`',
} as const;

/** Deep copy with every string redacted (no depth limit: job data nests bundles of objects). */
export function redactDeep(value: unknown): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map(redactDeep);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v);
  return out;
}

export interface DashboardOptions {
  /** Where the dashboard is mounted (default `/dashboard`). */
  basePath?: string;
  title?: string;
  /** Link shown in the board's menu to the status page. */
  statusPath?: string;
}

/** An express router serving bull-board; mount it at `basePath`. */
export function createDashboard(queues: Queues, options: DashboardOptions = {}): Router {
  const basePath = options.basePath ?? '/dashboard';
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(basePath);
  const adapter = (queue: Queues['fetch'], description: string) =>
    new BullMQAdapter(queue, { readOnlyMode: false, allowRetries: true, description });
  createBullBoard({
    queues: [adapter(queues.fetch, DESCRIPTIONS.fetch), adapter(queues.deliver, DESCRIPTIONS.deliver), adapter(queues.deadLetter, DESCRIPTIONS.deadLetter)],
    serverAdapter,
    options: {
      uiConfig: {
        boardTitle: options.title ?? 'taxii-connector',
        hideDocsLink: true,
        ...(options.statusPath ? { miscLinks: [{ text: 'Status', url: options.statusPath }] } : {}),
      },
      handlerHooks: { after: (_context, result) => ({ ...result, body: redactDeep(result.body) as typeof result.body }) },
    },
  });
  return serverAdapter.getRouter() as Router;
}
