// Bundles normalized in this process, handed to this process's deliveries without reading them back
// from Redis. Redis keeps the copy that counts (any process may deliver it, and a bundle no longer
// pending there is not delivered): this is only a shortcut, bounded in bytes, oldest dropped first.
// A bundle's memory goes back to whoever wrote it (`reuse`) once it is neither kept here nor held
// by a delivery that took it.

interface Entry {
  key: string;
  json: Buffer;
  /** Sinks that have not taken it yet. */
  sinks: Set<string>;
  /** Deliveries that took it and have not said they are done. */
  lent: number;
}

export class BundleHandoff {
  private readonly entries = new Map<string, Entry>();
  private readonly byJson = new Map<Buffer, Entry>();
  private bytes = 0;

  /**
   * @param maxBytes Bytes kept at most; bundles past it are read from Redis instead.
   * @param reuse Takes a bundle's memory back once nobody reads it (default: it is left to be collected).
   */
  constructor(
    private readonly maxBytes: number,
    private readonly reuse: (json: Buffer) => void = () => undefined,
  ) {}

  static key(source: string, collection: string, runId: string, page: number, part: number): string {
    return `${source}\n${collection}\n${runId}\n${page}.${part}`;
  }

  /** Keeps a bundle's JSON for one delivery per sink; its memory is the handoff's from now on. */
  put(key: string, json: Buffer, sinks: Iterable<string>): void {
    this.drop(key);
    if (this.byJson.has(json)) return;
    const entry: Entry = { key, json, sinks: new Set(sinks), lent: 0 };
    if (json.byteLength > this.maxBytes || entry.sinks.size === 0) {
      this.reuse(json);
      return;
    }
    this.entries.set(key, entry);
    this.byJson.set(json, entry);
    this.bytes += json.byteLength;
    for (const [oldest] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.drop(oldest);
    }
  }

  /**
   * The bundle for this sink's delivery, once; undefined when it is not here (read Redis). The
   * delivery must call `done` with it when it no longer reads it (also when it did not use it).
   */
  take(key: string, sink: string): Buffer | undefined {
    const e = this.entries.get(key);
    if (e === undefined || !e.sinks.delete(sink)) return undefined;
    e.lent++;
    if (e.sinks.size === 0) this.drop(key);
    return e.json;
  }

  /** A delivery that took `json` no longer reads it. */
  done(json: Buffer): void {
    const e = this.byJson.get(json);
    if (e === undefined || e.lent === 0) return;
    e.lent--;
    this.release(e);
  }

  /** Bytes held (metrics, tests). */
  get size(): number {
    return this.bytes;
  }

  private drop(key: string): void {
    const e = this.entries.get(key);
    if (e === undefined) return;
    this.entries.delete(key);
    this.bytes -= e.json.byteLength;
    this.release(e);
  }

  /** Gives the memory back once the bundle is neither kept here (for sinks yet to take it) nor lent. */
  private release(e: Entry): void {
    if (e.lent > 0 || this.entries.get(e.key) === e) return;
    this.byJson.delete(e.json);
    this.reuse(e.json);
  }
}
