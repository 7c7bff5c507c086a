// GraphQL transport to OpenCTI: `POST {url}/graphql` with the bearer token, through the shared
// HttpClient (timeouts, TLS, proxy, Retry-After), every reply parsed at the boundary.
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

  /** Same, with a body already built by graphqlBody (the sink builds push bodies to measure them). */
  async requestBody<T>(operation: Operation<T>, body: string): Promise<T> {
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
