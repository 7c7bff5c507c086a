// Filters from configuration: include / exclude types, revoked objects, expired indicators.
// A filtered object is counted, not rejected: it was valid, just not wanted.
import type { FilterConfig } from '../config/schema';
import type { CheckedObject } from './check-object';
import { compareInstants, parseTimestamp, type Instant } from './timestamp';

export interface FilterPlan {
  include?: ReadonlySet<string>;
  exclude?: ReadonlySet<string>;
  dropRevoked: boolean;
  /** Set when expired indicators are dropped: the injected "now". */
  expiredBefore?: Instant;
}

/** The filter to apply, or undefined when the configuration drops nothing. */
export function planFilter(config: FilterConfig | undefined, now: Instant): FilterPlan | undefined {
  if (config === undefined || config === null) return undefined;
  const include = config.include_types?.length ? new Set(config.include_types) : undefined;
  const exclude = config.exclude_types?.length ? new Set(config.exclude_types) : undefined;
  const plan: FilterPlan = {
    include,
    exclude,
    dropRevoked: config.drop_revoked === true,
    expiredBefore: config.drop_expired_indicators === true ? now : undefined,
  };
  return include || exclude || plan.dropRevoked || plan.expiredBefore ? plan : undefined;
}

/** Whether the object is dropped. An indicator expires when `valid_until` is not after now (STIX 2.1 §4.7). */
export function isFilteredOut(checked: CheckedObject, plan: FilterPlan): boolean {
  const { type, obj } = checked;
  if (plan.include !== undefined && !plan.include.has(type)) return true;
  if (plan.exclude !== undefined && plan.exclude.has(type)) return true;
  if (plan.dropRevoked && obj.revoked === true) return true;
  if (plan.expiredBefore !== undefined && type === 'indicator' && obj.valid_until !== undefined) {
    const until = parseTimestamp(obj.valid_until);
    if (until !== undefined && compareInstants(until, plan.expiredBefore) <= 0) return true;
  }
  return false;
}
