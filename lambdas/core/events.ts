import * as z from 'zod';
import { MAX_IMAGE_NAME_LENGTH, REGISTRY_PATTERN, REPOSITORY_PATTERN, TAG_PATTERN } from './image-ref';

/**
 * The normalized event model. Every trigger Hoist accepts, whichever host sent
 * it, becomes one of these before it is queued; nothing downstream reads a
 * vendor payload.
 */

/** Where an event came from. */
export const SourceHostSchema = z.enum(['github', 'gitlab', 'gitea', 'ecr', 'ci', 'slack', 'gate']);
export type SourceHost = z.infer<typeof SourceHostSchema>;

/** The Git hosts that call the webhook endpoint. */
export const GitHostSchema = z.enum(['github', 'gitlab', 'gitea']);
export type GitHost = z.infer<typeof GitHostSchema>;

const GitShaSchema = z.string().regex(/^[0-9a-f]{7,64}$/, 'expected a hex commit SHA');
const DigestSchema = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected sha256:<64 hex>');
const IsoTimeSchema = z.iso.datetime({ offset: true });

/** Most changed paths carried per push; the rest is flagged as truncated. */
export const MAX_CHANGED_PATHS = 1000;

/*
 * Image parts follow the distribution reference grammar (see image-ref.ts):
 * they end up in file contents, branch names and commit subjects, so nothing
 * else (whitespace, newlines, upper-case paths, `..`) gets past intake.
 */
const RegistrySchema = z.string().max(MAX_IMAGE_NAME_LENGTH).regex(REGISTRY_PATTERN, 'expected a registry host with an optional :port');
const RepositoryPathSchema = z
  .string()
  .max(MAX_IMAGE_NAME_LENGTH)
  .regex(REPOSITORY_PATTERN, 'expected lower-case path components ([a-z0-9] joined by ".", "_", "__" or dashes) separated by "/"');
const TagSchema = z.string().regex(TAG_PATTERN, 'expected a tag of [A-Za-z0-9_] then up to 127 of [A-Za-z0-9._-]');

/** A container image (tag and/or digest) was published to a registry. */
export const ImagePublishedSchema = z
  .object({
    type: z.literal('image.published'),
    /** Registry host, e.g. `123456789012.dkr.ecr.eu-west-1.amazonaws.com` or `ghcr.io`. */
    registry: RegistrySchema,
    /** Repository path inside the registry, e.g. `team/api`. */
    repository: RepositoryPathSchema,
    tag: TagSchema.optional(),
    digest: DigestSchema.optional(),
    pushedAt: IsoTimeSchema,
    /** The host that reported it and the vendor event name, for people. */
    reportedBy: z.object({
      host: SourceHostSchema,
      event: z.string(),
      /** The Git repository that announced it (a package event's repository), when there is one. */
      repository: z.string().min(1).optional(),
    }),
  })
  .refine((e) => e.tag !== undefined || e.digest !== undefined, {
    message: 'an image event needs a tag or a digest',
  })
  .refine((e) => e.registry.length + 1 + e.repository.length <= MAX_IMAGE_NAME_LENGTH, {
    path: ['repository'],
    message: `registry and repository together exceed ${MAX_IMAGE_NAME_LENGTH} characters`,
  });
export type ImagePublished = z.infer<typeof ImagePublishedSchema>;

/** A branch or tag was pushed. */
export const GitPushSchema = z.object({
  type: z.literal('git.push'),
  host: GitHostSchema,
  /** `owner/name` on GitHub and Gitea, `group/subgroup/name` on GitLab. */
  repository: z.string().min(1),
  ref: z.string().min(1),
  refType: z.enum(['branch', 'tag']),
  before: GitShaSchema,
  after: GitShaSchema,
  changedPaths: z.array(z.string()),
  changedPathsTruncated: z.boolean(),
  author: z.string(),
});
export type GitPush = z.infer<typeof GitPushSchema>;

/** A CI pipeline or workflow run finished successfully. */
export const CiSucceededSchema = z.object({
  type: z.literal('ci.succeeded'),
  host: GitHostSchema,
  repository: z.string().min(1),
  ref: z.string().min(1),
  sha: GitShaSchema,
  pipeline: z.object({ id: z.string(), name: z.string(), url: z.string() }),
});
export type CiSucceeded = z.infer<typeof CiSucceededSchema>;

/** A pull or merge request was merged. */
export const ChangeMergedSchema = z.object({
  type: z.literal('change.merged'),
  host: GitHostSchema,
  repository: z.string().min(1),
  number: z.number().int().nonnegative(),
  title: z.string(),
  url: z.string(),
  sourceBranch: z.string(),
  targetBranch: z.string(),
  mergeCommitSha: GitShaSchema.optional(),
  mergedBy: z.string(),
});
export type ChangeMerged = z.infer<typeof ChangeMergedSchema>;

/**
 * A CI job asked, through `POST /promotions`, to promote an image it built,
 * maybe with values to write beside the tag (a model's checksum …).
 */
export const PromotionRequestedSchema = z.object({
  type: z.literal('promotion.requested'),
  registry: RegistrySchema,
  repository: RepositoryPathSchema,
  tag: TagSchema,
  digest: DigestSchema.optional(),
  /** `{values.KEY}` in a target's `set` templates. */
  values: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'expected a value name of letters, digits and _'), z.string().max(1024)).default({}),
  /** Who asked, for people: `gitlab pipeline 1234`. */
  source: z.string().max(200).default('CI'),
  /** Only this environment, past any gate before it (`hoist promote --to`). @default the environments that follow no other */
  environment: z.string().min(1).max(63).optional(),
  requestedAt: IsoTimeSchema,
});
export type PromotionRequested = z.infer<typeof PromotionRequestedSchema>;

/**
 * A person decided on a promotion waiting for approval, in Slack: merge its
 * PR/MR, or close it. Carries who and where to answer, never a token.
 */
export const ApprovalDecidedSchema = z.object({
  type: z.literal('approval.decided'),
  decision: z.enum(['approve', 'reject']),
  /** The GitOps repository (its `repositories[].name`) and the PR/MR number. */
  repository: z.string().min(1),
  number: z.number().int().positive(),
  /** The head commit the approval message showed; a newer head is not merged on this approval. */
  head: GitShaSchema,
  user: z.object({ id: z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'a Slack user id'), name: z.string().max(200) }),
  /** The approval message, to update it with the outcome (chat.update). */
  message: z.object({ channel: z.string().regex(/^[CDG][A-Z0-9]{2,}$/, 'a Slack channel id'), ts: z.string().regex(/^\d+\.\d+$/, 'a Slack message ts') }),
  decidedAt: IsoTimeSchema,
});
export type ApprovalDecided = z.infer<typeof ApprovalDecidedSchema>;

/**
 * The gate before a chain environment passed: the environment it follows
 * runs the new tag, synced and healthy for the soak time. Promotes that one
 * environment.
 */
export const GatePassedSchema = z.object({
  type: z.literal('gate.passed'),
  registry: RegistrySchema,
  repository: RepositoryPathSchema,
  tag: TagSchema,
  digest: DigestSchema.optional(),
  /** When the tag was pushed, which orders it among others. */
  pushedAt: IsoTimeSchema,
  service: z.string().min(1),
  /** The environment to promote, and the one whose health let it. */
  environment: z.string().min(1),
  after: z.string().min(1),
  /** The GitOps commit that carries the tag in `after`. */
  revision: GitShaSchema,
  passedAt: IsoTimeSchema,
});
export type GatePassed = z.infer<typeof GatePassedSchema>;

export const HoistEventSchema = z.discriminatedUnion('type', [
  ImagePublishedSchema,
  GitPushSchema,
  CiSucceededSchema,
  ChangeMergedSchema,
  PromotionRequestedSchema,
  ApprovalDecidedSchema,
  GatePassedSchema,
]);
export type HoistEvent = z.infer<typeof HoistEventSchema>;

/**
 * The GitOps repository branch an envelope is for. An image that several
 * branches receive is queued once per branch, so that the queue's message
 * group is the branch and two workers never write to one branch at once.
 * `branch` is `*` for the in-file marker targets of a repository.
 */
export const RouteSchema = z.object({ repository: z.string().min(1), branch: z.string().min(1) });
export type Route = z.infer<typeof RouteSchema>;

/** What goes on the queue: one event with its delivery bookkeeping. */
export const EventEnvelopeSchema = z.object({
  /** Stable across redeliveries: `<host>:<delivery id>#<index>[@<repository>:<branch>]`. */
  id: z.string().min(1),
  host: SourceHostSchema,
  deliveryId: z.string().min(1),
  receivedAt: IsoTimeSchema,
  event: HoistEventSchema,
  route: RouteSchema.optional(),
});
export type EventEnvelope = z.infer<typeof EventEnvelopeSchema>;
