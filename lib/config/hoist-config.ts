import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { isSecretInScope, literalPrefixOf, secretScopeOf } from '../../lambdas/core/secrets/secret-scope';
// A schema, not runtime code: the secrets sync's own definition of the `secrets:` section stays the single source of truth.
import { type SecretSyncConfig, SecretSyncConfigSchema } from '../../lambdas/core/secrets/secret-sync-config';

/*
 * The deployment half of hoist.config.yaml: what `cdk synth` builds. The
 * promotion half (repositories, images, targets) is read by the functions at
 * run time and validated by their own schema; here it is only carried along.
 */

const NameSchema = z.string().regex(/^[a-z][a-z0-9-]{1,30}$/, 'lower-case letters, digits and dashes, 2-31 characters, starting with a letter');
const EcrRepositoryNameSchema = z.string().regex(/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/, 'not a valid ECR repository name');
const ArnSchema = z.string().regex(/^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{0,12}:.+$/, 'expected an ARN');
const SecretNameSchema = z.string().regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, 'not a valid Secrets Manager name');
/** A customer-managed KMS key by key ARN: IAM authorizes kms:Decrypt on the key ARN, never on an alias. */
const KmsKeyArnSchema = z
  .string()
  .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/, 'expected a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)');

const NodeGroupSchema = z
  .object({
    instanceTypes: z.array(z.string().regex(/^[a-z0-9-]+\.[a-z0-9]+$/, 'expected an EC2 instance type such as m6i.large')).min(1),
    minSize: z.number().int().min(0),
    maxSize: z.number().int().min(1),
    desiredSize: z.number().int().min(0),
    diskSizeGiB: z.number().int().min(20).default(50),
  })
  .strict()
  .refine((g) => g.minSize <= g.desiredSize && g.desiredSize <= g.maxSize, {
    message: 'must satisfy minSize <= desiredSize <= maxSize',
  });

const GpuNodeGroupSchema = z
  .object({
    name: NameSchema,
    instanceTypes: z
      .array(z.string().regex(/^(g[4-6][a-z]*|p[3-5][a-z]*)\.[a-z0-9]+$/, 'expected an NVIDIA GPU instance type (g4dn, g5, g6, p4d, p5 …)'))
      .min(1),
    amiType: z.enum(['AL2023_x86_64_NVIDIA', 'BOTTLEROCKET_x86_64_NVIDIA']).default('AL2023_x86_64_NVIDIA'),
    minSize: z.number().int().min(0).default(0),
    maxSize: z.number().int().min(1),
    desiredSize: z.number().int().min(0).default(0),
    diskSizeGiB: z.number().int().min(50).default(100),
    capacityType: z.enum(['ON_DEMAND', 'SPOT']).default('ON_DEMAND'),
  })
  .strict()
  .refine((g) => g.minSize <= g.desiredSize && g.desiredSize <= g.maxSize, {
    message: 'must satisfy minSize <= desiredSize <= maxSize',
  });

const ChartSchema = z.object({ version: z.string().regex(/^\d+\.\d+\.\d+$/, 'pin an exact chart version such as 1.2.3') }).strict();

export const HoistConfigSchema = z
  .object({
    /** Prefix of resource names and tags. */
    name: NameSchema.default('hoist'),
    automation: z
      .object({
        webhookHosts: z
          .array(z.enum(['github', 'gitlab', 'gitea']))
          .min(1)
          .default(['github', 'gitlab', 'gitea']),
        throttle: z.object({ rateLimit: z.number().positive(), burstLimit: z.number().int().positive() }).strict().default({ rateLimit: 50, burstLimit: 100 }),
        maxBodyBytes: z
          .number()
          .int()
          .min(1024)
          .max(6 * 1024 * 1024)
          .default(1024 * 1024),
        deliveryTtlDays: z.number().int().min(1).max(90).default(7),
        logRetentionDays: z.union([z.literal(7), z.literal(14), z.literal(30), z.literal(90), z.literal(180), z.literal(365)]).default(30),
        /** ECR repositories whose pushes feed Hoist; the platform's own repositories are added. */
        ecrRepositories: z.array(EcrRepositoryNameSchema).default([]),
        /** The scheduled ECR reconcile: promotes the pushes whose EventBridge event never came. */
        reconcile: z
          .object({
            enabled: z.boolean().default(true),
            /** Minutes between runs. */
            everyMinutes: z.number().int().min(1).max(1440).default(10),
            /** Images per repository, newest first, looked at in each run. */
            newest: z.number().int().min(1).max(100).default(10),
          })
          .strict()
          .prefault({}),
        /** Existing secrets Hoist may read (names, not values). */
        secrets: z
          .object({
            gitTokens: z.record(z.string(), SecretNameSchema).default({}),
            argocdToken: SecretNameSchema.optional(),
            vaultToken: SecretNameSchema.optional(),
            slackWebhookUrl: SecretNameSchema.optional(),
          })
          .strict()
          .default({ gitTokens: {} }),
        alarmEmail: z.email().optional(),
        /** The secrets sync's deployment: built only when the config has a `secrets:` section that is not disabled. */
        secretsSync: z
          .object({
            /** Minutes between the scheduled reconciles that queue every mapped secret. */
            reconcileEveryMinutes: z.number().int().min(1).max(1440).default(60),
            /** Customer-managed keys the mapped secrets are encrypted with; the AWS-managed aws/secretsmanager key needs none. */
            kmsKeyArns: z.array(KmsKeyArnSchema).default([]),
            /** Secret name prefixes to sync. @default the text of secrets.mapping.namePattern before its first placeholder */
            namePrefixes: z.array(SecretNameSchema).min(1).optional(),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    platform: z
      .object({
        enabled: z.boolean().default(true),
        kubernetesVersion: z.literal('1.35', { message: "only '1.35' is supported (the bundled kubectl layer is for 1.35)" }).default('1.35'),
        maxAzs: z.number().int().min(2).max(6).default(3),
        natGateways: z.number().int().min(1).max(6).default(1),
        /** CIDRs allowed to reach the public API endpoint. */
        publicEndpointCidrs: z.array(z.cidrv4()).min(1).default(['0.0.0.0/0']),
        adminRoleArn: ArnSchema.optional(),
        systemNodeGroup: NodeGroupSchema.prefault({ instanceTypes: ['m6i.large'], minSize: 2, maxSize: 4, desiredSize: 2 }),
        gpuNodeGroups: z
          .array(GpuNodeGroupSchema)
          .min(1)
          .prefault([{ name: 'gpu', instanceTypes: ['g6.xlarge', 'g5.xlarge'], maxSize: 4 }]),
        charts: z
          .object({
            nvidiaDevicePlugin: ChartSchema.default({ version: '0.17.4' }),
            argocd: ChartSchema.default({ version: '8.6.4' }),
            externalSecrets: ChartSchema.default({ version: '0.20.4' }),
          })
          .strict()
          .prefault({}),
        /** Secret name prefixes External Secrets Operator may read. */
        externalSecretsPrefixes: z
          .array(z.string().regex(/^[A-Za-z0-9/_+=.@-]+$/))
          .min(1)
          .default(['hoist/apps/']),
        ecr: z
          .object({
            repositories: z.array(EcrRepositoryNameSchema).default([]),
            keepLastImages: z.number().int().min(1).max(1000).default(100),
            untaggedExpiryDays: z.number().int().min(1).default(14),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    /** Read by the promotion engine at run time, not by CDK. */
    repositories: z.unknown().optional(),
    images: z.unknown().optional(),
    services: z.unknown().optional(),
    argocd: z.unknown().optional(),
    slack: z.unknown().optional(),
    registry: z.unknown().optional(),
    limits: z.unknown().optional(),
    /** Read by the secrets-sync function at run time; checked here so that a wrong setting fails `cdk synth`. */
    secrets: z.unknown().optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    const slackApp = SlackAppSecretsSchema.safeParse(config.slack);
    if (!slackApp.success) {
      for (const issue of slackApp.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: ['slack', ...issue.path] });
    } else if (slackApp.data?.app !== undefined) {
      for (const key of ['signingSecretName', 'botTokenSecretName'] as const) {
        if (slackApp.data.app[key] === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['slack', 'app', key],
            message: 'the deployed Slack actions endpoint reads this from Secrets Manager: name the secret (the *Env setting is for the dev server)',
          });
        }
      }
    }
    if (!secretsSyncEnabled(config.secrets)) return;
    const result = SecretSyncConfigSchema.safeParse(config.secrets);
    if (!result.success) {
      for (const issue of result.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: ['secrets', ...issue.path] });
      return;
    }
    const secrets = result.data;
    if (config.automation.secretsSync.namePrefixes === undefined && literalPrefixOf(secrets.mapping.namePattern) === '') {
      ctx.addIssue({
        code: 'custom',
        path: ['secrets', 'mapping', 'namePattern'],
        message: 'starts with a placeholder, which would match every secret; start it with a fixed prefix or set automation.secretsSync.namePrefixes',
      });
    }
    if (secrets.vault.auth.method === 'token' && secrets.vault.auth.tokenSecretName === undefined && config.automation.secrets.vaultToken === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['secrets', 'vault', 'auth', 'tokenSecretName'],
        message: 'the deployed sync reads its Vault token from Secrets Manager: name the secret here (env is for the dev server), or use method: aws-iam',
      });
    }
    // The sync's scope must not reach Hoist's own tokens: it would copy them into Vault and name them in Git.
    const scope = secretScopeOf(secrets, config.automation.secretsSync.namePrefixes);
    const own = ownSecretNames(config, secrets).filter((name) => isSecretInScope(name, scope));
    if (own.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: config.automation.secretsSync.namePrefixes === undefined ? ['secrets', 'mapping', 'namePattern'] : ['automation', 'secretsSync', 'namePrefixes'],
        message: `the synced secrets (${[...scope.prefixes.map((p) => `${p}*`), ...scope.names].join(', ')}) include Hoist's own credentials ${own.join(', ')}; keep those outside, or narrow the prefix`,
      });
    }
    const repositories = RepositoryNamesSchema.safeParse(config.repositories);
    const names = repositories.success ? (repositories.data ?? []).map((r) => r.name) : [];
    if (!names.includes(secrets.manifests.repository)) {
      ctx.addIssue({
        code: 'custom',
        path: ['secrets', 'manifests', 'repository'],
        message: `no repository named '${secrets.manifests.repository}' in repositories`,
      });
    }
  });

export type HoistConfig = z.infer<typeof HoistConfigSchema>;

/** The secret names the promotion settings refer to (validated in full by the promoter). */
const PromotionSecretsSchema = z.object({
  repositories: z.array(z.object({ credentials: z.object({ secretName: SecretNameSchema.optional() }).loose().optional() }).loose()).optional(),
  argocd: z.object({ tokenSecretName: SecretNameSchema.optional() }).loose().optional(),
  slack: z
    .object({ webhookSecretName: SecretNameSchema.optional(), app: z.object({ botTokenSecretName: SecretNameSchema.optional() }).loose().optional() })
    .loose()
    .optional(),
  registry: z
    .object({ credentials: z.record(z.string(), z.object({ secretName: SecretNameSchema.optional() }).loose()).optional() })
    .loose()
    .optional(),
  images: z
    .array(
      z
        .object({
          targets: z.array(z.object({ slack: z.object({ webhookSecretName: SecretNameSchema.optional() }).loose().optional() }).loose()).optional(),
          from: z.array(z.object({ credentials: z.object({ secretName: SecretNameSchema.optional() }).loose().optional() }).loose()).optional(),
        })
        .loose(),
    )
    .optional(),
});

/**
 * The secret names of `slack.app` (validated in full by the functions). The
 * Slack actions endpoint is built only when the section is there.
 */
const SlackAppSecretsSchema = z
  .object({
    app: z.object({ signingSecretName: SecretNameSchema.optional(), botTokenSecretName: SecretNameSchema.optional() }).loose().optional(),
  })
  .loose()
  .optional()
  .nullable();

/** What the CDK app builds the Slack actions endpoint from. */
export interface SlackActionsSettings {
  readonly signingSecretName: string;
  readonly botTokenSecretName: string;
}

/**
 * The Slack actions endpoint's secret names, or undefined when the config
 * has no `slack.app`. parseHoistConfig has checked both names are there.
 */
export function slackActionsSettings(config: HoistConfig): SlackActionsSettings | undefined {
  const app = SlackAppSecretsSchema.parse(config.slack)?.app;
  if (app === undefined) return undefined;
  if (app.signingSecretName === undefined || app.botTokenSecretName === undefined) {
    throw new Error('slack.app: name signingSecretName and botTokenSecretName for the deployed Slack actions endpoint');
  }
  return { signingSecretName: app.signingSecretName, botTokenSecretName: app.botTokenSecretName };
}

/** `argocd.eks` as far as the deployment needs it (validated in full by the functions). */
const ArgoCdEksSchema = z
  .object({
    eks: z
      .object({ clusterName: z.string().min(1), region: z.string().min(1).optional() })
      .loose()
      .optional(),
  })
  .loose()
  .optional()
  .nullable();

/** What the CDK app gives Hoist's functions on the cluster of `argocd.eks`. */
export interface ArgoCdEksSettings {
  readonly clusterName: string;
  /** @default the automation stack's region */
  readonly region?: string;
}

/**
 * The cluster Hoist reaches Argo CD through (EKS access entries and
 * `eks:DescribeCluster` for the promoter and the gates function), or
 * undefined when the config has no `argocd.eks`.
 */
export function argocdEksSettings(config: HoistConfig): ArgoCdEksSettings | undefined {
  const parsed = ArgoCdEksSchema.safeParse(config.argocd);
  if (!parsed.success)
    throw new Error(`argocd.eks is invalid: ${parsed.error.issues.map((i) => `${['argocd', ...i.path].join('.')}: ${i.message}`).join('; ')}`);
  const eks = parsed.data?.eks;
  if (eks === undefined) return undefined;
  return { clusterName: eks.clusterName, ...(eks.region === undefined ? {} : { region: eks.region }) };
}

/** Every secret Hoist reads as a credential: the promoter's, the Slack app's, and the secrets sync's Vault token and Slack webhook. */
function ownSecretNames(
  config: Pick<HoistConfig, 'automation' | 'repositories' | 'argocd' | 'slack' | 'registry' | 'images'>,
  secrets: SecretSyncConfig,
): string[] {
  const slackApp = SlackAppSecretsSchema.safeParse(config.slack);
  const app = slackApp.success ? slackApp.data?.app : undefined;
  const sync = [
    secrets.vault.auth.method === 'token' ? secrets.vault.auth.tokenSecretName : undefined,
    secrets.slack?.webhookSecretName,
    config.automation.secrets.vaultToken,
    app?.signingSecretName,
    app?.botTokenSecretName,
  ];
  return [...new Set([...promoterSecretNames(config as HoistConfig), ...sync.filter((n): n is string => n !== undefined)])].sort();
}

/** Every secret name the promoter will read: automation.secrets plus those in the promotion settings. */
export function promoterSecretNames(config: HoistConfig): string[] {
  const promotion = PromotionSecretsSchema.parse({
    repositories: config.repositories,
    argocd: config.argocd,
    slack: config.slack,
    registry: config.registry,
    images: config.images,
  });
  const names = [
    ...Object.values(config.automation.secrets.gitTokens),
    config.automation.secrets.argocdToken,
    // vaultToken belongs to secrets sync, not to the promoter.
    config.automation.secrets.slackWebhookUrl,
    ...(promotion.repositories ?? []).map((r) => r.credentials?.secretName),
    promotion.argocd?.tokenSecretName,
    promotion.slack?.webhookSecretName,
    // The Slack app's bot posts approval requests and records decisions.
    promotion.slack?.app?.botTokenSecretName,
    ...Object.values(promotion.registry?.credentials ?? {}).map((c) => c.secretName),
    ...(promotion.images ?? []).flatMap((image) => (image.targets ?? []).map((target) => target.slack?.webhookSecretName)),
    ...(promotion.images ?? []).flatMap((image) => (image.from ?? []).map((source) => source.credentials?.secretName)),
    ...serviceSlackSecretNames(config),
  ];
  return [...new Set(names.filter((n): n is string => n !== undefined))].sort();
}

/** The Slack destinations of service environments (`services[].environments[].target.slack`), which the promoter's config turns into targets. */
const ServiceSlackSchema = z
  .array(
    z
      .object({
        environments: z
          .array(
            z
              .object({
                target: z
                  .object({ slack: z.object({ webhookSecretName: SecretNameSchema.optional() }).loose().optional() })
                  .loose()
                  .optional(),
              })
              .loose(),
          )
          .optional(),
      })
      .loose(),
  )
  .optional();

/** The Slack webhooks service environments name for their own announcements. */
function serviceSlackSecretNames(config: Pick<HoistConfig, 'services'>): Array<string | undefined> {
  const services = ServiceSlackSchema.parse(config.services) ?? [];
  return services.flatMap((service) => (service.environments ?? []).map((environment) => environment.target?.slack?.webhookSecretName));
}

/**
 * Every secret name the gates function will read: the Argo CD token (whose
 * health opens a gate) and the Slack webhooks a failed gate is told on (the
 * default one and each target's own). No Git token, no registry credential.
 */
export function gateSecretNames(config: HoistConfig): string[] {
  const promotion = PromotionSecretsSchema.parse({ argocd: config.argocd, slack: config.slack, images: config.images, repositories: config.repositories });
  const names = [
    // Git tokens: a gate reads the followed environment's file at the revision Argo CD runs.
    ...Object.values(config.automation.secrets.gitTokens),
    ...(promotion.repositories ?? []).map((r) => r.credentials?.secretName),
    config.automation.secrets.argocdToken,
    promotion.argocd?.tokenSecretName,
    config.automation.secrets.slackWebhookUrl,
    promotion.slack?.webhookSecretName,
    ...(promotion.images ?? []).flatMap((image) => (image.targets ?? []).map((target) => target.slack?.webhookSecretName)),
    ...serviceSlackSecretNames(config),
  ];
  return [...new Set(names.filter((n): n is string => n !== undefined))].sort();
}

const RepositoryNamesSchema = z.array(z.object({ name: z.string() }).loose()).optional();

/** Whether a `secrets:` section is present and not `enabled: false`. */
function secretsSyncEnabled(secrets: unknown): boolean {
  if (secrets === undefined || secrets === null) return false;
  return !(typeof secrets === 'object' && (secrets as { enabled?: unknown }).enabled === false);
}

/** What the CDK app builds the secrets sync from. */
export interface SecretsSyncSettings {
  /** Name prefixes whose secrets are synced: automation.secretsSync.namePrefixes, or the literal prefix of the name pattern. */
  readonly namePrefixes: readonly string[];
  /** Exact names of `secrets.mapping.entries` not already under a prefix. */
  readonly secretNames: readonly string[];
  /** Secrets the sync reads besides the synced ones: Vault token, Git token of the manifests repository, Slack webhooks. */
  readonly tokenSecretNames: readonly string[];
  readonly reconcileEveryMinutes: number;
  readonly kmsKeyArns: readonly string[];
  /** The Vault token's secret with token auth: `secrets.vault.auth.tokenSecretName`, else `automation.secrets.vaultToken`. */
  readonly vaultTokenSecretName?: string;
}

/**
 * The secrets sync's deployment settings, or undefined when the config has
 * no `secrets:` section or disables it. The section was validated by
 * parseHoistConfig; here it is read.
 */
export function secretsSyncSettings(config: HoistConfig): SecretsSyncSettings | undefined {
  if (!secretsSyncEnabled(config.secrets)) return undefined;
  const secrets = SecretSyncConfigSchema.parse(config.secrets);
  const { secretsSync } = config.automation;
  const scope = secretScopeOf(secrets, secretsSync.namePrefixes);
  const namePrefixes = scope.prefixes;
  const secretNames = scope.names;
  const promotion = PromotionSecretsSchema.parse({ repositories: config.repositories, slack: config.slack });
  const manifests = (promotion.repositories ?? []).find((r) => (r as { name?: unknown }).name === secrets.manifests.repository);
  const vaultTokenSecretName = secrets.vault.auth.method === 'token' ? (secrets.vault.auth.tokenSecretName ?? config.automation.secrets.vaultToken) : undefined;
  const tokens = [vaultTokenSecretName, secrets.slack?.webhookSecretName, promotion.slack?.webhookSecretName, manifests?.credentials?.secretName];
  return {
    namePrefixes,
    secretNames,
    tokenSecretNames: [...new Set(tokens.filter((n): n is string => n !== undefined))].sort(),
    ...(vaultTokenSecretName ? { vaultTokenSecretName } : {}),
    reconcileEveryMinutes: secretsSync.reconcileEveryMinutes,
    kmsKeyArns: [...new Set(secretsSync.kmsKeyArns)].sort(),
  };
}

/** Parses config text, failing with every problem and its exact path (`→ at platform.gpuNodeGroups[0].maxSize`). */
export function parseHoistConfig(text: string, source = 'hoist.config.yaml'): HoistConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (error) {
    throw new Error(`${source}: not valid YAML: ${(error as Error).message}`, { cause: error });
  }
  const result = HoistConfigSchema.safeParse(raw);
  if (!result.success) {
    throw new Error(`${source} is invalid:\n${z.prettifyError(result.error)}`);
  }
  return result.data;
}

export function loadHoistConfig(path: string): HoistConfig & { readonly sourceFile: string } {
  return { ...parseHoistConfig(readFileSync(path, 'utf8'), path), sourceFile: resolve(path) };
}
