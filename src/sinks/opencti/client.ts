// GraphQL transport to OpenCTI: `POST {url}/graphql` with the bearer token, through the shared
// HttpClient (timeouts, TLS, proxy, Retry-After), every reply parsed at the boundary.
import { isUtf8 } from 'node:buffer';
import { ConnectorError } from '../../errors';
import { classifyStatus } from '../../http/classify';
import { HttpClient, type HttpResponse } from '../../http/request';
import { registerSecret } from '../../log';
import type { Operation } from './documents';
import { OPENCTI_BAD_REPLY, authError, graphQlFailure } from './errors';
import { GraphQlEnvelope } from './schema';

export interface OpenCtiClientOptions {
  /** OpenCTI base URL (`https://opencti.example.org`); `/graphql` is appended unless present. */
  url: string;
  /** API token of the connector's user, already resolved. */
  token: string;
  /** Timeout of one request, in milliseconds. */
  timeoutMs: number;
  /** Verify TLS certificates (default true). */
  tlsVerify?: boolean;
  /** PEM text of extra CAs to trust (default none). */
  ca?: string;
  /** Proxy URL (default: HTTPS_PROXY / HTTP_PROXY / NO_PROXY from the environment). */
  proxy?: string;
  /** Largest reply accepted, in bytes (default 16 MB). */
  maxResponseBytes?: number;
}

export type Variables = Record<string, unknown>;

export function graphqlEndpoint(url: string): string {
  const base = url.replace(/\/+$/, '');
  return /\/graphql$/i.test(base) ? base : `${base}/graphql`;
}

/** The exact request body sent for an operation; the sink measures it to stay under the limit. */
export function graphqlBody(operation: Operation<unknown>, variables: Variables): string {
  return JSON.stringify({ operationName: operation.name, query: operation.document, variables });
}

/** Stands for the text variable in graphqlBodyBytes; it must come out once, unescaped. */
const PLACEHOLDER = 'taxii-connector:text-variable';
/** JSON.stringify's short escapes of control characters; the others are \u00XX. */
const SHORT_ESCAPES = new Map<number, number>([[0x08, 0x62], [0x09, 0x74], [0x0a, 0x6e], [0x0c, 0x66], [0x0d, 0x72]]);
const HEX = Buffer.from('0123456789abcdef', 'latin1');

/**
 * graphqlBody with the text variable `name` given as its UTF-8 bytes (a bundle as the pipeline
 * stores it; a `name` already in `variables` keeps its place there): exactly the bytes of
 * `graphqlBody(operation, { ...variables, [name]: text })` in UTF-8, built without the text, its
 * escaped copy or the copy axios would encode (for a 5 MB bundle, 15 MB fewer per request under
 * way). Undefined when the bytes are not valid UTF-8: the text would have replacement characters
 * these bytes do not.
 */
export function graphqlBodyBytes(operation: Operation<unknown>, variables: Variables, name: string, bytes: Uint8Array): Buffer | undefined {
  if (!isUtf8(bytes)) return undefined;
  const frame = graphqlBody(operation, { ...variables, [name]: PLACEHOLDER });
  const at = frame.indexOf(`"${PLACEHOLDER}"`);
  if (at < 0 || frame.indexOf(`"${PLACEHOLDER}"`, at + 1) >= 0) return undefined;
  const head = Buffer.from(frame.slice(0, at + 1), 'utf8');
  const tail = Buffer.from(frame.slice(at + 1 + PLACEHOLDER.length), 'utf8');
  const n = bytes.length;
  // One pass, into room for an escape every eighth byte (JSON has about one every twelve), grown
  // when an escape would leave no room for the rest: a counting pass first costs half as much again.
  let out = Buffer.allocUnsafe(head.length + n + (n >> 3) + tail.length + 16);
  let o = head.copy(out, 0);
  for (let i = 0; i < n; i++) {
    const c = bytes[i]!;
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c) {
      out[o++] = c;
      continue;
    }
    const needed = o + 6 + (n - i - 1) + tail.length;
    if (needed > out.length) {
      const grown = Buffer.allocUnsafe(needed + (n >> 3));
      out.copy(grown, 0, 0, o);
      out = grown;
    }
    out[o++] = 0x5c;
    if (c === 0x22 || c === 0x5c) out[o++] = c;
    else {
      const short = SHORT_ESCAPES.get(c);
      if (short !== undefined) out[o++] = short;
      else {
        out[o++] = 0x75; // u00XX
        out[o++] = 0x30;
        out[o++] = 0x30;
        out[o++] = HEX[c >> 4]!;
        out[o++] = HEX[c & 15]!;
      }
    }
  }
  o += tail.copy(out, o);
  return out.subarray(0, o);
}

export class OpenCtiClient {
  private readonly http: HttpClient;
  private readonly endpoint: string;

  constructor(options: OpenCtiClientOptions) {
    registerSecret(options.token);
    this.endpoint = graphqlEndpoint(options.url);
    this.http = new HttpClient({
      codePrefix: 'OPENCTI',
      credentials: { type: 'bearer', token: options.token },
      timeoutMs: options.timeoutMs,
      tlsVerify: options.tlsVerify,
      ca: options.ca,
      proxy: options.proxy,
      maxResponseBytes: options.maxResponseBytes ?? 16 * 1024 * 1024,
    });
  }

  /** Sends one operation; returns its parsed `data` or throws a classified ConnectorError. */
  request<T>(operation: Operation<T>, variables: Variables = {}): Promise<T> {
    return this.requestBody(operation, graphqlBody(operation, variables));
  }

  /** Same, with a body already built by graphqlBody or graphqlBodyBytes (the sink builds push bodies to measure them). */
  async requestBody<T>(operation: Operation<T>, body: string | Buffer): Promise<T> {
    const res = await this.http.send({
      method: 'POST',
      url: this.endpoint,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body,
    });
    return this.read(operation, res);
  }

  close(): void {
    this.http.close();
  }

  private read<T>(operation: Operation<T>, res: HttpResponse): T {
    const outcome = classifyStatus(res.status);
    if (outcome.kind === 'auth') throw authError(operation.name, `HTTP ${res.status}`, res.status);
    const envelope = parseEnvelope(res.body);
    const errors = envelope?.errors ?? [];
    // 429/5xx keep their HTTP meaning (retry, Retry-After); a 4xx carrying GraphQL errors is read by them.
    if (outcome.kind !== 'ok' && (outcome.retryable || errors.length === 0)) {
      throw this.http.statusError(res, `OpenCTI answered HTTP ${res.status} to ${operation.name}`, { operation: operation.name });
    }
    if (errors.length > 0) throw graphQlFailure(operation.name, errors, res.status);
    if (!envelope) {
      throw new ConnectorError(`OpenCTI answered ${operation.name} with a body that is not a GraphQL reply`, {
        code: OPENCTI_BAD_REPLY,
        retryable: true,
        status: res.status,
        details: { operation: operation.name, content_type: res.headers['content-type'] },
      });
    }
    const data = operation.reply.safeParse(envelope.data);
    if (!data.success) {
      throw new ConnectorError(`OpenCTI's reply to ${operation.name} lacks the expected fields: ${data.error.issues[0]?.message ?? ''}`, {
        code: OPENCTI_BAD_REPLY,
        retryable: false,
        status: res.status,
        details: { operation: operation.name, path: data.error.issues[0]?.path.join('.') },
      });
    }
    return data.data;
  }
}

function parseEnvelope(text: string): GraphQlEnvelope | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = GraphQlEnvelope.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
