// The HTTP sink (`sink.type: http`): delivers bundles to a generic STIX endpoint (bundle mode) or to a
// writable TAXII 2.1 collection (taxii mode), through the shared HttpClient.
import { ConnectorError } from '../../errors';
import { HttpClient, displayUrl } from '../../http/request';
import { registerSecret } from '../../log';
import type { StixBundle } from '../../stix/types';
import { storedText, type DeliveryContext, type DeliveryResult, type Sink } from '../types';
import { postBundle, postBundleJson, probeEndpoint } from './bundle-mode';
import { type HttpSinkOptions, type ResolvedHttpSinkOptions, resolveHttpSinkOptions } from './options';
import { type TaxiiTarget, probeCollection, pushToCollection, taxiiTarget } from './taxii-mode';

export class HttpSink implements Sink {
  readonly type = 'http';
  readonly name: string;
  private readonly o: ResolvedHttpSinkOptions;
  private readonly http: HttpClient;
  private readonly target?: TaxiiTarget;

  constructor(options: HttpSinkOptions) {
    this.o = resolveHttpSinkOptions(options);
    this.name = this.o.name;
    const c = this.o.credentials;
    if (c.type === 'bearer') registerSecret(c.token);
    if (c.type === 'basic') registerSecret(c.password);
    if (this.o.mode === 'taxii') this.target = taxiiTarget(this.o.url);
    this.http = new HttpClient({
      codePrefix: this.o.mode === 'taxii' ? 'TAXII_PUSH' : 'SINK',
      credentials: c,
      timeoutMs: this.o.timeoutMs,
      tlsVerify: this.o.tlsVerify,
      ca: this.o.ca,
      proxy: this.o.proxy,
      headers: this.o.headers,
      maxResponseBytes: 16 * 1024 * 1024,
    });
  }

  /** Checks the destination answers and takes the credentials; TAXII mode also checks `can_write`. */
  async start(): Promise<void> {
    if (!this.target) {
      await probeEndpoint(this.http, this.o);
    } else if ((await probeCollection(this.http, this.o, this.target)).canWrite === false) {
      throw new ConnectorError(`TAXII collection ${displayUrl(this.target.collectionUrl)} is not writable with the credentials of sink ${this.name}`, {
        code: 'TAXII_PUSH_NOT_WRITABLE',
        retryable: false,
      });
    }
    this.o.logger.info('http sink ready', { sink: this.name, mode: this.o.mode, url: displayUrl(this.o.url) });
  }

  async deliver(bundle: StixBundle, ctx: DeliveryContext): Promise<DeliveryResult> {
    if (bundle.objects.length === 0) return { delivered: 0, rejected: [] };
    const result = this.target ? await pushToCollection(this.http, this.o, this.target, bundle) : await postBundle(this.http, this.o, bundle);
    if (result.rejected.length > 0) {
      this.o.logger.warn('http sink refused objects', { sink: this.name, rejected: result.rejected.length, delivered: result.delivered, source: ctx.source, collection: ctx.collection });
    }
    return result;
  }

  /**
   * A bundle as the pipeline stored it: bundle mode posts it as it is (no parse, no new
   * serialization); TAXII mode sends its objects in an envelope, so it reads it first.
   */
  async deliverText(json: string | Buffer, meta: { id: string; objects: number }, ctx: DeliveryContext): Promise<DeliveryResult> {
    if (this.target) return this.deliver(JSON.parse(storedText(json)) as StixBundle, ctx);
    if (meta.objects === 0) return { delivered: 0, rejected: [] };
    return postBundleJson(this.http, this.o, json, meta.objects);
  }

  /** A GET on the endpoint (bundle mode) or the collection (taxii mode); throws only on network or auth failures. */
  async health(): Promise<void> {
    if (this.target) await probeCollection(this.http, this.o, this.target);
    else await probeEndpoint(this.http, this.o);
  }

  async close(): Promise<void> {
    this.http.close();
  }
}
