// OpenCTI version gates: which platform features the sink may use. Versions are compared
// numerically (6.10 > 6.9); a suffix such as `-rc1` is ignored, a release candidate carrying the
// features of the release it prepares.

export type Version = readonly [major: number, minor: number, patch: number];

/** `stixBundlePush` appeared in OpenCTI 6.3.0. */
export const PUSH_MIN_VERSION: Version = [6, 3, 0];
/** `stixBundlePush(work_id:)` appeared in OpenCTI 6.5.7. */
export const WORK_ID_MIN_VERSION: Version = [6, 5, 7];

/** Parses `6.8.0`, `6.8`, `v6.8.0-rc1`, `6.8.0+build`; undefined when the text is no version. */
export function parseVersion(text: string): Version | undefined {
  const m = /^\s*v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+.][0-9A-Za-z.+-]*)?\s*$/.exec(text);
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

/** Negative when a < b, zero when equal, positive when a > b. */
export function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

export function atLeast(version: Version, min: Version): boolean {
  return compareVersions(version, min) >= 0;
}

export function formatVersion(v: Version): string {
  return v.join('.');
}
