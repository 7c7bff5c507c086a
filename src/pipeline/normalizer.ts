// Where pages are parsed and normalized: in worker threads (`pipeline.normalize_threads`), so that
// parsing, checking, bundling and serializing a page never hold up the event loop that requests the
// next page, records pages in Redis and delivers bundles; or inline, with 0 threads. Threads start
// with the fetch worker (warm) or on first use; one that stops (an uncaught error, an exit) fails
// its pages with a retryable error and is replaced on the next page.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ConnectorError } from '../errors';
import { normalizeObjects, readPage, type EnvelopeOutcome, type NormalizedPage, type PageSettings } from './normalize-page';

/** One page on its way: the envelope first, the bundles later. */
export interface PageWork {
  /** The envelope's paging facts, or why the text is not an envelope, as soon as it is parsed. */
  envelope: Promise<EnvelopeOutcome>;
  /** The page normalized; fails when the text is not an envelope or its thread was lost. */
  page: Promise<NormalizedPage>;
}

export interface Normalizer {
  /** Starts on one page, given as the envelope's JSON (as received, or as kept in Redis). */
  start(body: Uint8Array, settings: PageSettings): PageWork;
  /** Starts the threads now, so that the first page does not wait for one to load. */
  warm(): void;
  /**
   * Takes back the memory of a page's bundle (PageBundle.json) once nobody reads it any more: the
   * thread that wrote it writes a later bundle there. The bundle's Buffers are empty afterwards.
   */
  reuse(json: Uint8Array): void;
  /** Stops the threads; pages still under way fail (retryable). */
  close(): Promise<void>;
}

export interface ThreadRequest {
  id: number;
  /** Shared with the thread (shared memory), not copied: the caller keeps the bytes for Redis. */
  body: Uint8Array;
  settings: PageSettings;
}

/** What a thread is sent: a page, or memory of its bundles back (moved, not copied). */
export type ThreadMessage = ThreadRequest | { reuse: ArrayBuffer };

export type ThreadReply =
  | { id: number; step: 'envelope'; outcome: EnvelopeOutcome }
  | { id: number; step: 'page'; page: NormalizedPage }
  | { id: number; step: 'failed'; message: string };

export interface NormalizerOptions {
  /** Worker threads; 0 normalizes on the event loop. */
  threads: number;
  /** The threads' code, a JavaScript file (default: normalize-thread beside this file); tests give a stand-in. */
  threadScript?: string;
  /** The threads' young generation in MB (heap.ts: THREAD_YOUNG_GENERATION_MB for large pages); default V8's. */
  youngGenerationMb?: number;
}

export function createNormalizer(o: NormalizerOptions): Normalizer {
  return o.threads <= 0 ? new InlineNormalizer() : new ThreadPool(o.threads, o.threadScript, o.youngGenerationMb);
}

const unreadable = (): ConnectorError =>
  new ConnectorError('the page is not a TAXII envelope: nothing to normalize', { code: 'PIPELINE_PAGE_UNREADABLE', retryable: false });
const failed = (message: string): ConnectorError =>
  new ConnectorError(`the page could not be normalized: ${message}`, { code: 'PIPELINE_PAGE_UNREADABLE', retryable: false });

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: Error): void;
}

/**
 * The bytes in shared memory: posting them to a thread then shares them instead of cloning them
 * (a clone serializes and deserializes the whole page, two fresh copies of it).
 */
function shared(body: Uint8Array): Uint8Array {
  if (body.buffer instanceof SharedArrayBuffer) return body;
  const copy = new Uint8Array(new SharedArrayBuffer(body.byteLength));
  copy.set(body);
  return copy;
}

/** A promise settled from outside; its rejection counts as handled even when nobody awaits it. */
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

interface Task {
  envelope: Deferred<EnvelopeOutcome>;
  page: Deferred<NormalizedPage>;
}

const newTask = (): Task => ({ envelope: deferred(), page: deferred() });
const workOf = (task: Task): PageWork => ({ envelope: task.envelope.promise, page: task.page.promise });
const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Reads a page's envelope on the calling thread and settles the task's envelope with it (and its
 * page, when the text is not an envelope). Returns the objects when they are to be normalized.
 */
function readHere(body: Uint8Array, task: Task): unknown[] | undefined {
  try {
    const read = readPage(body);
    task.envelope.resolve(read.outcome);
    if (read.outcome.ok) return read.objects;
    task.page.reject(unreadable());
  } catch (err) {
    task.envelope.reject(failed(messageOf(err)));
    task.page.reject(failed(messageOf(err)));
  }
  return undefined;
}

/** On the event loop: the envelope at once, the objects on a later turn (after pending I/O). */
class InlineNormalizer implements Normalizer {
  start(body: Uint8Array, settings: PageSettings): PageWork {
    const task = newTask();
    const objects = readHere(body, task);
    if (objects !== undefined) {
      setImmediate(() => {
        try {
          task.page.resolve(normalizeObjects(objects, settings, body));
        } catch (err) {
          task.page.reject(failed(messageOf(err)));
        }
      });
    }
    return workOf(task);
  }

  warm(): void {}

  /** Bundles written here have memory of their own, collected as usual. */
  reuse(): void {}

  async close(): Promise<void> {}
}

interface Slot {
  worker?: Worker;
  /** Pages sent to the thread and not finished, by request id. */
  tasks: Map<number, Task>;
}

/** The thread's code: the built file beside this one, or the TypeScript source through tsx (tests). */
function spawnThread(script: string | undefined, youngGenerationMb: number | undefined): Worker {
  // No cap on the old generation: a thread that reaches one inside JSON.parse takes the process down.
  const resourceLimits = youngGenerationMb === undefined ? undefined : { maxYoungGenerationSizeMb: youngGenerationMb };
  const built = script ?? join(__dirname, 'normalize-thread.js');
  if (existsSync(built)) return new Worker(built, { resourceLimits });
  const source = join(__dirname, 'normalize-thread.ts');
  return new Worker(`require('tsx/cjs'); require(${JSON.stringify(source)});`, { eval: true, resourceLimits });
}

/**
 * Pages go to the thread with the fewest under way, at once: a thread reads a new page's envelope
 * between slices of the page it is normalizing, so the next request never waits for a whole page.
 */
class ThreadPool implements Normalizer {
  private readonly slots: Slot[];
  /** The slot whose thread wrote a bundle's memory, until the memory goes back (reuse). */
  private readonly writers = new WeakMap<ArrayBuffer, Slot>();
  private nextId = 1;
  private closed = false;

  constructor(
    threads: number,
    private readonly script: string | undefined,
    private readonly youngGenerationMb: number | undefined,
  ) {
    this.slots = Array.from({ length: threads }, () => ({ tasks: new Map() }));
  }

  start(body: Uint8Array, settings: PageSettings): PageWork {
    const task = newTask();
    if (this.closed) {
      this.fail(task, shuttingDown());
      return workOf(task);
    }
    // Every page's envelope is read by its thread, small pages' too: reading it here as well cost
    // more (13% of the CPU at 1,000 objects a page) than the round trip to the thread saves.
    const slot = this.slots.reduce((a, b) => (b.tasks.size < a.tasks.size ? b : a));
    const worker = (slot.worker ??= this.spawn(slot));
    const id = this.nextId++;
    slot.tasks.set(id, task);
    worker.ref();
    worker.postMessage({ id, body: shared(body), settings } satisfies ThreadRequest);
    return workOf(task);
  }

  warm(): void {
    if (this.closed) return;
    for (const slot of this.slots) {
      if (slot.worker !== undefined) continue;
      slot.worker = this.spawn(slot);
      slot.worker.unref();
    }
  }

  reuse(json: Uint8Array): void {
    const memory = json.buffer;
    if (!(memory instanceof ArrayBuffer)) return;
    const slot = this.writers.get(memory);
    if (slot === undefined) return;
    this.writers.delete(memory);
    // A thread that replaced the writer takes it as well; none running: it is collected.
    slot.worker?.postMessage({ reuse: memory } satisfies ThreadMessage, [memory]);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      this.slots.map(async (slot) => {
        const { worker } = slot;
        slot.worker = undefined;
        this.failAll(slot, shuttingDown());
        await worker?.terminate();
      }),
    );
  }

  private fail(task: Task, err: Error): void {
    task.envelope.reject(err);
    task.page.reject(err);
  }

  private failAll(slot: Slot, err: Error): void {
    for (const task of slot.tasks.values()) this.fail(task, err);
    slot.tasks.clear();
  }

  private spawn(slot: Slot): Worker {
    const worker = spawnThread(this.script, this.youngGenerationMb);
    worker.on('message', (reply: ThreadReply) => {
      const task = slot.tasks.get(reply.id);
      if (task === undefined) return;
      if (reply.step === 'envelope') {
        task.envelope.resolve(reply.outcome);
        if (reply.outcome.ok) return;
        task.page.reject(unreadable());
      } else if (reply.step === 'page') {
        for (const b of reply.page.bundles) if (b.json.buffer instanceof ArrayBuffer) this.writers.set(b.json.buffer, slot);
        task.page.resolve(reply.page);
      } else {
        this.fail(task, failed(reply.message));
      }
      slot.tasks.delete(reply.id);
      if (slot.tasks.size === 0) worker.unref();
    });
    const lost = (why: string): void => {
      if (slot.worker !== worker) return;
      slot.worker = undefined;
      this.failAll(slot, new ConnectorError(`the normalizer thread stopped (${why}) while on a page`, { code: 'PIPELINE_NORMALIZER_LOST', retryable: true }));
    };
    worker.on('error', (err) => lost(err.message));
    worker.on('exit', (code) => lost(`exit code ${code}`));
    return worker;
  }
}

function shuttingDown(): ConnectorError {
  return new ConnectorError('the normalizer is closed: the page will be taken up again', { code: 'PIPELINE_SHUTTING_DOWN', retryable: true });
}
