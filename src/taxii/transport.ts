// One TAXII exchange: a request with the TAXII media type (TAXII 2.1 §1.6.8), the response checked
// for status, media type and JSON, then parsed at the boundary with a zod schema. No retries here:
// the queue retries, and a `next` token must never be re-sent blindly (DESIGN.md).
import type { z } from 'zod';
import { ConnectorError } from '../errors';
import { displayUrl, HttpClient, type Credentials, type HttpClientOptions } from '../http/request';
import { registerSecret, silentLogger, type Logger } from '../log';
import { badEnvelopeError, describeRequest, statusError, withSource, TAXII_ERROR_CODES, type RequestContext } from './errors';
import { checkJsonBytes, decodeJsonBody, TAXII_MEDIA_TYPE } from './response';
import { schemaIssues } from './schema';

/** The TAXII 2.1 resource a request is for (§4, §5). */
export type TaxiiEndpoint = 'discovery' | 'api-root' | 'collections' | 'collection' | 'objects' | 'object' | 'versions' | 'manifest' | 'status' | 'add-objects';

/** One request's outcome, for metrics: the HTTP status, or the error code when there was no answer. */
export interface TaxiiRequestEvent {
  method: 'GET' | 'POST';
  endpoint: TaxiiEndpoint;
  status: string;
  ms: number;
}

export interface TransportOptions extends Pick<HttpClientOptions, 'credentials' | 'timeoutMs' | 'tlsVerify' | 'ca' | 'proxy' | 'maxResponseBytes'> {
  /** Source name, used in every error message and log line. */
  source: string;
  logger?: Logger;
  /** Told of every request once it is answered or has failed. */
  onRequest?: (e: TaxiiRequestEvent) => void;
}

export interface TaxiiResponse<T> {
  data: T;
  status: number;
  /** Final URL (after redirects). */
  url: string;
  /** Response headers, names lowercase. */
  headers: Record<string, string>;
  /** Body length in bytes. */
  bytes: number;
  /** The body as received. */
  body: string;
}

export interface ExchangeOptions {
  /** Which resource the request is for (metrics); default `objects`. */
  endpoint?: TaxiiEndpoint;
  /** Response size cap for this request, in bytes. */
  maxResponseBytes?: number;
  /** Why the cap is what it is, for the TAXII_TOO_LARGE message. */
  capReason?: string;
  /** The request carries a `next` token (a 400/404 then means the token was refused). */
  withNext?: boolean;
}

export class TaxiiTransport {
  readonly source: string;
  readonly log: Logger;
  readonly maxResponseBytes?: number;
  private readonly http: HttpClient;
  private readonly authType: Credentials['type'];
  private readonly onRequest?: (e: TaxiiRequestEvent) => void;

  constructor(options: TransportOptions) {
    this.source = options.source;
    this.onRequest = options.onRequest;
    this.authType = options.credentials.type;
    this.maxResponseBytes = options.maxResponseBytes;
    this.log = (options.logger ?? silentLogger).child({ source: options.source });
    if (options.credentials.type === 'bearer') registerSecret(options.credentials.token);
    if (options.credentials.type === 'basic') registerSecret(options.credentials.password);
    this.http = new HttpClient({
      codePrefix: 'TAXII',
      credentials: options.credentials,
      timeoutMs: options.timeoutMs,
      tlsVerify: options.tlsVerify,
      ca: options.ca,
      proxy: options.proxy,
      maxResponseBytes: options.maxResponseBytes,
      headers: { Accept: TAXII_MEDIA_TYPE },
    });
  }

  /** GET a TAXII resource and parse it with `schema`. */
  get<S extends z.ZodType>(url: string, schema: S, options: ExchangeOptions = {}): Promise<TaxiiResponse<z.output<S>>> {
    return this.exchange('GET', url, undefined, schema, options);
  }

  /**
   * GET a TAXII resource whose body the caller parses itself (a page of objects, parsed off the
   * event loop): status and media type are checked, the body is returned as bytes, undecoded.
   */
  async getBytes(url: string, options: ExchangeOptions = {}): Promise<{ status: number; url: string; headers: Record<string, string>; body: Buffer; what: string }> {
    const { res, ctx } = await this.send('GET', url, undefined, options, true);
    const what = describeRequest(ctx);
    const raw = res.raw ?? Buffer.from(res.body);
    const body = res.status === 204 ? Buffer.from('{}') : checkJsonBytes(res, raw, { what, codePrefix: 'TAXII' });
    return { status: res.status, url: res.url, headers: res.headers, body, what };
  }

  /** POST a TAXII envelope (TAXII 2.1 §5.5) and parse the answer with `schema`. */
  post<S extends z.ZodType>(url: string, body: unknown, schema: S, options: ExchangeOptions = {}): Promise<TaxiiResponse<z.output<S>>> {
    return this.exchange('POST', url, JSON.stringify(body), schema, options);
  }

  close(): void {
    this.http.close();
  }

  private async exchange<S extends z.ZodType>(
    method: 'GET' | 'POST',
    url: string,
    body: string | undefined,
    schema: S,
    options: ExchangeOptions,
  ): Promise<TaxiiResponse<z.output<S>>> {
    const { res, ctx, bytes } = await this.send(method, url, body, options);
    const json = decodeJsonBody(res, { what: describeRequest(ctx), codePrefix: 'TAXII' });
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw badEnvelopeError(describeRequest(ctx), res.status, url, schemaIssues(parsed.error));
    return { data: parsed.data as z.output<S>, status: res.status, url: res.url, headers: res.headers, bytes, body: res.body };
  }

  /** One request: a 2xx response, or a typed error (network, size, status). */
  private async send(method: 'GET' | 'POST', url: string, body: string | undefined, options: ExchangeOptions, raw = false) {
    const ctx: RequestContext = { source: this.source, authType: this.authType, method, url, withNext: options.withNext };
    const started = Date.now();
    const told = (status: string): void => this.onRequest?.({ method, endpoint: options.endpoint ?? 'objects', status, ms: Date.now() - started });
    let res;
    try {
      res = await this.http.send({
        method,
        url,
        body,
        headers: body === undefined ? undefined : { 'Content-Type': TAXII_MEDIA_TYPE },
        maxResponseBytes: options.maxResponseBytes,
        raw,
      });
      told(String(res.status));
    } catch (err) {
      told(err instanceof ConnectorError ? err.code : 'UNEXPECTED');
      if (err instanceof ConnectorError && err.code === TAXII_ERROR_CODES.tooLarge && options.capReason) {
        throw new ConnectorError(`${describeRequest(ctx)}: ${err.message} (${options.capReason})`, {
          code: err.code,
          retryable: false,
          details: err.details,
          cause: err,
        });
      }
      throw withSource(err, this.source);
    }
    const bytes = res.raw?.length ?? Buffer.byteLength(res.body);
    this.log.debug('taxii response', { method, url: displayUrl(url), status: res.status, bytes, ms: Date.now() - started });
    if (res.status < 200 || res.status >= 300) throw statusError(res, ctx);
    return { res, ctx, bytes };
  }
}
