// File sink: each bundle written atomically (temp file + rename) as
// <path>/<source>/<collection>/<bundle id>.json. Re-delivering a bundle overwrites it: idempotent.
import { randomBytes } from 'node:crypto';
import { access, mkdir, rename, writeFile, constants } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConnectorError } from '../../errors';
import type { StixBundle } from '../../stix/types';
import type { DeliveryContext, DeliveryResult, Sink } from '../types';

export interface FileSinkOptions {
  /** Unique sink name (default `file`). */
  name: string;
  /** Root folder of the bundles. */
  path: string;
}

/** A path segment that cannot climb out of its folder. */
const segment = (s: string): string => s.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');

export class FileSink implements Sink {
  readonly type = 'file';
  readonly name: string;
  private readonly root: string;
  /** Folders known to exist (created once, not for every bundle). */
  private readonly folders = new Set<string>();

  constructor(options: FileSinkOptions) {
    this.name = options.name;
    this.root = resolve(options.path);
  }

  async start(): Promise<void> {
    await mkdir(this.root, { recursive: true });
  }

  async deliver(bundle: StixBundle, ctx: DeliveryContext): Promise<DeliveryResult> {
    return this.deliverText(JSON.stringify(bundle), { id: bundle.id, objects: bundle.objects.length }, ctx);
  }

  async deliverText(text: string | Buffer, bundle: { id: string; objects: number }, ctx: DeliveryContext): Promise<DeliveryResult> {
    const dir = join(this.root, segment(ctx.source), segment(ctx.collection));
    const target = join(dir, `${segment(bundle.id)}.json`);
    const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      if (!this.folders.has(dir)) {
        await mkdir(dir, { recursive: true });
        this.folders.add(dir);
      }
      await writeFile(temp, text);
      await rename(temp, target);
    } catch (err) {
      this.folders.delete(dir);
      const e = err as NodeJS.ErrnoException;
      // A full disk or a permission problem may be fixed by an operator: retry.
      throw new ConnectorError(`cannot write ${target}: ${e.code ?? e.message}`, { code: `FILE_${e.code ?? 'WRITE'}`, retryable: true });
    }
    return { delivered: bundle.objects, rejected: [] };
  }

  async health(): Promise<void> {
    try {
      await mkdir(this.root, { recursive: true });
      await access(this.root, constants.W_OK);
    } catch (err) {
      throw new ConnectorError(`file sink folder ${this.root} is not writable`, { code: 'FILE_NOT_WRITABLE', retryable: true, cause: err });
    }
  }

  async close(): Promise<void> {
    /* nothing held open */
  }
}
