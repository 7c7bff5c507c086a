// The bench's report as Markdown: printed, and written to BENCHMARKS.md by a full run.
import type { CaseResult, PipeliningResult } from './cases';
import type { SinkKind } from './connector';
import { pageBytes, pipeliningOf, type TargetCheck } from './targets';
import { count, mb, medianOf, rate, ratio, secs } from './stats';

export interface ReportContext {
  command: string;
  date: string;
  machine: string;
  connector: string;
  repeats: number;
  pipeline: Record<string, unknown>;
}

const kb = (bytes: number): string => (Number.isFinite(bytes) ? String(Math.round(bytes / 1024)) : '—');
const SINKS: SinkKind[] = ['file', 'opencti'];

/** A Markdown table; `align` has one letter per column, l (text) or r (figures). */
function table(align: string, header: string[], rows: string[][]): string[] {
  const rule = header.map((_h, i) => (align[i] === 'r' ? ' ---: ' : ' --- ')).join('|');
  return [`| ${header.join(' | ')} |`, `|${rule}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

function timeRows(c: CaseResult): string[][] {
  const floor = medianOf(c.floor, (f) => f.seconds);
  const n = count(c.objects);
  const rows = [[n, String(c.pageSize), 'floor (fetch + JSON.parse)', secs(floor), secs(medianOf(c.floor, (f) => f.cpuSeconds)), rate(c.objects, floor), '1.00x', '1.00x', secs(medianOf(c.floor, (f) => f.firstPageSeconds)), '—']];
  for (const sink of SINKS) {
    const runs = c.runs[sink];
    const s = medianOf(runs, (r) => r.seconds);
    const first = medianOf(runs, (r) => r.firstPageSeconds);
    const tail = medianOf(runs, (r) => r.seconds - r.lastWriteSeconds);
    rows.push([n, String(c.pageSize), `sync --once → ${sink}`, secs(s), secs(medianOf(runs, (r) => r.cpuSeconds)), rate(c.objects, s), ratio(s / floor), ratio((s - first) / floor), secs(first), secs(tail)]);
  }
  return rows;
}

function memoryRows(c: CaseResult): string[][] {
  const n = count(c.objects);
  const page = pageBytes(c);
  const rows = [[n, String(c.pageSize), 'floor (fetch + JSON.parse)', mb(medianOf(c.floor, (f) => f.peakRssBytes)), '—', '—', '—', '—']];
  for (const sink of SINKS) {
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
    ['sync --once → file, no delay', secs(medianOf(p.fast, (r) => r.seconds)), ms(medianOf(p.fast, (r) => r.pageIntervalMs)), `own work per page ${ms(o.workPerPageMs)} ms`],
    ['sequential estimate', secs(o.sequential), ms(o.floorIntervalMs + o.workPerPageMs), `${secs(delay)} s + the run without the delay`],
    ['work per page hidden behind the delay', `${Math.round(o.hidden * 100)}%`, '', '1 − (run\'s interval − floor\'s interval) ÷ own work per page'],
  ];
}

export function renderReport(ctx: ReportContext, cases: CaseResult[], pipelining: PipeliningResult | undefined, targets: TargetCheck[]): string {
  const lines = [
    '# Benchmarks',
    '',
    `Made by \`${ctx.command}\` on ${ctx.date}: ${ctx.machine}.`,
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
    '  (bench/floor.ts), `next` followed with the same query and page size. It starts its clock at the first',
    '  request: no process start, no discovery.',
    '- **seconds** of `sync --once`: from spawning the process to its exit, so process start, module loading,',
    '  Redis connection, TAXII discovery, sink start-up and shutdown all count against the connector.',
    '  **CPU** is the process\'s user + system time (/proc/<pid>/stat), process start included; the floor\'s',
    '  does not include the server\'s work, which runs in the bench process.',
    '  **first page** is the time from spawn to the first objects request the TAXII server received;',
    '  **× floor after first page** leaves that start-up out. **exit after last write** is the tail after the',
    '  last bundle file was written (the end of the run noticed, workers and connections closed).',
    '- **peak RSS**: the highest of VmRSS sampled every 20 ms and VmHWM from `/proc/<pid>/status`.',
    "- **Redis used_memory Δ**: `INFO memory` used_memory sampled every 20 ms, minus its value before the run. It is",
    "  the whole server's, so other clients of the same Redis add noise; **run's Redis keys** is the total",
    '  `MEMORY USAGE` of the keys under the run\'s own prefix (sampled every 100 ms), also given in pages of',
    '  TAXII JSON. **left after the run**: the same keys once the process exited (before the prefix is removed):',
    '  finished jobs BullMQ keeps (`removeOnComplete`), and the run state (`<prefix>:c:*`).',
    '- **Pipelining**: TAXII paging is a chain (each request carries the `next` of the answer before), so a run',
    '  cannot take less than pages × delay plus its start-up. The interval between page requests, as the server',
    '  saw them, shows what the connector adds per page over the floor; its **own work per page** is the run',
    '  without the delay, from first page request to last write, per page, less the server\'s share (the',
    '  floor\'s interval beyond the delay).',
    '- The TAXII and OpenCTI test servers are test/support\'s, in the bench process; the objects come from',
    '  `generateObjects` (indicators with patterns, malware, attack patterns, relationships; ~520 bytes each).',
    '',
  );
  return lines.join('\n');
}
