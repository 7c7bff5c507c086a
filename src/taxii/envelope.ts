// A page's envelope (TAXII 2.1 §3.7) read from its text by the same schema as the client's, with
// failures as plain data: pure and free of I/O modules, so that it runs in a worker thread.
import { Envelope, schemaIssues, type SchemaIssue } from './schema';

export type EnvelopeRead =
  | { ok: true; more: boolean; next?: string; objects: unknown[] }
  | { ok: false; kind: 'BAD_JSON'; reason: string }
  | { ok: false; kind: 'BAD_ENVELOPE'; issues: SchemaIssue[] };

export function readEnvelope(body: string): EnvelopeRead {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    return { ok: false, kind: 'BAD_JSON', reason: err instanceof Error ? err.message : String(err) };
  }
  const parsed = Envelope.safeParse(json);
  if (!parsed.success) return { ok: false, kind: 'BAD_ENVELOPE', issues: schemaIssues(parsed.error) };
  const { more, next, objects } = parsed.data;
  return { ok: true, more: more === true, next: next === '' ? undefined : next, objects: objects ?? [] };
}
