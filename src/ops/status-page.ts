// The /status page: one self-contained HTML document (inline style, no script, no external asset)
// readable at a glance. Every value is escaped; the server also sends a CSP that forbids the rest.
import { QUEUES } from '../pipeline/keys';
import type { CollectionStatus, RunView, StatusReport } from './status';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and quoted attributes. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** `3 d 4 h`, `12 min`, `45 s`: the two largest units. */
export function humanDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  const units: Array<[string, number]> = [['d', 86400], ['h', 3600], ['min', 60], ['s', 1]];
  let rest = Math.max(0, Math.round(seconds));
  const parts: string[] = [];
  for (const [name, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 && parts.length < 2) parts.push(`${n} ${name}`);
    else if (parts.length > 0) break;
  }
  return parts.length > 0 ? parts.join(' ') : '0 s';
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
header{background:#1d2330;color:#fff;padding:14px 24px;display:flex;gap:24px;align-items:baseline;flex-wrap:wrap}
header h1{font-size:18px;margin:0}header a{color:#9cc3ff}
main{padding:16px 24px}section{background:#fff;border:1px solid #dde1e7;border-radius:6px;margin:0 0 16px;padding:12px 16px}
h2{font-size:15px;margin:0 0 8px}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #eceff3;vertical-align:top}
th{font-size:12px;color:#5b6475;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
code{font:12px ui-monospace,Menlo,Consolas,monospace;white-space:nowrap}small{color:#5b6475}.t{white-space:nowrap}
.b{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600}
.done{background:#e3f5e8;color:#17692f}.failed{background:#fde7e7;color:#a3171b}.running{background:#e6effd;color:#1f4fa3}.none{background:#eceff3;color:#5b6475}
.tiles{display:flex;gap:12px;flex-wrap:wrap}.tile{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:8px 14px;min-width:120px}
.tile b{display:block;font-size:20px}.err{color:#a3171b}`;

function badge(status: string | undefined): string {
  const s = status ?? 'none';
  return `<span class="b ${escapeHtml(s)}">${escapeHtml(status ?? 'never run')}</span>`;
}

/** `2026-01-02 03:04:05 UTC` for people; the exact value stays in the title. */
function when(ts: string | undefined): string {
  if (!ts) return '';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(ts);
  return `<span class="t" title="${escapeHtml(ts)}">${escapeHtml(m ? `${m[1]} ${m[2]} UTC` : ts)}</span>`;
}

function runCell(r: RunView | null, label: string): string {
  if (!r) return `<td>${badge(undefined)}</td>`;
  const span = r.endedAt ? `${when(r.startedAt)} → ${when(r.endedAt)}` : `since ${when(r.startedAt)}`;
  const error = r.error ? `<br><small class="err">${escapeHtml(r.error)}</small>` : '';
  return `<td>${badge(r.status)} <small>${escapeHtml(label)} #${escapeHtml(r.id)}</small><br><small>${span}</small>${error}</td>`;
}

function counts(r: RunView | null): string {
  const cell = (n: number | undefined) => `<td class="n">${n === undefined ? '—' : escapeHtml(n.toLocaleString('en-US'))}</td>`;
  return [r?.pages, r?.objectsIn, r?.objectsOut, r?.rejected, r?.deadLettered].map(cell).join('');
}

function row(c: CollectionStatus): string {
  const shown = c.running ?? c.lastRun;
  const cursor = c.cursor
    ? `<code>${escapeHtml(c.cursor)}</code>${c.cursorUpdatedAt ? `<br><small>moved ${when(c.cursorUpdatedAt)}</small>` : ''}`
    : '<small>none yet</small>';
  return `<tr><td><b>${escapeHtml(c.title)}</b><br><small><code>${escapeHtml(c.collection)}</code>${c.scheduled ? '' : ' · not scheduled'}</small></td>`
    + `<td>${cursor}</td><td class="n">${escapeHtml(humanDuration(c.lagSeconds))}</td>`
    + `${runCell(shown, c.running ? 'running' : 'last run')}${counts(shown)}</tr>`;
}

function queueTiles(r: StatusReport): string {
  // The dead-letter queue has its own tile: its entries wait for an operator, they are not work.
  const tiles = Object.entries(r.queues).filter(([name]) => name !== QUEUES.deadLetter).map(([name, c]) => {
    const pending = (c.waiting ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0) + (c['waiting-children'] ?? 0);
    return `<div class="tile"><small>queue ${escapeHtml(name)}</small><b>${escapeHtml(pending)}</b><small>pending · ${escapeHtml(c.active ?? 0)} active · ${escapeHtml(c.failed ?? 0)} failed</small></div>`;
  });
  tiles.push(`<div class="tile"><small>dead letters</small><b>${escapeHtml(r.deadLetterEntries)}</b><small>waiting for an operator</small></div>`);
  tiles.push(`<div class="tile"><small>sinks</small><b>${escapeHtml(r.sinks.length)}</b><small>${r.sinks.map((s) => `${escapeHtml(s.name)} (${escapeHtml(s.type)})`).join(', ')}</small></div>`);
  return `<div class="tiles">${tiles.join('')}</div>`;
}

export function renderStatusPage(r: StatusReport, links: { dashboard: string; json: string; metrics: string }): string {
  const sources = r.sources.map((s) => {
    const body = s.collections.length > 0
      ? s.collections.map(row).join('')
      : `<tr><td colspan="9"><small>no collection seen yet (selects ${escapeHtml(s.selectors.join(', ') || '—')})</small></td></tr>`;
    return `<section><h2>source ${escapeHtml(s.name)}</h2><table><thead><tr><th>collection</th><th>cursor</th><th>lag</th><th>run</th>`
      + `<th>pages</th><th>objects in</th><th>objects out</th><th>rejected</th><th>dead-lettered</th></tr></thead><tbody>${body}</tbody></table></section>`;
  });
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">`
    + `<meta http-equiv="refresh" content="30"><title>${escapeHtml(r.connector)} · status</title><style>${STYLE}</style></head><body>`
    + `<header><h1>${escapeHtml(r.connector)}</h1><small>status at ${escapeHtml(r.generatedAt)}</small>`
    + `<a href="${escapeHtml(links.dashboard)}">queues</a><a href="${escapeHtml(links.json)}">json</a><a href="${escapeHtml(links.metrics)}">metrics</a></header>`
    + `<main><section>${queueTiles(r)}</section>${sources.join('')}</main></body></html>`;
}
