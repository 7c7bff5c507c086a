// What a TAXII response body holds: lenient media-type reading, JSON decoding with typed failures,
// and a short, secret-free description of an error body (TAXII 2.1 §1.6.8 media types, §3.6.1
// error message).
import { ConnectorError } from '../errors';
import { displayUrl, type HttpResponse } from '../http/request';
import { redact } from '../log';
import { TaxiiErrorBody } from './schema';

/** The TAXII 2.1 media type (§1.6.8.1), sent in `Accept`. */
export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1';
/** The STIX 2.1 media type some servers answer with (§1.6.8.2). */
export const STIX_MEDIA_TYPE = 'application/stix+json;version=2.1';

export interface MediaType {
  /** `type/subtype`, lowercase, no spaces. */
  essence: string;
  /** The `version` parameter, when present. */
  version?: string;
}

/** Parses a Content-Type header leniently (spacing, casing, quoted parameters). */
export function parseMediaType(header: string | undefined): MediaType | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const [essence = '', ...params] = header.split(';').map((p) => p.trim());
  const out: MediaType = { essence: essence.toLowerCase().replace(/\s+/g, '') };
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq > 0 && p.slice(0, eq).trim().toLowerCase() === 'version') out.version = p.slice(eq + 1).trim().replace(/^"|"$/g, '');
  }
  return out;
}

/** True for the JSON media types a TAXII server may use: TAXII, STIX (2.0 `vnd.oasis.` too), JSON. */
export function isJsonMediaType(mt: MediaType | undefined): boolean {
  if (mt === undefined) return false;
  return mt.essence === 'application/json' || /^application\/(vnd\.oasis\.)?(taxii|stix)\+json$/.test(mt.essence) || mt.essence.endsWith('+json');
}

function firstChar(body: string): string {
  const m = /\S/.exec(body);
  return m ? m[0] : '';
}

function looksHtml(body: string): boolean {
  return /^\s*<(!doctype\s+html|html|head|body|title)/i.test(body) || (firstChar(body) === '<' && /<\/(html|body|title|h1)>/i.test(body));
}

function htmlTitle(body: string): string | undefined {
  const m = /<title[^>]*>([^<]{1,200})<\/title>/i.exec(body) ?? /<h1[^>]*>([^<]{1,200})<\/h1>/i.exec(body);
  return m?.[1]?.replace(/\s+/g, ' ').trim() || undefined;
}

function snippet(body: string, max = 160): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return redact(flat.length > max ? `${flat.slice(0, max)}…` : flat);
}

export interface DecodeContext {
  /** Prefix for messages, e.g. `source "trend": GET https://…/objects/`. */
  what: string;
  codePrefix: string;
}

/** What a message about a response body says of it. */
interface BodyFacts {
  url: string;
  status: number;
  content_type?: string;
  bytes: number;
}

/** TAXII_BAD_JSON: retryable, since a body cut short by a proxy or a dropped connection is the usual cause. */
export function badJsonError(what: string, codePrefix: string, reason: string, facts: BodyFacts): ConnectorError {
  return new ConnectorError(
    `${what}: the response body is not valid JSON (${reason}; ${facts.bytes} bytes); it may have been cut short by a proxy or a dropped connection, so a retry may succeed`,
    { code: `${codePrefix}_BAD_JSON`, retryable: true, status: facts.status, details: { ...facts } },
  );
}

/**
 * Checks that the body of a 2xx TAXII response is JSON to be parsed, without parsing it, and returns
 * it without a byte order mark. Lenient on Content-Type: any JSON-looking body passes whatever its
 * declared type. Fails with TAXII_CONTENT_TYPE for an HTML page or a non-JSON type with a non-JSON
 * body.
 */
export function checkJsonBody(res: HttpResponse, ctx: DecodeContext): string {
  const body = res.body.charCodeAt(0) === 0xfeff ? res.body.slice(1) : res.body;
  const declared = res.headers['content-type'];
  const mt = parseMediaType(declared);
  const details = { url: res.url, status: res.status, content_type: declared };
  if (looksHtml(body)) {
    const title = htmlTitle(body);
    return fail(
      `${ctx.what}: expected TAXII JSON but got an HTML page${title ? ` ("${redact(title)}")` : ''} with content type ${declared ?? 'none'}; a proxy, login page or wrong URL answered`,
      'CONTENT_TYPE',
      false,
    );
  }
  const c = firstChar(body);
  if (!isJsonMediaType(mt) && mt !== undefined && c !== '{' && c !== '[') {
    return fail(`${ctx.what}: expected TAXII JSON but got content type ${declared}: ${snippet(body) || '(empty body)'}`, 'CONTENT_TYPE', false);
  }
  return body;

  function fail(message: string, kind: 'CONTENT_TYPE', retryable: boolean): never {
    throw new ConnectorError(message, { code: `${ctx.codePrefix}_${kind}`, retryable, status: res.status, details: { ...details, bytes: Buffer.byteLength(body) } });
  }
}

/**
 * checkJsonBody for a body kept as bytes (`raw`): returns them without a byte order mark. A body
 * that starts like JSON passes on its first bytes alone; any other is decoded and checked whole.
 */
export function checkJsonBytes(res: HttpResponse, raw: Buffer, ctx: DecodeContext): Buffer {
  const bytes = raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf ? raw.subarray(3) : raw;
  const c = firstChar(bytes.subarray(0, 256).toString('latin1'));
  if (c !== '{' && c !== '[') checkJsonBody({ ...res, body: bytes.toString('utf8') }, ctx);
  return bytes;
}

/**
 * Decodes the JSON body of a 2xx TAXII response (checkJsonBody, then JSON.parse): TAXII_BAD_JSON
 * (retryable) for JSON that does not parse.
 */
export function decodeJsonBody(res: HttpResponse, ctx: DecodeContext): unknown {
  if (res.status === 204) return {};
  const body = checkJsonBody(res, ctx);
  try {
    return JSON.parse(body);
  } catch (err) {
    throw badJsonError(ctx.what, ctx.codePrefix, (err as Error).message, { url: displayUrl(res.url), status: res.status, content_type: res.headers['content-type'], bytes: Buffer.byteLength(body) });
  }
}

/**
 * A one-line description of an error response body: the TAXII error message's title, description
 * and error_code when present, an HTML page's title, or the start of the text. Secrets redacted.
 */
export function describeErrorBody(res: HttpResponse): { text?: string; error?: TaxiiErrorBody } {
  const body = res.body;
  if (body.trim() === '') return {};
  if (looksHtml(body)) {
    const title = htmlTitle(body);
    return { text: `an HTML page${title ? ` "${redact(title)}"` : ''}` };
  }
  const c = firstChar(body);
  if (c === '{') {
    try {
      const parsed = TaxiiErrorBody.safeParse(JSON.parse(body));
      if (parsed.success && (parsed.data.title || parsed.data.description)) {
        const e = parsed.data;
        const parts = [e.title, e.description].filter((p): p is string => !!p && p.trim() !== '');
        const code = e.error_code ? ` (error_code ${e.error_code})` : '';
        return { text: redact(`${parts.join(': ')}${code}`), error: e };
      }
    } catch {
      // not JSON after all: fall through to the text snippet
    }
  }
  return { text: snippet(body) };
}
