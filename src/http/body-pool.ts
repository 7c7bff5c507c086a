// Shared memory for page bodies (readShared), used again once a page is done with it. Memory
// fresh from the system is paid for in page faults the first time it is written (measured: 3 ms
// and more a megabyte on a 2-vCPU VM, most of what filling a page's body cost); memory used again
// keeps its pages. Giving a body back is the holder's promise that nobody reads it any more: the
// fetch worker does so only when Redis has the page and the normalizer has finished with it. A
// body never given back is collected as any other.

/** Capacities are whole multiples of this, so that pages of slightly different sizes share buffers. */
const GRAIN_BYTES = 1 << 20;

export interface BodyPoolLimits {
  /** Buffers kept for later at most. */
  maxBuffers: number;
  /** Bytes kept for later at most, all buffers together. */
  maxBytes: number;
}

export class BodyPool {
  /** Buffers given back and not taken since, smallest first. */
  private readonly free: SharedArrayBuffer[] = [];
  /** Buffers of this pool that are out: only those can come back, and each only once. */
  private readonly out = new WeakSet<SharedArrayBuffer>();

  constructor(private readonly limits: BodyPoolLimits) {}

  /**
   * Shared memory of at least `minBytes` (the Buffer spans all of it), used before when a buffer
   * large enough was given back: its contents are not cleared.
   */
  take(minBytes: number): Buffer {
    const i = this.free.findIndex((b) => b.byteLength >= minBytes);
    const memory = i >= 0 ? this.free.splice(i, 1)[0]! : new SharedArrayBuffer(Math.max(1, Math.ceil(minBytes / GRAIN_BYTES)) * GRAIN_BYTES);
    this.out.add(memory);
    return Buffer.from(memory);
  }

  /** Gives back the memory of a Buffer `take` returned (any view of it); anything else is ignored. */
  giveBack(body: Uint8Array): void {
    const memory = body.buffer;
    if (!(memory instanceof SharedArrayBuffer) || !this.out.has(memory)) return;
    this.out.delete(memory);
    this.free.push(memory);
    this.free.sort((a, b) => a.byteLength - b.byteLength);
    // Too many: the smallest go (least likely to fit a page). Too large: the largest go.
    while (this.free.length > this.limits.maxBuffers) this.free.shift();
    while (this.kept.bytes > this.limits.maxBytes) this.free.pop();
  }

  /** Buffers and bytes kept for later. */
  get kept(): { buffers: number; bytes: number } {
    return { buffers: this.free.length, bytes: this.free.reduce((sum, b) => sum + b.byteLength, 0) };
  }

  /** Bytes of the largest buffer kept (0: none): where a body of unknown size best starts. */
  get largestKept(): number {
    return this.free.at(-1)?.byteLength ?? 0;
  }
}

/**
 * The process's page bodies: up to four kept (the pages a collection has between received and
 * normalized with the default `max_pages_in_flight`), 64 MiB at most.
 */
export const pageBodies = new BodyPool({ maxBuffers: 4, maxBytes: 64 * 1024 * 1024 });
