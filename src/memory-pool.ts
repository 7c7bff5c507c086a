// Memory for page bodies and bundles, used again once they are done with. Memory fresh from the
// system is paid for in page faults the first time it is written (measured: 3 ms and more a
// megabyte on a 2-vCPU VM, most of what filling a 5 MB page or bundle cost); memory used again
// keeps its pages. Giving memory back is the holder's promise that nobody reads it any more.
// Memory never given back is collected as any other.

/** Capacities are whole multiples of this, so that pages of slightly different sizes share buffers. */
const GRAIN_BYTES = 1 << 20;

export interface MemoryPoolLimits {
  /** Buffers kept for later at most. */
  maxBuffers: number;
  /** Bytes kept for later at most, all buffers together. */
  maxBytes: number;
}

/** Pooled memory: SharedArrayBuffers (shared with threads) or ArrayBuffers (moved between threads). */
export class MemoryPool<M extends ArrayBuffer | SharedArrayBuffer> {
  /** Buffers given back and not taken since, smallest first. */
  private readonly free: M[] = [];
  /** Buffers of this pool that are out: only those can come back (giveBack), and each only once. */
  private readonly out = new WeakSet<M>();

  /** @param make new memory of a size (whole grains) */
  constructor(
    private readonly limits: MemoryPoolLimits,
    private readonly make: (bytes: number) => M,
  ) {}

  /**
   * Memory of at least `minBytes` (the Buffer spans all of it), used before when a buffer
   * large enough was given back: its contents are not cleared.
   */
  take(minBytes: number): Buffer {
    const i = this.free.findIndex((b) => b.byteLength >= minBytes);
    const memory = i >= 0 ? this.free.splice(i, 1)[0]! : this.make(Math.max(1, Math.ceil(minBytes / GRAIN_BYTES)) * GRAIN_BYTES);
    this.out.add(memory);
    return Buffer.from(memory);
  }

  /** Gives back the memory of a Buffer `take` returned (any view of it); anything else is ignored. */
  giveBack(view: Uint8Array): void {
    const memory = view.buffer as M;
    if (!this.out.has(memory)) return;
    this.out.delete(memory);
    this.keep(memory);
  }

  /**
   * Takes back memory this pool handed out that came back from another thread: moved there and back
   * (postMessage with a transfer list), it is a new object, which giveBack would not know.
   */
  adopt(memory: M): void {
    if (memory.byteLength > 0) this.keep(memory);
  }

  private keep(memory: M): void {
    this.free.push(memory);
    this.free.sort((a, b) => a.byteLength - b.byteLength);
    // Too many: the smallest go (least likely to fit). Too large: the largest go.
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
