import semver from 'semver';
import * as z from 'zod';

/**
 * How tags of one image are ordered, and which are eligible at all.
 * - `semver`: tags that parse as semantic versions (a leading `v` allowed)
 *   within `range`; pre-releases only when `prerelease` is set.
 * - `regex`: tags matching `pattern`; the named group `order` (or the whole
 *   match) orders them, numerically when it is a number, else by push time.
 * - `latest`: every tag; the most recently pushed wins.
 */
export const TagPolicySchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('semver'),
      range: z
        .string()
        .default('*')
        .refine((r) => semver.validRange(r) !== null, 'not a valid semver range'),
      prerelease: z.boolean().default(false),
    })
    .strict(),
  z
    .object({
      type: z.literal('regex'),
      pattern: z.string().refine(isValidRegex, 'not a valid regular expression'),
    })
    .strict(),
  z.object({ type: z.literal('latest') }).strict(),
]);
export type TagPolicy = z.infer<typeof TagPolicySchema>;

function isValidRegex(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

/**
 * Spells out the short form used in markers and config, without validating:
 * `semver`, `semver:^1`, `semver:>=2.0.0-0:prerelease`,
 * `regex:^build-(?<order>\d+)$`, `latest`.
 */
export function expandPolicyShorthand(text: string): Record<string, unknown> {
  const [kind, ...rest] = text.split(':');
  const argument = rest.join(':');
  switch (kind) {
    case 'semver': {
      const prerelease = argument.endsWith(':prerelease');
      const range = prerelease ? argument.slice(0, -':prerelease'.length) : argument;
      return { type: 'semver', range: range === '' ? '*' : range, prerelease };
    }
    case 'regex':
      return { type: 'regex', pattern: argument };
    default:
      return { type: kind };
  }
}

/** The short form, validated; throws naming what is wrong. */
export function parsePolicyShorthand(text: string): TagPolicy {
  const result = TagPolicySchema.safeParse(expandPolicyShorthand(text));
  if (!result.success) {
    throw new Error(`policy '${text}': ${result.error.issues.map((i) => i.message).join('; ')} (expected semver[:range], regex:<pattern> or latest)`);
  }
  return result.data;
}

/** A tag with what is known of its push time (unknown for a tag read from a file). */
export interface TagCandidate {
  readonly tag: string;
  readonly pushedAt?: string;
}

const stripV = (tag: string): string => (/^v\d/.test(tag) ? tag.slice(1) : tag);

/**
 * Verdicts per policy and tag: a plan asks about each tag of a batch once per
 * target and per update it compares, and many images share one policy.
 */
const verdicts = new Map<string, Map<string, boolean>>();
const MAX_VERDICTS_PER_POLICY = 10_000;
const MAX_POLICIES = 1_000;

const policyKeyOf = (policy: TagPolicy): string =>
  policy.type === 'semver' ? `semver\u0000${policy.range}\u0000${policy.prerelease}` : policy.type === 'regex' ? `regex\u0000${policy.pattern}` : policy.type;

/** Each policy object's verdicts, found by its content once. */
const verdictsOfPolicy = new WeakMap<TagPolicy, Map<string, boolean>>();

/** Whether the policy allows `tag` at all. */
export function policyAccepts(policy: TagPolicy, tag: string): boolean {
  let known = verdictsOfPolicy.get(policy);
  if (known === undefined) {
    const policyKey = policyKeyOf(policy);
    known = verdicts.get(policyKey);
    if (known === undefined) {
      // Bounded: marker files may declare any number of policies.
      if (verdicts.size >= MAX_POLICIES) verdicts.clear();
      known = new Map();
      verdicts.set(policyKey, known);
    }
    verdictsOfPolicy.set(policy, known);
  }
  let verdict = known.get(tag);
  if (verdict === undefined) {
    verdict = decideAccepts(policy, tag);
    // Bounded: tags come from events.
    if (known.size >= MAX_VERDICTS_PER_POLICY) known.clear();
    known.set(tag, verdict);
  }
  return verdict;
}

function decideAccepts(policy: TagPolicy, tag: string): boolean {
  switch (policy.type) {
    case 'semver': {
      const version = semver.valid(stripV(tag));
      if (version === null) return false;
      return semver.satisfies(version, policy.range, { includePrerelease: policy.prerelease });
    }
    case 'regex':
      return new RegExp(policy.pattern).test(tag);
    case 'latest':
      return true;
  }
}

/**
 * Orders two accepted candidates: positive when `a` is newer. `undefined`
 * when the policy cannot tell (push times unknown).
 */
export function compareCandidates(policy: TagPolicy, a: TagCandidate, b: TagCandidate): number | undefined {
  if (a.tag === b.tag) return 0;
  switch (policy.type) {
    case 'semver':
      return semver.compare(parsedVersion(a.tag), parsedVersion(b.tag));
    case 'regex': {
      const oa = orderGroupOf(policy.pattern, a.tag);
      const ob = orderGroupOf(policy.pattern, b.tag);
      if (oa !== undefined && ob !== undefined) {
        if (/^\d+$/.test(oa) && /^\d+$/.test(ob)) {
          const x = BigInt(oa);
          const y = BigInt(ob);
          return x === y ? 0 : x > y ? 1 : -1;
        }
        return oa < ob ? -1 : oa > ob ? 1 : 0;
      }
      return comparePushTimes(a, b);
    }
    case 'latest':
      return comparePushTimes(a, b);
  }
}

/** Versions parsed once: a plan compares each tag of a batch with the others of its targets. */
const parsedVersions = new Map<string, semver.SemVer | string>();
const MAX_PARSED_VERSIONS = 10_000;

/** A tag as a parsed version (semver.compare takes it as it is), or the tag for semver to refuse as before. */
function parsedVersion(tag: string): semver.SemVer | string {
  let version = parsedVersions.get(tag);
  if (version === undefined) {
    const text = stripV(tag);
    version = semver.parse(text) ?? text;
    // Bounded: tags come from events.
    if (parsedVersions.size >= MAX_PARSED_VERSIONS) parsedVersions.clear();
    parsedVersions.set(tag, version);
  }
  return version;
}

/** The `order` group (or the first group) of a regex policy's match, when the pattern has one. */
function orderGroupOf(pattern: string, tag: string): string | undefined {
  const match = new RegExp(pattern).exec(tag);
  return match?.groups?.order ?? (match && match.length > 1 ? match[1] : undefined);
}

function comparePushTimes(a: TagCandidate, b: TagCandidate): number | undefined {
  if (a.pushedAt === undefined || b.pushedAt === undefined) return undefined;
  return Date.parse(a.pushedAt) - Date.parse(b.pushedAt);
}

/** The newest of several candidates for one target, or undefined when none is accepted. */
export function newestCandidate<C extends TagCandidate>(policy: TagPolicy, candidates: readonly C[]): C | undefined {
  let best: C | undefined;
  for (const candidate of candidates) {
    if (!policyAccepts(policy, candidate.tag)) continue;
    if (best === undefined || (compareCandidates(policy, candidate, best) ?? 1) > 0) best = candidate;
  }
  return best;
}

export type TagDecision = { readonly update: true } | { readonly update: false; readonly reason: string };

/**
 * Whether `candidate` should replace `current`. A policy never downgrades:
 * when the current tag is accepted and newer, nothing is written. Tags with
 * no order of their own (`latest`, a regex without an order group) are
 * compared by push time; only when the current tag's push time is unknown
 * (neither Hoist nor the registry saw it) does a new push win.
 */
export function decideTag(policy: TagPolicy, current: TagCandidate | undefined, candidate: TagCandidate): TagDecision {
  if (!policyAccepts(policy, candidate.tag)) return { update: false, reason: `policy ${describePolicy(policy)} rejects tag '${candidate.tag}'` };
  if (current === undefined) return { update: true };
  if (current.tag === candidate.tag) return { update: false, reason: `already at '${candidate.tag}'` };
  if (policyAccepts(policy, current.tag)) {
    const order = compareCandidates(policy, candidate, current);
    if (order !== undefined && order < 0) {
      const how = usesPushTime(policy, current.tag) ? ` (pushed ${current.pushedAt}, after '${candidate.tag}' at ${candidate.pushedAt})` : '';
      return { update: false, reason: `'${current.tag}' is newer than '${candidate.tag}' under ${describePolicy(policy)}${how}; not downgrading` };
    }
  }
  return { update: true };
}

/** Whether the policy orders this tag by push time rather than by the tag itself. */
export function usesPushTime(policy: TagPolicy, tag: string): boolean {
  switch (policy.type) {
    case 'semver':
      return false;
    case 'regex':
      return orderGroupOf(policy.pattern, tag) === undefined;
    case 'latest':
      return true;
  }
}

export function describePolicy(policy: TagPolicy): string {
  switch (policy.type) {
    case 'semver':
      return `semver ${policy.range}${policy.prerelease ? ' (with pre-releases)' : ''}`;
    case 'regex':
      return `regex /${policy.pattern}/`;
    case 'latest':
      return 'latest';
  }
}
