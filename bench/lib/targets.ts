// The targets, checked against one bench run's medians.
import { REMOVE_ON_COMPLETE } from '../../src/pipeline/queues';
import type { CaseResult, PipeliningResult } from './cases';
import type { SinkKind } from './connector';
import { mb, medianOf, ratio, secs } from './stats';

export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean;
}

const SINKS: readonly SinkKind[] = ['file', 'opencti'];
const LARGE = 100_000;
const SMALL = 10_000;
/** The plateau case: three times LARGE, file sink only (bench/sync.ts). */
export const PLATEAU = 300_000;
/** "Well under" the pipelining bound: a quarter below it. */
const WELL_UNDER = 0.75;

const floorSecs = (c: CaseResult): number => medianOf(c.floor, (f) => f.seconds);
const runSecs = (c: CaseResult, sink: SinkKind): number => medianOf(c.runs[sink], (r) => r.seconds);
const rss = (c: CaseResult, sink: SinkKind): number => medianOf(c.runs[sink], (r) => r.peakRssBytes);
/** Bytes of one page of JSON as the server sent it. */
export const pageBytes = (c: CaseResult): number => medianOf(c.floor, (f) => f.bytes / f.pages);

export interface PipeliningFigures {
  /** `sync --once` against the slow server, in seconds. */
  measured: number;
  /** pages × delay plus the whole run without the delay: nothing overlapped, in seconds. */
  sequential: number;
  /** Median interval between page requests: the floor's and the connector's, slow server, in ms. */
  floorIntervalMs: number;
  intervalMs: number;
  /** The same without the delay. */
  floorFastIntervalMs: number;
  fastIntervalMs: number;
  /** What the connector adds to each page's interval when nothing hides it (no delay): its own work per page, in ms. */
  workMs: number;
  /** What it adds with the delay: the part of that work still on the request chain, in ms. */
  chainMs: number;
  /** Share of its own work per page done while the server prepared the next page. */
  hidden: number;
  /** `sync --once` into OpenCTI against the slow server and a platform that takes its time over each bundle, in seconds. */
  delivered: number;
  /** The time that platform spent on the run's pushes, one after the other, in seconds. */
  delivery: number;
  /** pages × delay plus the delivery time: the run with nothing overlapped (start-up and own work left out), in seconds. */
  unpipelined: number;
  /** Share of the delivery time done while pages were being fetched: 1 − (delivered − pages × delay) ÷ delivery. */
  deliveryHidden: number;
}

/**
 * What the server's delay hides, page by page. The floor pays the same delay and the same server, so
 * the connector's interval between page requests beyond the floor's is its own: without the delay,
 * all of its work per page; with the delay, only what stays on the request chain. Medians of
 * intervals, so start-up and the tail are left out and one slow page does not weigh.
 */
export function pipeliningOf(p: PipeliningResult): PipeliningFigures {
  const measured = medianOf(p.slow, (r) => r.seconds);
  const sequential = (p.pages * p.pageDelayMs) / 1000 + medianOf(p.fast, (r) => r.seconds);
  const floorIntervalMs = medianOf(p.floor, (f) => f.pageIntervalMs);
  const intervalMs = medianOf(p.slow, (r) => r.pageIntervalMs);
  const floorFastIntervalMs = medianOf(p.floorFast, (f) => f.pageIntervalMs);
  const fastIntervalMs = medianOf(p.fast, (r) => r.pageIntervalMs);
  const workMs = fastIntervalMs - floorFastIntervalMs;
  const chainMs = intervalMs - floorIntervalMs;
  const serverDelay = (p.pages * p.pageDelayMs) / 1000;
  const delivered = medianOf(p.delivered, (r) => r.seconds);
  const delivery = medianOf(p.delivered, (r) => r.deliverySeconds);
  return {
    measured, sequential, floorIntervalMs, intervalMs, floorFastIntervalMs, fastIntervalMs, workMs, chainMs, hidden: 1 - chainMs / workMs,
    delivered, delivery, unpipelined: serverDelay + delivery, deliveryHidden: 1 - (delivered - serverDelay) / delivery,
  };
}

export function checkTargets(cases: CaseResult[], pipelining: PipeliningResult | undefined, maxPagesInFlight: number): TargetCheck[] {
  const out: TargetCheck[] = [];
  const find = (n: number, page: number) => cases.find((c) => c.objects === n && c.pageSize === page);
  for (const c of cases.filter((x) => x.objects === LARGE)) {
    const r = runSecs(c, 'file') / floorSecs(c);
    out.push({ target: `file sink, N=${LARGE.toLocaleString('en-US')}, page ${c.pageSize}: at most 1.6x the floor`, measured: ratio(r), met: r <= 1.6 });
  }
  for (const c of cases.filter((x) => x.pageSize === 10_000)) {
    for (const sink of SINKS.filter((k) => c.runs[k].length > 0)) {
      const peak = rss(c, sink);
      out.push({ target: `peak RSS at most 200 MB, page 10000, N=${c.objects.toLocaleString('en-US')}, ${sink}`, measured: `${mb(peak)} MB`, met: peak <= 200 * 1024 * 1024 });
    }
  }
  for (const page of [1000, 10_000]) {
    const small = find(SMALL, page);
    const large = find(LARGE, page);
    if (!small || !large) continue;
    for (const sink of ['file', 'opencti'] as const) {
      const growth = rss(large, sink) / rss(small, sink);
      out.push({ target: `peak RSS flat: N=100,000 within 1.2x of N=10,000, page ${page}, ${sink}`, measured: ratio(growth), met: growth <= 1.2 });
    }
  }
  const plateau = find(PLATEAU, 10_000);
  const large = find(LARGE, 10_000);
  if (plateau && large) {
    const growth = rss(plateau, 'file') / rss(large, 'file');
    out.push({ target: `memory does not grow with the collection: N=${PLATEAU.toLocaleString('en-US')} within 1.1x of N=100,000, page 10000, file`, measured: ratio(growth), met: growth <= 1.1 });
  }
  for (const c of cases.filter((x) => x.objects === LARGE)) {
    const runs = [...c.runs.file, ...c.runs.opencti];
    const pages = Math.max(...runs.map((r) => r.redis.prefixBytes)) / pageBytes(c);
    const kept = Math.max(...runs.map((r) => r.left.completedJobs + r.left.failedJobs));
    out.push({
      target: `Redis bounded by the pages in flight (at most ${maxPagesInFlight + 1} pages of JSON), page ${c.pageSize}`,
      measured: `${pages.toFixed(1)} pages`,
      met: pages <= maxPagesInFlight + 1,
    });
    out.push({ target: `finished jobs do not pile up (at most ${2 * REMOVE_ON_COMPLETE.count} kept), page ${c.pageSize}`, measured: `${kept} kept`, met: kept <= 2 * REMOVE_ON_COMPLETE.count });
  }
  if (pipelining) {
    const o = pipeliningOf(pipelining);
    const p = pipelining;
    out.push({
      target:
        `pages pipelined: ${p.pages} pages at ${p.pageDelayMs} ms, into OpenCTI taking ${p.pushDelayMs} ms a bundle, well under ${p.pages} × ${p.pageDelayMs} ms plus delivery time ` +
        `(at most ${WELL_UNDER}x, start-up included)`,
      measured: `${secs(o.delivered)} s vs ${secs(o.unpipelined)} s (${ratio(o.delivered / o.unpipelined)}; ${Math.round(o.deliveryHidden * 100)}% of ${secs(o.delivery)} s of delivery hidden)`,
      met: o.delivered <= WELL_UNDER * o.unpipelined,
    });
  }
  return out;
}
