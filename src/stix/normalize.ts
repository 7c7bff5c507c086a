// normalize(): one page of objects in, checked / upgraded / deduplicated / filtered / enriched
// objects out, each refused one with its reason. Pure and total: it never throws.
import type { EnrichConfig, FilterConfig } from '../config/schema';
import { checkObject, type CheckedObject } from './check-object';
import type { StixRecord } from './catalog';
import { enrichmentExtras, enrichObject, planEnrichment, type EnrichmentPlan } from './enrich';
import { isFilteredOut, planFilter, type FilterPlan } from './filter';
import { reject, type Problem } from './reasons';
import { compareInstants, instantFromDate } from './timestamp';
import type { Rejection, StixObject } from './types';

export interface NormalizeOptions {
  /** Upgrade STIX 2.0 objects to 2.1 (`stix.upgrade_2_0`); when false they are refused (SPEC_VERSION_2_0). */
  upgrade20: boolean;
  enrich?: EnrichConfig;
  filter?: FilterConfig;
  /** The clock, injected: expired indicators are those whose valid_until is not after it. */
  now: Date;
}

export interface NormalizeResult {
  /** Accepted objects in input order (enrichment's marking definitions and author identity first). */
  objects: StixObject[];
  rejected: Rejection[];
  /** Objects of `objects` that came as STIX 2.0 and were upgraded. */
  upgraded: number;
  /** Valid objects dropped by the filters. */
  filtered: number;
  /** Objects dropped because the batch held a newer (or the same) version of their id. */
  duplicates: number;
}

function describe(err: unknown): string {
  try {
    return err instanceof Error ? err.message : String(err);
  } catch {
    return 'unknown error';
  }
}

function unexpected(raw: unknown, err: unknown): Rejection {
  const problem: Problem = { reason: 'UNEXPECTED_ERROR', message: `the object could not be read: ${describe(err)}` };
  try {
    return reject(raw, problem);
  } catch {
    return { ...problem, raw: '[unreadable object]' };
  }
}

/** Whether `candidate` replaces `current` for the same id: a strictly newer `modified` wins. */
function isNewer(candidate: CheckedObject, current: CheckedObject): boolean {
  if (candidate.modified === undefined) return false;
  if (current.modified === undefined) return true;
  return compareInstants(candidate.modified, current.modified) > 0;
}

/**
 * Gives what normalization keeps of an accepted object instead of the object itself, until
 * `finish` returns it in `objects`: a small stand-in for an object that goes on as it came (whose
 * JSON the caller has), so that the parsed object need not be kept. Asked only when nothing after
 * the checks needs more than the object's type and id: not for an upgraded object, and not when
 * enrichment is on. `at` is the object's index in `add`'s input; undefined keeps the object.
 */
export type StandIn = (checked: CheckedObject, at: number) => StixObject | undefined;

/** A page normalized step by step: `add` objects in slices, then `finish` once. */
export interface Normalization {
  /** Checks `input[from..to)` (each object once, in order). */
  add(input: readonly unknown[], from: number, to: number, standIn?: StandIn): void;
  finish(): NormalizeResult;
}

/** An accepted object as kept until `finish`: the filters are decided on the whole object, at once. */
interface Kept {
  checked: CheckedObject;
  filteredOut: boolean;
}

/**
 * Checks and normalizes one page, in slices (so that a thread can take messages between them).
 * Every input ends up in exactly one of: `objects`, `rejected`, `filtered`, `duplicates`. Input
 * objects are never modified.
 */
export function startNormalization(options: NormalizeOptions): Normalization {
  const upgrade20 = options?.upgrade20 !== false;
  const now = options?.now instanceof Date && !Number.isNaN(options.now.getTime()) ? options.now : new Date();
  const rejected: Rejection[] = [];
  let filter: FilterPlan | undefined;
  let plan: EnrichmentPlan | undefined;
  try {
    filter = planFilter(options?.filter, instantFromDate(now));
    plan = planEnrichment(options?.enrich);
  } catch {
    filter = undefined;
    plan = undefined;
  }

  // 1. Check each object and decide the filters on it; keep the newest version of each id
  // (full-precision `modified`), whatever the filters say of it.
  const kept: Kept[] = [];
  const slotOf = new Map<string, number>();
  let duplicates = 0;
  const add = (items: readonly unknown[], from: number, to: number, standIn?: StandIn): void => {
    for (let i = from; i < to; i++) {
      const raw = items[i];
      let k: Kept;
      try {
        const outcome = checkObject(raw, upgrade20);
        if (!outcome.ok) {
          rejected.push(reject(raw, outcome.problem));
          continue;
        }
        const checked = outcome.checked;
        const filteredOut = filter !== undefined && isFilteredOut(checked, filter);
        if (standIn !== undefined && plan === undefined && !checked.upgraded) {
          // checkObject's record is this object's own: the stand-in takes the object's place in it.
          const stand = standIn(checked, i);
          if (stand !== undefined) checked.obj = stand as StixRecord;
        }
        k = { checked, filteredOut };
      } catch (err) {
        rejected.push(unexpected(raw, err));
        continue;
      }
      const slot = slotOf.get(k.checked.id);
      if (slot === undefined) {
        slotOf.set(k.checked.id, kept.length);
        kept.push(k);
      } else {
        duplicates++;
        if (isNewer(k.checked, kept[slot].checked)) kept[slot] = k;
      }
    }
  };

  // 2. Drop what the filters refused, then enrich what is left.
  const finish = (): NormalizeResult => {
    const objects: StixObject[] = [];
    let upgraded = 0;
    let filtered = 0;
    for (const { checked, filteredOut } of kept) {
      try {
        if (filteredOut) {
          filtered++;
          continue;
        }
        objects.push((plan === undefined ? checked.obj : enrichObject(checked, plan)) as StixObject);
        if (checked.upgraded) upgraded++;
      } catch (err) {
        rejected.push(unexpected(checked.obj, err));
      }
    }
    if (plan !== undefined && objects.length > 0) {
      const extras = enrichmentExtras(plan, objects, new Set(objects.map((o) => o.id)));
      if (extras.length > 0) objects.unshift(...extras);
    }
    return { objects, rejected, upgraded, filtered, duplicates };
  };
  return { add, finish };
}

/** Checks and normalizes one page at once (startNormalization). Pure and total: it never throws. */
export function normalize(input: readonly unknown[], options: NormalizeOptions): NormalizeResult {
  const items: readonly unknown[] = Array.isArray(input) ? input : input === undefined || input === null ? [] : [input];
  const n = startNormalization(options);
  n.add(items, 0, items.length);
  return n.finish();
}
