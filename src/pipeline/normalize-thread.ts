// A normalizer thread (normalizer.ts). A page's envelope is read as soon as the page arrives and its
// facts sent back at once; pages are then normalized one after the other, in slices, so that a page
// arriving meanwhile has its envelope read within a slice's time, not a whole page's. Pages are
// read lazily (normalize-page.ts, readPageLazily): no parsed page waits here for its turn. Bundles
// are written into memory the main thread gives back once it is done with them (MemoryPool).
import { parentPort } from 'node:worker_threads';
import { MemoryPool } from '../memory-pool';
import { normalizeInSlices, normalizeLazily, readPage, readPageLazily, type LazyPage, type PageSettings } from './normalize-page';
import type { ThreadMessage, ThreadReply } from './normalizer';

const port = parentPort;
if (port === null) throw new Error('normalize-thread runs as a worker thread');

/** A page waiting for its turn: read lazily (its objects parsed again when normalized), or whole. */
type Queued = { id: number; settings: PageSettings } & ({ lazy: LazyPage } | { objects: unknown[]; body: Uint8Array });

const queue: Queued[] = [];
/** Memory of bundles sent before, back from the main thread: two pages' worth of 5 MB bundles. */
const bundleMemory = new MemoryPool<ArrayBuffer>({ maxBuffers: 4, maxBytes: 64 * 1024 * 1024 }, (bytes) => new ArrayBuffer(bytes));
const newBundle = (bytes: number): Buffer => bundleMemory.take(bytes).subarray(0, bytes);
let busy = false;
const post = (reply: ThreadReply, transfer?: ArrayBuffer[]): void => port.postMessage(reply, transfer);
const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));
/** Lets waiting messages (new pages) in. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function drain(): Promise<void> {
  busy = true;
  for (let q = queue.shift(); q !== undefined; q = queue.shift()) {
    try {
      const page = 'lazy' in q ? await normalizeLazily(q.lazy, q.settings, turn, newBundle) : await normalizeInSlices(q.objects, q.settings, turn, q.body, newBundle);
      // The bundles' bytes move to the main thread rather than being copied.
      post({ id: q.id, step: 'page', page }, page.bundles.map((b) => b.json.buffer as ArrayBuffer));
    } catch (err) {
      post({ id: q.id, step: 'failed', message: messageOf(err) });
    }
  }
  busy = false;
}

port.on('message', (m: ThreadMessage) => {
  if ('reuse' in m) {
    bundleMemory.adopt(m.reuse);
    return;
  }
  try {
    const lazy = readPageLazily(m.body);
    if (lazy !== undefined) {
      post({ id: m.id, step: 'envelope', outcome: lazy.outcome });
      queue.push({ id: m.id, settings: m.settings, lazy: lazy.page });
    } else {
      const read = readPage(m.body);
      post({ id: m.id, step: 'envelope', outcome: read.outcome });
      if (!read.outcome.ok) return;
      queue.push({ id: m.id, settings: m.settings, objects: read.objects, body: m.body });
    }
  } catch (err) {
    post({ id: m.id, step: 'failed', message: messageOf(err) });
    return;
  }
  if (!busy) void drain();
});
