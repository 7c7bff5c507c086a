// Names of everything the pipeline keeps in Redis: queues, job ids and state keys, all under the
// configured prefix (wrap it in {braces} and every key lands in one Redis Cluster slot).

export const QUEUES = { fetch: 'fetch', deliver: 'deliver', deadLetter: 'dead-letter' } as const;

/** BullMQ job ids may not contain `:`; source names cannot contain `.`. */
const part = (s: string | number): string => String(s).replace(/[:\s]/g, '_');

export const jobIds = {
  scheduler: (source: string, collection: string) => `poll.${part(source)}.${part(collection)}`,
  fetch: (source: string, collection: string, runId: string, page: number) => `f.${part(source)}.${part(collection)}.${runId}.${page}`,
  deliver: (source: string, collection: string, runId: string, page: number, bundle: number, sink: string) =>
    `d.${part(source)}.${part(collection)}.${runId}.${page}.${bundle}.${part(sink)}`,
  deadLetter: (originalJobId: string) => `dlq-${originalJobId}`,
};

export interface CollectionKeys {
  /** Hash: the current (or last) run, its counters and per-page accounting. */
  run: string;
  /** Set: delivery ids finished in the current run (makes finishing idempotent). */
  done: string;
  /** Hash: `next` tokens of the current run: `sent.<page>` (used once) and `seen.<token>` (received). */
  tokens: string;
  /** Hash: `<run>.<page>` → the envelope as received, kept from fetch until the page is normalized. */
  raw: string;
  /** Hash: sink name → the sink's unit of work (OpenCTI work id) for the current run. */
  works: string;
  /** Hash: normalized bundles of the current run's pages awaiting delivery (`<page>.<part>.<tag>`, bundleField). */
  bundles: string;
  /** Hash: the cursor: value (server's text), canon, exact, updatedAt, runId. */
  cursor: string;
  /** Hash: summary of the last finished run. */
  lastRun: string;
  /** Hash: counters that outlive runs (skipped ticks, runs started). */
  stats: string;
  /** Counter: run ids. */
  runSeq: string;
}

export function collectionKeys(prefix: string, source: string, collection: string): CollectionKeys {
  const base = `${prefix}:c:${part(source)}:${part(collection)}`;
  return {
    run: `${base}:run`,
    done: `${base}:run:done`,
    bundles: `${base}:run:bundles`,
    tokens: `${base}:run:tokens`,
    works: `${base}:run:works`,
    raw: `${base}:run:raw`,
    cursor: `${base}:cursor`,
    lastRun: `${base}:lastrun`,
    stats: `${base}:stats`,
    runSeq: `${base}:runseq`,
  };
}

/** Pattern matching every collection's cursor key (for `cursor show`). */
export const cursorPattern = (prefix: string): string => `${prefix}:c:*:cursor`;
