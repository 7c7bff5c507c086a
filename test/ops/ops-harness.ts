// A pipeline harness with the ops server in front of it (127.0.0.1, port 0), a Prometheus text
// parser, and a small HTTP helper, shared by the ops tests.
import type { Config } from '../../src/config/resolve';
import { PipelineMetrics } from '../../src/ops/metrics';
import { startOpsServer, type OpsServer, type OpsServerOptions } from '../../src/ops/server';
import type { RuntimeOptions } from '../../src/pipeline/runtime';
import { startHarness, type Harness } from '../support/pipeline-harness';

export interface OpsHarness extends Harness {
  metrics: PipelineMetrics;
  ops: OpsServer;
}

export async function startOpsHarness(config: Config, options: { runtime?: Partial<RuntimeOptions>; ops?: Partial<OpsServerOptions> } = {}): Promise<OpsHarness> {
  const metrics = new PipelineMetrics();
  const harness = await startHarness(config, { ...options.runtime, observer: metrics });
  const ops = await startOpsServer(harness.runtime, { metrics, host: '127.0.0.1', port: 0, ...options.ops });
  const close = harness.close.bind(harness);
  return Object.assign(harness, {
    metrics,
    ops,
    close: async () => {
      await ops.close();
      await close();
    },
  });
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
}

export async function get(url: string, options: { user?: string; password?: string; accept?: string } = {}): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (options.user !== undefined) headers.Authorization = `Basic ${Buffer.from(`${options.user}:${options.password ?? ''}`).toString('base64')}`;
  if (options.accept) headers.Accept = options.accept;
  const res = await fetch(url, { headers, redirect: 'manual' });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text exposition format (samples only; comments skipped). */
export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2].replace(/\\(.)/g, (_x, c: string) => (c === 'n' ? '\n' : c));
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

/** Sum of a metric's samples whose labels include `where`. */
export function total(samples: Sample[], name: string, where: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v))
    .reduce((acc, s) => acc + s.value, 0);
}
