// The bench's report as Markdown: printed, and written to BENCHMARKS.md by a full run.
import type { CaseResult, PipeliningResult } from './cases';
import type { SinkKind } from './connector';
import { pageBytes, pipeliningOf, PLATEAU, type TargetCheck } from './targets';
import { count, mb, medianOf, rate, ratio, secs } from './stats';

export interface ReportContext {
  command: string;
  date: string;
  machine: string;
  connector: string;
  repeats: number;
  /** Milliseconds to write a megabyte of fresh memory, before and after the cases (bench/lib/machine.ts). */
  freshMemoryMsPerMb: [number, number];
  pipeline: Record<string, unknown>;
}

const kb = (bytes: number): string => (Number.isFinite(bytes) ? String(Math.round(bytes / 1024)) : '—');
const SINKS: SinkKind[] = ['file', 'opencti'];

/** A Markdown table; `align` has one letter per column, l (text) or r (figures). */
function table(align: string, header: string[], rows: string[][]): string[] {
  const rule = header.map((_h, i) => (align[i] === 'r' ? ' ---: ' : ' --- ')).join('|');
  return [`| ${header.join(' | ')} |`, `|${rule}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

const ran = (c: CaseResult): SinkKind[] => SINKS.filter((s) => c.runs[s].length > 0);

function timeRows(c: CaseResult): string[][] {
  const floor = medianOf(c.floor, (f) => f.seconds);
  const n = count(c.objects);
  const floorFirst = medianOf(c.floor, (f) => f.firstPageSeconds);
  const rows = [[n, String(c.pageSize), 'floor (fetch + JSON.parse)', secs(floor), secs(medianOf(c.floor, (f) => f.cpuSeconds)), rate(c.objects, floor), '1.00x', '1.00x', secs(floorFirst), '—']];
  for (const sink of ran(c)) {
    const runs = c.runs[sink];
    const s = medianOf(runs, (r) => r.seconds);
    const first = medianOf(runs, (r) => r.firstPageSeconds);
    const tail = medianOf(runs, (r) => r.seconds - r.lastWriteSeconds);
    rows.push([n, String(c.pageSize), `sync --once → ${sink}`, secs(s), secs(medianOf(runs, (r) => r.cpuSeconds)), rate(c.objects, s), ratio(s / floor), ratio((s - first) / (floor - floorFirst)), secs(first), secs(tail)]);
  }
  return rows;
}

function memoryRows(c: CaseResult): string[][] {
  const n = count(c.objects);
  const page = pageBytes(c);
  const rows = [[n, String(c.pageSize), 'floor (fetch + JSON.parse)', mb(medianOf(c.floor, (f) => f.peakRssBytes)), '—', '—', '—', '—']];
  for (const sink of ran(c)) {
    const runs = c.runs[sink];
    const prefix = medianOf(runs, (r) => r.redis.prefixBytes);
    const left = runs[runs.length - 1]!.left;
    rows.push([
      n, String(c.pageSize), `sync --once → ${sink}`, mb(medianOf(runs, (r) => r.peakRssBytes)), mb(medianOf(runs, (r) => r.redis.usedAboveBaseline)),
      `${mb(prefix)} (${(prefix / page).toFixed(1)} pages)`, `${left.keys} keys, ${kb(left.bytes)} KB`, `${left.completedJobs} jobs, run state ${kb(left.runStateBytes)} KB`,
    ]);
  }
  return rows;
}

function pipeliningRows(p: PipeliningResult): string[][] {
  const o = pipeliningOf(p);
  const delay = (p.pages * p.pageDelayMs) / 1000;
  const ms = (v: number): string => (Number.isFinite(v) ? v.toFixed(0) : '—');
  return [
    [`floor, ${p.pageDelayMs} ms per page`, secs(medianOf(p.floor, (f) => f.seconds)), ms(o.floorIntervalMs), `${p.pages} × ${p.pageDelayMs} ms = ${secs(delay)} s of server delay`],
    [`sync --once → file, ${p.pageDelayMs} ms per page`, secs(o.measured), ms(o.intervalMs), `first page after ${secs(medianOf(p.slow, (r) => r.firstPageSeconds))} s`],
    ['floor, no delay', secs(medianOf(p.floorFast, (f) => f.seconds)), ms(o.floorFastIntervalMs), ''],
    ['sync --once → file, no delay', secs(medianOf(p.fast, (r) => r.seconds)), ms(o.fastIntervalMs), ''],
    ['sequential estimate', secs(o.sequential), '', `${secs(delay)} s + the run without the delay`],
    ["connector's own work per page", '', o.workMs.toFixed(1), "no delay: its interval less the floor's"],
    ['of which still on the request chain', '', o.chainMs.toFixed(1), "with the delay: its interval less the floor's"],
    ['own work hidden behind the delay', `${Math.round(o.hidden * 100)}%`, '', '1 − on the chain ÷ own work'],
    [
      `sync --once → opencti, ${p.pageDelayMs} ms per page, ${p.pushDelayMs} ms per bundle`, secs(o.delivered), ms(medianOf(p.delivered, (r) => r.pageIntervalMs)),
      `the platform spent ${secs(o.delivery)} s on the pushes, one after the other`,
    ],
    ['not pipelined', secs(o.unpipelined), '', `${secs(delay)} s of server delay + ${secs(o.delivery)} s of delivery (start-up and own work left out)`],
    ['delivery hidden behind the fetching', `${Math.round(o.deliveryHidden * 100)}%`, '', `1 − (run − ${secs(delay)} s) ÷ delivery`],
  ];
}

export function renderReport(ctx: ReportContext, cases: CaseResult[], pipelining: PipeliningResult | undefined, targets: TargetCheck[]): string {
  const lines = [
    '# Benchmarks',
    '',
    `Made by \`${ctx.command}\` on ${ctx.date}: ${ctx.machine}. Memory fresh from the system cost`,
    `${ctx.freshMemoryMsPerMb.map((x) => x.toFixed(2)).join(' ms a MB before the cases and ')} ms after (page faults: see "How to read this").`,
    '',
    `The connector runs as ${ctx.connector}, one process per run, with \`pipeline\` at its defaults`,
    `(${Object.entries(ctx.pipeline).map(([k, v]) => `${k} ${String(v)}`).join(', ')}). Every figure is the median of ${ctx.repeats} runs; the floor, the`,
    'file run and the OpenCTI run take turns, so that other work on the machine weighs on all of them alike.',
    '',
    '## Time',
    '',
    ...table('rrlrrrrrrr', ['objects', 'page size', 'case', 'seconds', 'CPU (s)', 'objects/s', '× floor', '× floor after first page', 'first page (s)', 'exit after last write (s)'], cases.flatMap(timeRows)),
    '',
    '## Memory',
    '',
    ...table('rrlrrrll', ['objects', 'page size', 'case', 'peak RSS (MB)', 'Redis used_memory Δ (MB)', "run's Redis keys, peak (MB)", 'left after the run', 'of which'], cases.flatMap(memoryRows)),
    '',
  ];
  if (pipelining) {
    lines.push(`## Pipelining (${count(pipelining.objects)} objects, ${pipelining.pages} pages of ${pipelining.pageSize})`, '', ...table('lrrl', ['case', 'seconds', 'ms between page requests', 'note'], pipeliningRows(pipelining)), '');
  }
  lines.push('## Targets', '', ...table('lrl', ['target', 'measured', 'met'], targets.map((t) => [t.target, t.measured, t.met ? 'yes' : '**no**'])), '');
  lines.push(
    '## How to read this',
    '',
    '- **floor**: every page read with plain `fetch` + `JSON.parse` and nothing else, in a child process of its own',
    '  (bench/floor.ts, plain `node`), `next` followed with the same query and page size. It is timed as the',
    '  connector is, from spawn to exit; it has no discovery, no Redis and no module to load.',
    '- **Memory fresh from the system** (bench/lib/machine.ts: 64 MB written in arrays of 4 MB, in a child process):',
    '  the floor takes a new body and new objects for every page, and pays for each page of memory the first time it',
    '  is written; the connector reuses its page and bundle memory. So the ratios to the floor move with this figure,',
    '  which drifts on a virtual machine: on one 2-vCPU VM it was measured from 0.2 to more than 3 ms a MB, and the',
    '  floor of 100,000 objects in pages of 1000 took from 0.7 to 1.9 s while the connector took from 1.6 to 3.0 s.',
    '- **seconds** of `sync --once`: from spawning the process to its exit, so process start, module loading,',
    '  Redis connection, TAXII discovery, sink start-up and shutdown all count against the connector.',
    '  **CPU** is the process\'s user + system time (/proc/<pid>/stat), process start included; the floor\'s',
    '  does not include the server\'s work, which runs in the bench process.',
    '  **first page** is the time from spawn to the first objects request the TAXII server received;',
    '  **× floor after first page** leaves that start-up out of both. **exit after last write** is the tail after the',
    '  last bundle file was written (the end of the run noticed, workers and connections closed).',
    '- **peak RSS**: the highest of VmRSS sampled every 20 ms and VmHWM from `/proc/<pid>/status`.',
    "- **Redis used_memory Δ**: `INFO memory` used_memory sampled every 20 ms, minus its value before the run. It is",
    "  the whole server's, so other clients of the same Redis add noise; **run's Redis keys** is the total",
    '  `MEMORY USAGE` of the keys under the run\'s own prefix (sampled every 100 ms), also given in pages of',
    '  TAXII JSON. **left after the run**: the same keys once the process exited (before the prefix is removed):',
    '  finished jobs BullMQ keeps (`removeOnComplete`), and the run state (`<prefix>:c:*`).',
    '- **Pipelining**: TAXII paging is a chain (each request carries the `next` of the answer before), so a run',
    '  cannot take less than pages × delay plus its start-up. The floor pays the same delay and the same server,',
    "  so the connector's interval between page requests beyond the floor's is its own: without the delay,",
    '  all of its work per page; with the delay, only what stays on the request chain (medians of the',
    '  intervals: start-up and tail left out). **Hidden** is the share of its own work per page done while',
    '  the server prepared the next page. Into files, delivery takes milliseconds; the target\'s "plus delivery',
    '  time" is measured into the OpenCTI test server holding each bundle push for a while (the time a platform',
    '  takes to take a bundle in): **not pipelined** is pages × delay plus the time the platform spent on the',
    '  pushes, one after the other, which a connector that fetched, then delivered, page after page would at',
    '  least take. "Well under" is read as at most 0.75x of it, the connector\'s start-up included.',
    `- **N=${count(PLATEAU)}** (file sink, page 10000) is there for memory: compared with N=100,000 it shows whether`,
    '  memory grows with the collection once the pipeline is full, which N=10,000 (a single page) cannot show.',
    '- The TAXII and OpenCTI test servers are test/support\'s, in the bench process; the objects come from',
    '  `generateObjects` (indicators with patterns, malware, attack patterns, relationships; ~520 bytes each).',
    '',
  );
  return lines.join('\n');
}
