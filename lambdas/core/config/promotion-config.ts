import * as z from 'zod';
import { cronProblem, zoneKnown } from '../promotion/freeze-windows';
import { expandPolicyShorthand, TagPolicySchema } from '../promotion/tag-policy';
import { SecretSyncConfigSchema } from '../secrets/secret-sync-config';
import { EnvNameSchema, RepoPathSchema, SlackDestinationSchema, unsafeBranchReason } from './config-parts';

export { RepoPathSchema, type SlackDestination, SlackDestinationSchema, unsafeBranchReason, unsafeRepoPathReason } from './config-parts';

/*
 * The promotion half of hoist.config.yaml: which GitOps repositories exist,
 * which published images go where, and how. Validated at the edge; the rest
 * of the engine only sees the parsed result.
 */

const IdSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, dots, dashes and underscores');

/** A policy given either as an object or in its short form (`semver:^1`). */
export const PolicyInputSchema = z.preprocess((value) => (typeof value === 'string' ? expandPolicyShorthand(value) : value), TagPolicySchema);

export const RepositoryConfigSchema = z
  .object({
    name: IdSchema,
    provider: z.enum(['github', 'gitlab', 'gitea', 'git']),
    /** Clone URL (HTTPS, SSH, or for `git` also a local path). */
    url: z.string().min(1),
    baseBranch: z.string().min(1).default('main'),
    /** API base URL for self-managed GitHub Enterprise, GitLab or Gitea. */
    apiUrl: z.url().optional(),
    /** Where the access token lives: a Secrets Manager name in AWS, an environment variable locally. */
    credentials: z
      .object({
        secretName: z.string().min(1).optional(),
        env: z
          .string()
          .regex(/^[A-Z_][A-Z0-9_]*$/)
          .optional(),
      })
      .strict()
      .default({}),
    /** Files scanned for in-file `# hoist: {…}` markers. */
    markerFiles: z.array(RepoPathSchema).default([]),
    /** Environment, mode, commit message and Argo CD applications for marker targets in this repository. */
    markerDefaults: z
      .object({
        environment: z.string().min(1).default('default'),
        mode: z.enum(['commit', 'pull-request']).default('commit'),
        argocdApplications: z.array(z.string()).default([]),
        /** Placeholders as in targets[].commitMessage. */
        commitMessage: z.string().min(1).default('chore({environment}): bump {service} {oldTag} -> {newTag}'),
        /** Append `[skip ci]` so the marker commit does not start the repository's CI again. */
        skipCi: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
  })
  .strict();
export type RepositoryConfig = z.infer<typeof RepositoryConfigSchema>;

/** What to change in a file: one of the supported shapes. */
export const EditSchema = z.discriminatedUnion('kind', [
  /** Helm values: a tag at a dotted path, optionally repository and digest keys beside it. */
  z
    .object({
      kind: z.literal('helm'),
      tagPath: z.string().min(1).default('image.tag'),
      repositoryPath: z.string().min(1).optional(),
      digestPath: z.string().min(1).optional(),
    })
    .strict(),
  /** A single `repo:tag` string at a dotted path. */
  z.object({ kind: z.literal('image-string'), path: z.string().min(1) }).strict(),
  /** A kustomization's `images:` entry whose `name` is the image (or `name` given here). */
  z.object({ kind: z.literal('kustomize'), name: z.string().min(1).optional() }).strict(),
  /** An Argo CD Application: `helm.parameters` (by name), `helm.valuesObject` (by path) or `kustomize.images`. */
  z
    .object({
      kind: z.literal('argocd-application'),
      helmParameter: z.string().min(1).optional(),
      valuesObjectPath: z.string().min(1).optional(),
      kustomizeImage: z.boolean().default(false),
    })
    .strict()
    .refine((e) => [e.helmParameter, e.valuesObjectPath, e.kustomizeImage || undefined].filter((v) => v !== undefined).length === 1, {
      message: 'set exactly one of helmParameter, valuesObjectPath, kustomizeImage',
    }),
  /** Every container (and init container) of workload manifests whose image is this image. */
  z.object({ kind: z.literal('workload'), container: z.string().min(1).optional() }).strict(),
]);
export type EditSpec = z.infer<typeof EditSchema>;

/** `30s`, `10m`, `2h`, `1h30m`: a duration in whole seconds. */
export const DurationTextSchema = z
  .string()
  .regex(/^(\d+h)?(\d+m)?(\d+s)?$/, 'a duration such as 30s, 10m, 2h or 1h30m')
  .refine((text) => text !== '', { message: 'a duration such as 30s, 10m, 2h or 1h30m' });

/** Seconds of a duration text (`1h30m` → 5400). */
export function secondsOf(duration: string): number {
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(duration);
  return Number(match?.[1] ?? 0) * 3600 + Number(match?.[2] ?? 0) * 60 + Number(match?.[3] ?? 0);
}

/** What the previous environment must show before the next one follows. */
export const GateSchema = z
  .object({
    /** Its Argo CD applications Synced to the commit with the new tag, and Healthy. */
    healthy: z.boolean().default(true),
    /** …for this long without a break. */
    soak: DurationTextSchema.default('0s'),
    /** Give up (audit, Slack) when it has not passed after this long. */
    timeout: DurationTextSchema.default('30m'),
    /** How often Argo CD is asked. */
    every: DurationTextSchema.default('30s').refine((d) => secondsOf(d) >= 10 && secondsOf(d) <= 900, { message: 'from 10s to 15m (the queue delay)' }),
  })
  .strict();
export type GateConfig = z.infer<typeof GateSchema>;

/** A window in which nothing is promoted: it opens at each time `cron` names, in `timezone`, for `duration`. */
export const FreezeWindowSchema = z
  .object({
    cron: z.string().superRefine((cron, ctx) => {
      const reason = cronProblem(cron);
      if (reason !== undefined) ctx.addIssue({ code: 'custom', message: reason });
    }),
    duration: DurationTextSchema,
    timezone: z
      .string()
      .refine((zone) => zoneKnown(zone), { message: 'an IANA time zone such as Europe/Berlin or UTC' })
      .default('UTC'),
  })
  .strict();
export type FreezeWindow = z.infer<typeof FreezeWindowSchema>;

export const TargetConfigSchema = z
  .object({
    repository: IdSchema,
    file: RepoPathSchema,
    environment: z.string().min(1),
    edit: EditSchema.default({ kind: 'helm', tagPath: 'image.tag' }),
    mode: z.enum(['commit', 'pull-request']).default('commit'),
    /** Branch for pull requests; placeholders {environment}, {service}, {repository}, {newTag}. */
    branch: z
      .string()
      .min(1)
      .default('hoist/{environment}/{service}')
      .superRefine((branch, ctx) => {
        const reason = unsafeBranchReason(branch);
        if (reason !== undefined) ctx.addIssue({ code: 'custom', message: `'${branch}' ${reason}` });
      }),
    /** Placeholders {image}, {service}, {oldTag}, {newTag}, {environment}, {source}. */
    commitMessage: z.string().min(1).default('chore({environment}): bump {service} {oldTag} -> {newTag}'),
    skipCi: z.boolean().default(false),
    /** How digests are written: not at all, as `tag@sha256:…`, or into the edit's digest field. */
    digest: z.enum(['none', 'inline', 'field']).default('none'),
    argocdApplications: z.array(z.string().min(1)).default([]),
    /** Where this target's promotions are announced instead of the default Slack webhook. */
    slack: SlackDestinationSchema.optional(),
    labels: z.array(z.string().min(1)).default([]),
    autoMerge: z.boolean().default(false),
    /**
     * Values written beside the tag (or instead of it, with `setOnly`), in the
     * same commit: a dotted path → a template with {tag}, {image}, {service},
     * {environment} and {values.KEY} from a `POST /promotions` request.
     */
    set: z.record(z.string().min(1), z.string()).default({}),
    /** Write only `set`, no image tag: for a file that holds no image (a model ConfigMap). */
    setOnly: z.boolean().default(false),
    /** The environment this one follows: it is promoted only once that one's gate passes. @default none: promoted at once */
    after: z.string().min(1).optional(),
    /** What the `after` environment must show before this one follows. */
    gate: GateSchema.optional(),
    /** `slack`: the PR/MR waits for a person's Approve in Slack, which merges it. */
    approval: z.literal('slack').optional(),
    /** When no promotion lands here: cron windows in a time zone. */
    freeze: z.array(FreezeWindowSchema).default([]),
  })
  .strict();
export type TargetConfig = z.infer<typeof TargetConfigSchema>;

/** Template placeholders of an image tag built from a Git event. */
const TAG_TEMPLATE = /^(?:[A-Za-z0-9_.-]|\{(?:sha(?::\d{1,2})?|branch|tag|tag#v)\})+$/;

/**
 * A Git host event that announces a new build of an image: a successful CI
 * run, a pushed tag or a pushed branch of one repository.
 */
export const TriggerSourceSchema = z
  .object({
    host: z.enum(['github', 'gitlab', 'gitea']),
    /** `owner/name`, or `group/subgroup/name` on GitLab. */
    repository: z.string().min(1),
    on: z.enum(['ci.succeeded', 'tag.pushed', 'branch.pushed']),
    /** Only these branches (CI runs and branch pushes). @default any */
    branches: z.array(z.string().min(1)).min(1).optional(),
    /** Only this workflow, pipeline or commit-status context name. @default any */
    pipeline: z.string().min(1).optional(),
    /**
     * The image tag the event stands for: {sha} {sha:N} {branch} {tag} {tag#v}
     * (the tag without a leading v). @default `{tag}` for tag.pushed, `{sha}` otherwise
     */
    tag: z.string().regex(TAG_TEMPLATE, 'letters, digits, . _ - and {sha} {sha:N} {branch} {tag} {tag#v}').optional(),
    /** Check the tag exists in the registry before bumping (and take its digest). */
    verify: z.enum(['registry', 'none']).default('registry'),
    /**
     * The host's API, asked whether one build's commit descends from another's:
     * tags made only of {sha}/{sha:N} are then ordered by Git ancestry. Hoist
     * asks only for a source that names `apiUrl` or `credentials`.
     * @default `https://api.github.com`, `https://gitlab.com`, `https://gitea.com/api/v1`
     */
    apiUrl: z.url().optional(),
    /**
     * A token that may read the source repository's commits, for ordering its
     * builds by Git ancestry: a secret (Secrets Manager in AWS) or an
     * environment variable (locally). With `apiUrl` alone the host is asked
     * without a token (a public repository). @default none: tags are ordered by push time
     */
    credentials: z
      .object({ secretName: z.string().min(1).optional(), env: EnvNameSchema.optional() })
      .strict()
      .refine((c) => c.secretName !== undefined || c.env !== undefined, { message: 'name secretName or env' })
      .optional(),
  })
  .strict();
export type TriggerSource = z.infer<typeof TriggerSourceSchema>;

export const ImageConfigSchema = z
  .object({
    /** `registry/repository`, `*` and `**` globs allowed. */
    image: z.string().min(1),
    /**
     * Git host events that announce new builds of this image. Only these
     * hosts and repositories may announce it; without `from`, a registry
     * package event is believed only from the repository the package belongs to.
     */
    from: z.array(TriggerSourceSchema).default([]),
    /** Short name for messages and branches. @default the last path segment */
    service: z.string().min(1).optional(),
    policy: PolicyInputSchema.default({ type: 'semver', range: '*', prerelease: false }),
    targets: z.array(TargetConfigSchema).min(1),
  })
  .strict();
export type ImageConfig = z.infer<typeof ImageConfigSchema>;

/** One environment of a service's chain: a target whose file comes from the service's pattern. */
const ChainEnvironmentSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'a DNS label: lower-case letters, digits and dashes'),
    mode: z.enum(['commit', 'pull-request']).default('commit'),
    after: z.string().min(1).optional(),
    gate: GateSchema.optional(),
    approval: z.literal('slack').optional(),
    freeze: z.array(FreezeWindowSchema).default([]),
    /** @default [`{service}-{environment}`] */
    argocdApplications: z.array(z.string().min(1)).optional(),
    /** Anything else a target takes (branch, labels, skipCi, slack …). */
    target: TargetConfigSchema.omit({
      repository: true,
      file: true,
      environment: true,
      mode: true,
      after: true,
      gate: true,
      approval: true,
      freeze: true,
      argocdApplications: true,
    })
      .partial()
      .strict()
      .optional(),
  })
  .strict();

/**
 * A service's environments in order, so that services × environments is a
 * few lines: each environment is a target in `file` (placeholders
 * {service} and {environment}), and `after` makes one follow another.
 */
export const ServiceChainSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'a DNS label: lower-case letters, digits and dashes'),
    image: z.string().min(1),
    policy: PolicyInputSchema.default({ type: 'semver', range: '*', prerelease: false }),
    repository: IdSchema,
    file: z
      .string()
      .min(1)
      .refine((f) => f.includes('{environment}'), { message: 'must contain {environment}: each environment has its own file' }),
    edit: EditSchema.default({ kind: 'helm', tagPath: 'image.tag' }),
    from: z.array(TriggerSourceSchema).default([]),
    environments: z.array(ChainEnvironmentSchema).min(1),
  })
  .strict();
export type ServiceChain = z.infer<typeof ServiceChainSchema>;

/** A service chain as the image config it stands for. */
function imageOfService(service: ServiceChain): ImageConfig {
  return {
    image: service.image,
    from: service.from,
    service: service.name,
    policy: service.policy,
    targets: service.environments.map((environment) =>
      TargetConfigSchema.parse({
        ...environment.target,
        repository: service.repository,
        file: service.file.replaceAll('{service}', service.name).replaceAll('{environment}', environment.name),
        environment: environment.name,
        edit: service.edit,
        mode: environment.mode,
        ...(environment.after ? { after: environment.after } : {}),
        ...(environment.gate ? { gate: environment.gate } : {}),
        ...(environment.approval ? { approval: environment.approval } : {}),
        freeze: environment.freeze,
        argocdApplications: environment.argocdApplications ?? [`${service.name}-${environment.name}`],
      }),
    ),
  };
}

export const PromotionConfigSchema = z
  .object({
    repositories: z.array(RepositoryConfigSchema).default([]),
    images: z.array(ImageConfigSchema).default([]),
    /** Services with environments in order (dev → staging → prod); each becomes an image with one target per environment. */
    services: z.array(ServiceChainSchema).default([]),
    argocd: z
      .object({
        url: z.url().optional(),
        tokenSecretName: z.string().optional(),
        /**
         * Reach Argo CD through the Kubernetes API of the EKS cluster it runs
         * in, as the function's own IAM role (an EKS access entry in the group
         * `hoist:argocd`), instead of its REST API with a token.
         * @default none: the REST API at `url`
         */
        eks: z
          .object({
            /** The EKS cluster Argo CD runs in. */
            clusterName: z.string().regex(/^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/, 'an EKS cluster name (letters, digits, - and _, up to 100)'),
            /** @default the function's own region */
            region: z
              .string()
              .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as eu-west-1')
              .optional(),
            /** Where Argo CD's Application resources live. @default argocd */
            namespace: z
              .string()
              .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'a Kubernetes namespace name')
              .default('argocd'),
          })
          .strict()
          .optional(),
        refresh: z.enum(['normal', 'hard']).default('normal'),
        sync: z.boolean().default(false),
      })
      .strict()
      .superRefine((argocd, ctx) => {
        if (argocd.eks === undefined) return;
        for (const key of ['url', 'tokenSecretName'] as const) {
          if (argocd[key] !== undefined) {
            ctx.addIssue({
              code: 'custom',
              path: ['eks'],
              message: `set either eks (the Kubernetes API as the function's IAM role) or ${key} (the REST API with a token), not both`,
            });
          }
        }
      })
      .prefault({}),
    /** Bounds on what is read from GitOps repositories, which are untrusted input. */
    limits: z
      .object({
        /** Largest target or marker file read; a larger one fails its target with the reason. @default 2 MiB */
        maxFileBytes: z
          .number()
          .int()
          .min(1024)
          .max(64 * 1024 * 1024)
          .default(2 * 1024 * 1024),
      })
      .strict()
      .prefault({}),
    /** How long Hoist waits for a tag a CI run announced to appear in its registry. */
    registry: z
      .object({
        /** Give up (audit, Slack) after this long. @default 10 */
        waitMinutes: z.number().min(0).max(720).default(10),
        /** Ask again after this long. @default 60 */
        retrySeconds: z.number().int().min(1).max(900).default(60),
        /**
         * Credentials per registry host (`ghcr.io`, `registry.gitlab.com`,
         * `registry-1.docker.io`): a secret holding `{"username": …, "password": …}`
         * (Secrets Manager in AWS, an environment variable locally). ECR needs none.
         */
        credentials: z
          .record(
            z.string().min(1),
            z
              .object({ secretName: z.string().min(1).optional(), env: EnvNameSchema.optional() })
              .strict()
              .refine((c) => c.secretName !== undefined || c.env !== undefined, { message: 'name secretName or env' }),
          )
          .default({}),
        /** Registries reached over plain http (only `localhost` and `127.0.0.1` are allowed). @default none */
        plainHttp: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .prefault({}),
    /** The default Slack webhook, for every promotion whose target names none. */
    slack: z
      .object({
        webhookSecretName: z.string().min(1).optional(),
        env: z
          .string()
          .regex(/^[A-Z_][A-Z0-9_]*$/)
          .optional(),
        /**
         * The Slack app that asks for approvals of production promotions and
         * takes the Approve / Reject clicks on `POST /slack/actions`: its bot
         * token (Web API) and signing secret (requests from Slack), each a
         * Secrets Manager secret in AWS or an environment variable for the dev
         * server; the channel it posts to; who may decide.
         * @default none: no approval buttons, no endpoint
         */
        app: z
          .object({
            botTokenSecretName: z.string().min(1).optional(),
            signingSecretName: z.string().min(1).optional(),
            botTokenEnv: EnvNameSchema.optional(),
            signingSecretEnv: EnvNameSchema.optional(),
            /** The channel id (`C…`, `G…`), not its name: names change, ids do not. */
            channel: z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'a Slack channel id such as C0123ABCD (not its #name)'),
            approvers: z
              .object({
                users: z.array(z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'a Slack user id such as U0123ABCD')).default([]),
                userGroups: z.array(z.string().regex(/^S[A-Z0-9]{2,}$/, 'a Slack user group id such as S0123ABCD')).default([]),
              })
              .strict()
              .refine((a) => a.users.length + a.userGroups.length > 0, { message: 'name at least one user or user group, or nobody can approve' }),
          })
          .strict()
          .superRefine((app, ctx) => {
            if (app.signingSecretName === undefined && app.signingSecretEnv === undefined) {
              ctx.addIssue({ code: 'custom', path: ['signingSecretName'], message: 'name signingSecretName (AWS) or signingSecretEnv (dev server)' });
            }
            if (app.botTokenSecretName === undefined && app.botTokenEnv === undefined) {
              ctx.addIssue({ code: 'custom', path: ['botTokenSecretName'], message: 'name botTokenSecretName (AWS) or botTokenEnv (dev server)' });
            }
          })
          .optional(),
      })
      .strict()
      .prefault({}),
    /** Secrets Manager into Vault KV v2, and the ESO / VSO manifests that read them. */
    secrets: SecretSyncConfigSchema.optional(),
    /** The infrastructure settings of the same file, read by the CDK app (which validates them). */
    name: z.unknown().optional(),
    automation: z.unknown().optional(),
    platform: z.unknown().optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    const names = new Set(config.repositories.map((r) => r.name));
    if (config.secrets !== undefined && !names.has(config.secrets.manifests.repository)) {
      ctx.addIssue({ code: 'custom', path: ['secrets', 'manifests', 'repository'], message: `no repository named '${config.secrets.manifests.repository}'` });
    }
    for (const [i, image] of config.images.entries()) {
      if (image.from.length > 0 && image.image.includes('*')) {
        ctx.addIssue({ code: 'custom', path: ['images', i, 'from'], message: `a Git event builds one image; '${image.image}' is a glob` });
      }
      for (const [j, target] of image.targets.entries()) {
        const earlier = image.targets.slice(0, j).map((t) => t.environment);
        if (target.after !== undefined && !earlier.includes(target.after)) {
          ctx.addIssue({
            code: 'custom',
            path: ['images', i, 'targets', j, 'after'],
            message: `'${target.after}' is not an environment listed before this one`,
          });
        }
        if (target.approval !== undefined && target.mode !== 'pull-request') {
          ctx.addIssue({ code: 'custom', path: ['images', i, 'targets', j, 'approval'], message: 'an approval merges a pull request: set mode: pull-request' });
        }
        if (target.setOnly && Object.keys(target.set).length === 0) {
          ctx.addIssue({ code: 'custom', path: ['images', i, 'targets', j, 'set'], message: 'setOnly needs at least one value in set' });
        }
        if (!names.has(target.repository)) {
          ctx.addIssue({ code: 'custom', path: ['images', i, 'targets', j, 'repository'], message: `no repository named '${target.repository}'` });
        }
      }
    }
    for (const [i, service] of config.services.entries()) {
      if (!names.has(service.repository)) {
        ctx.addIssue({ code: 'custom', path: ['services', i, 'repository'], message: `no repository named '${service.repository}'` });
      }
      for (const [j, environment] of service.environments.entries()) {
        const earlier = service.environments.slice(0, j).map((e) => e.name);
        if (earlier.includes(environment.name))
          ctx.addIssue({ code: 'custom', path: ['services', i, 'environments', j, 'name'], message: `'${environment.name}' is listed twice` });
        if (environment.after !== undefined && !earlier.includes(environment.after)) {
          ctx.addIssue({
            code: 'custom',
            path: ['services', i, 'environments', j, 'after'],
            message: `'${environment.after}' is not an environment listed before this one`,
          });
        }
        if (environment.approval !== undefined && environment.mode !== 'pull-request') {
          ctx.addIssue({
            code: 'custom',
            path: ['services', i, 'environments', j, 'approval'],
            message: 'an approval merges a pull request: set mode: pull-request',
          });
        }
      }
    }
  })
  // Services are images with one target per environment: the engine sees images only.
  .transform((config) => ({ ...config, images: [...config.images, ...config.services.map(imageOfService)] }));
export type PromotionConfig = z.infer<typeof PromotionConfigSchema>;

/** The JSON Schema of the promotion settings, for editor completion. */
export function promotionConfigJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(PromotionConfigSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

/** The short service name of an image config. */
export function serviceOf(image: ImageConfig): string {
  return image.service ?? image.image.split('/').at(-1)?.replace(/[*]/g, '') ?? image.image;
}
