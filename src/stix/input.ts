// readStixInput(): the objects of a STIX document in any of the shapes feeds and files use — a
// bundle (STIX 2.1 §8), a JSON array, one object, a TAXII 2.1 envelope, or NDJSON.

function objectsOf(value: unknown, where: string): unknown[] {
  if (Array.isArray(value)) return value;
  if (value === null || typeof value !== 'object') {
    throw new Error(`${where}expected a STIX bundle, an object, an array of objects or a TAXII envelope, got ${value === null ? 'null' : typeof value}`);
  }
  const obj = value as Record<string, unknown>;
  // A bundle, or a TAXII envelope ({more, next, objects}; an empty one may be just {}).
  const isEnvelope = obj.type === undefined && (obj.objects !== undefined || obj.more !== undefined || Object.keys(obj).length === 0);
  if (obj.type === 'bundle' || isEnvelope) {
    if (obj.objects === undefined) return [];
    if (!Array.isArray(obj.objects)) throw new Error(`${where}"objects" must be an array`);
    return obj.objects;
  }
  return [obj];
}

/** Parses STIX input text into its objects; throws an Error saying what is wrong when it cannot. */
export function readStixInput(text: string): unknown[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') throw new Error('the input is empty');
  let whole: unknown;
  let wholeError: Error | undefined;
  try {
    whole = JSON.parse(body);
  } catch (err) {
    wholeError = err as Error;
  }
  if (wholeError === undefined) return objectsOf(whole, '');

  // NDJSON: one JSON document per line; a line may itself be a bundle or an envelope.
  const lines = body.split(/\r?\n/);
  const nonEmpty = lines.filter((l) => l.trim() !== '');
  if (nonEmpty.length < 2) throw new Error(`invalid JSON: ${wholeError.message}`);
  const objects: unknown[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new Error(`invalid JSON on line ${i + 1}: ${(err as Error).message}`);
    }
    for (const o of objectsOf(value, `line ${i + 1}: `)) objects.push(o);
  }
  return objects;
}
