/*
 * Intake defaults, in a module of their own without zod: the functions'
 * environment schemas apply them at cold start without loading the intake
 * core, which loads with the first event.
 */

/** Default largest accepted body: 1 MiB, well above real push payloads and under Lambda's 6 MB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** How many of each repository's newest images a reconcile looks at, unless told otherwise. */
export const DEFAULT_RECONCILE_NEWEST = 10;
