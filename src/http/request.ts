// One HTTP layer for every peer (TAXII servers, OpenCTI, HTTP sinks): timeouts, TLS options, proxy,
// size cap, redirects followed by hand so that credentials never cross to another origin, and every
// failure turned into a typed ConnectorError through the classification table.
import axios, { type AxiosProxyConfig, type AxiosResponse } from 'axios';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { rootCertificates } from 'node:tls';
import { ConnectorError } from '../errors';
import { redact } from '../log';
import { RETRYABLE_NETWORK_CODES, classifyStatus, parseRetryAfter } from './classify';
import { pageBodies } from './body-pool';

export type Credentials =
  | { type: 'none' }
  | { type: 'bearer'; token: string }
  | { type: 'basic'; username: string; password: string };

export interface HttpClientOptions {
  /** Prefix of error codes: `TAXII` gives `TAXII_HTTP_429`, `TAXII_NETWORK`, … */
  codePrefix: string;
  credentials: Credentials;
  timeoutMs: number;
  /** Verify TLS certificates (default true). */
  tlsVerify?: boolean;
  /** PEM text of extra CAs to trust. */
  ca?: string;
  /** Proxy URL; when absent the HTTPS_PROXY/HTTP_PROXY/NO_PROXY environment applies. */
  proxy?: string;
  /** Largest response body accepted, in bytes. */
  maxResponseBytes?: number;
  /** Headers sent on every request. */
  headers?: Record<string, string>;
  maxRedirects?: number;
}

export interface HttpRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  /** Text, or bytes sent as they are. */
  body?: string | Buffer;
  /** Largest response body accepted for this request, in bytes (default: the client's). */
  maxResponseBytes?: number;
  /** Timeout of this request, in milliseconds (default: the client's). */
  timeoutMs?: number;
  /** Keep a 2xx body as received, in `raw`, undecoded (`body` is then empty): large payloads stay bytes. */
  raw?: boolean;
}

export interface HttpResponse {
  status: number;
  url: string;
  headers: Record<string, string>;
  body: string;
  /** The body's bytes, for a request that asked for them (`raw`) and got a 2xx. */
  raw?: Buffer;
}

/** A declared body length above this is not trusted to size memory up front (the body grows into more as it comes). */
const MAX_SIZE_HINT_BYTES = 64 * 1024 * 1024;

/**
 * A response body read whole into shared memory (a SharedArrayBuffer, from pageBodies): a worker
 * thread it is posted to shares it rather than receiving a copy. Each chunk is copied there as it
 * comes, so that no page's worth of chunks is held besides. The memory starts at `sizeHint` (the
 * declared length, capped; else the largest kept) and grows if the body is longer. axios enforces
 * `maxContentLength` on the stream itself, with the same error as for a buffered response.
 */
async function readShared(stream: Readable, sizeHint: number): Promise<Buffer> {
  let out = pageBodies.take(sizeHint > 0 ? sizeHint : pageBodies.largestKept);
  let at = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (at + chunk.length > out.length) {
      const larger = pageBodies.take(Math.max(2 * out.length, at + chunk.length));
      out.copy(larger, 0, 0, at);
      pageBodies.giveBack(out);
      out = larger;
    }
    at += chunk.copy(out, at);
  }
  return out.subarray(0, at);
}

/** The memory to start a body in: its declared length when that is believable, else none (it grows). */
function bodySizeHint(res: AxiosResponse, maxBytes: number | undefined): number {
  const declared = Number(res.headers['content-length']);
  const cap = Math.min(maxBytes !== undefined && maxBytes > 0 ? maxBytes : Infinity, MAX_SIZE_HINT_BYTES);
  return Number.isSafeInteger(declared) && declared > 0 && declared <= cap ? declared : 0;
}

/** A URL fit for messages and logs: user name and password removed. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username === '' && u.password === '') return url;
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return redact(url);
  }
}

/** Reads a PEM CA file, failing with a clear message. */
export function readCaFile(path: string | undefined): string | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConnectorError(`cannot read CA file ${path}: ${(err as Error).message}`, { code: 'CONFIG_CA_FILE', retryable: false });
  }
}

function authHeader(c: Credentials): string | undefined {
  if (c.type === 'bearer') return `Bearer ${c.token}`;
  if (c.type === 'basic') return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
  return undefined;
}

function proxyConfig(proxy: string | undefined): AxiosProxyConfig | false | undefined {
  if (!proxy) return undefined; // axios reads HTTP(S)_PROXY / NO_PROXY itself
  const u = new URL(proxy);
  return {
    protocol: u.protocol.replace(':', ''),
    host: u.hostname,
    port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)),
    ...(u.username ? { auth: { username: decodeURIComponent(u.username), password: decodeURIComponent(u.password) } } : {}),
  };
}

export class HttpClient {
  private readonly httpsAgent: https.Agent;
  private readonly httpAgent: http.Agent;

  constructor(private readonly options: HttpClientOptions) {
    this.httpsAgent = new https.Agent({
      keepAlive: true,
      rejectUnauthorized: options.tlsVerify !== false,
      ...(options.ca ? { ca: [...rootCertificates, options.ca] } : {}),
    });
    this.httpAgent = new http.Agent({ keepAlive: true });
  }

  /**
   * Sends a request and returns the final response of any status. Throws ConnectorError only for
   * failures without a usable response: network errors, timeouts, oversize bodies, redirect loops.
   * The timeout is a deadline for the whole exchange (connect, headers and body), per hop.
   */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const { codePrefix } = this.options;
    const auth = authHeader(this.options.credentials);
    const origin = new URL(req.url).origin;
    const timeoutMs = req.timeoutMs ?? this.options.timeoutMs;
    const maxBytes = req.maxResponseBytes ?? this.options.maxResponseBytes;
    let url = req.url;
    let method = req.method ?? 'GET';
    let body = req.body;
    for (let hop = 0; hop <= (this.options.maxRedirects ?? 5); hop++) {
      const sameOrigin = new URL(url).origin === origin;
      const headers: Record<string, string> = { ...this.options.headers, ...req.headers };
      if (!sameOrigin) for (const k of Object.keys(headers)) if (k.toLowerCase() === 'authorization') delete headers[k];
      if (auth && sameOrigin) headers.Authorization = auth;
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(), timeoutMs);
      let res: AxiosResponse<string | Readable>;
      let bytes: Buffer | undefined;
      try {
        res = await axios.request<string | Readable>({
          url,
          method,
          data: body,
          headers,
          timeout: timeoutMs,
          signal: deadline.signal,
          // A raw body is read here (readShared), into memory a worker thread can share.
          responseType: req.raw ? 'stream' : 'text',
          transformResponse: [(d: unknown) => d],
          maxRedirects: 0,
          maxContentLength: maxBytes ?? -1,
          maxBodyLength: Infinity,
          validateStatus: () => true,
          httpAgent: this.httpAgent,
          httpsAgent: this.httpsAgent,
          proxy: proxyConfig(this.options.proxy),
          decompress: true,
        });
        if (res.data instanceof Readable) bytes = await readShared(res.data, bodySizeHint(res, maxBytes));
      } catch (err) {
        throw this.networkError(err, url, { timeoutMs, maxBytes, timedOut: deadline.signal.aborted });
      } finally {
        clearTimeout(timer);
      }
      const location = res.headers.location as string | undefined;
      if (res.status >= 300 && res.status < 400 && location) {
        url = new URL(location, url).toString();
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
        }
        continue;
      }
      const flat: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) flat[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
      if (bytes !== undefined) {
        const ok = res.status >= 200 && res.status < 300;
        return { status: res.status, url, headers: flat, body: ok ? '' : bytes.toString('utf8'), ...(ok ? { raw: bytes } : {}) };
      }
      return { status: res.status, url, headers: flat, body: typeof res.data === 'string' ? res.data : String(res.data ?? '') };
    }
    throw new ConnectorError(`too many redirects from ${displayUrl(req.url)}`, { code: `${codePrefix}_REDIRECT_LOOP`, retryable: false });
  }

  /** Error for a non-2xx response, classified by the table, Retry-After honoured. */
  statusError(res: HttpResponse, message: string, details?: Record<string, unknown>): ConnectorError {
    const outcome = classifyStatus(res.status);
    return new ConnectorError(redact(message), {
      code: `${this.options.codePrefix}_HTTP_${res.status}`,
      retryable: outcome.retryable,
      status: res.status,
      retryAfterMs: parseRetryAfter(res.headers['retry-after']),
      details: { url: displayUrl(res.url), kind: outcome.kind, ...details },
    });
  }

  close(): void {
    this.httpsAgent.destroy();
    this.httpAgent.destroy();
  }

  private networkError(err: unknown, rawUrl: string, ctx: { timeoutMs: number; maxBytes?: number; timedOut: boolean }): ConnectorError {
    const prefix = this.options.codePrefix;
    const url = displayUrl(rawUrl);
    const e = err as { code?: string; message?: string };
    if (e.message && /maxContentLength/i.test(e.message)) {
      return new ConnectorError(`response from ${url} is larger than ${ctx.maxBytes} bytes`, {
        code: `${prefix}_TOO_LARGE`,
        retryable: false,
        details: { max_bytes: ctx.maxBytes },
      });
    }
    const timedOut = ctx.timedOut || e.code === 'ECONNABORTED' || e.code === 'ETIMEDOUT' || /timeout/i.test(e.message ?? '');
    if (timedOut) {
      return new ConnectorError(`request to ${url} timed out after ${ctx.timeoutMs} ms`, { code: `${prefix}_TIMEOUT`, retryable: true });
    }
    const tls = /certificate|self[- ]signed|SSL|TLS/i.test(`${e.code} ${e.message}`);
    if (tls) {
      return new ConnectorError(`TLS verification failed for ${url}: ${redact(e.message ?? '')}`, { code: `${prefix}_TLS`, retryable: false });
    }
    // A body cut short (connection closed mid-response) is a network failure a retry may cure.
    const cut = e.code === 'ERR_BAD_RESPONSE' && /aborted|terminated|premature/i.test(e.message ?? '');
    const retryable = cut || e.code === undefined || RETRYABLE_NETWORK_CODES.has(e.code);
    return new ConnectorError(`request to ${url} failed: ${redact(e.message ?? String(err))}`, {
      code: `${prefix}_NETWORK`,
      retryable,
      details: { errno: e.code },
    });
  }
}
