// Bundles normalized in this process, handed to this process's deliveries without reading them back
// from Redis. Redis keeps the copy that counts (any process may deliver it, and a bundle no longer
// pending there is not delivered): this is only a shortcut, bounded in bytes, oldest dropped first.
export class BundleHandoff {
  private readonly entries = new Map<string, { json: Buffer; sinks: Set<string> }>();
  private bytes = 0;

  /** @param maxBytes Bytes kept at most; bundles past it are read from Redis instead. */
  constructor(private readonly maxBytes: number) {}

  static key(source: string, collection: string, runId: string, page: number, part: number): string {
    return `${source}\n${collection}\n${runId}\n${page}.${part}`;
  }

  /** Keeps a bundle's JSON for one delivery per sink. */
  put(key: string, json: Buffer, sinks: Iterable<string>): void {
    if (json.byteLength > this.maxBytes) return;
    this.drop(key);
    this.entries.set(key, { json, sinks: new Set(sinks) });
    this.bytes += json.byteLength;
    for (const [oldest] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.drop(oldest);
    }
  }

  /** The bundle for this sink's delivery, once; undefined when it is not here (read Redis). */
  take(key: string, sink: string): Buffer | undefined {
    const e = this.entries.get(key);
    if (e === undefined || !e.sinks.delete(sink)) return undefined;
    if (e.sinks.size === 0) this.drop(key);
    return e.json;
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
  }
}
