/*
 * Durations as ESO (Go's time.ParseDuration) and VSO (one number, one unit)
 * read them. The config allows `1h30m` and `500ms`; VSO's refreshAfter does
 * not, so it gets the same length in one unit.
 */

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
const SINGLE_UNIT = /^[0-9]+(\.[0-9]+)?(s|m|h)$/;

/** The length of a duration in milliseconds; undefined when it is not one. */
export function durationMillisOf(duration: string): number | undefined {
  if (!DURATION.test(duration)) return undefined;
  let total = 0;
  for (const [, amount, unit] of duration.matchAll(PART)) total += Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
  return total;
}

/** The same length written as VSO's refreshAfter accepts it; kept as written when it already is. */
export function singleUnitDurationOf(duration: string): string {
  if (SINGLE_UNIT.test(duration)) return duration;
  const ms = durationMillisOf(duration);
  if (ms === undefined) return duration;
  if (ms % UNIT_MS.h === 0) return `${ms / UNIT_MS.h}h`;
  if (ms % UNIT_MS.m === 0) return `${ms / UNIT_MS.m}m`;
  return `${ms / UNIT_MS.s}s`;
}

/** Whether two durations are the same length (`1h` and `60m` are). */
export function sameDuration(a: string, b: string): boolean {
  const ma = durationMillisOf(a);
  return ma === undefined ? a === b : ma === durationMillisOf(b);
}
