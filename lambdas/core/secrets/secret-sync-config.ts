import * as z from 'zod';
import { RepoPathSchema, SlackDestinationSchema, unsafeBranchReason } from '../config/config-parts';

/*
 * The `secrets:` section of hoist.config.yaml: which Secrets Manager secrets
 * go to which Vault KV v2 path, and which manifests in which GitOps
 * repository let workloads read them.
 */

const SecretNameSchema = z.string().regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, 'not a valid Secrets Manager name');
const NamePartSchema = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'a DNS label: lower-case letters, digits and dashes');
const KeySchema = z.string().regex(/^[A-Za-z0-9._-]{1,253}$/, 'letters, digits, ".", "_" and "-"');
/** A Kubernetes duration as ESO and VSO read it: `30s`, `15m`, `1h`, `1h30m`. */
const DurationSchema = z.string().regex(/^(\d+(ms|s|m|h))+$/, 'a duration such as 30s, 15m or 1h');
/** A Vault path segment list: no empty, `.` or `..` segment, no leading or trailing slash. */
const VaultPathSchema = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/, 'slash-separated segments of letters, digits, "_", "." and "-"')
  .refine((p) => !p.split('/').some((s) => s === '.' || s === '..'), { message: "must not contain '.' or '..' segments" });

const placeholdersOf = (template: string): string[] => [...template.matchAll(/\{([^}]*)\}/g)].map((m) => m[1] ?? '');

/** The placeholders of `names` that do not stand alone as a `/`-separated segment (`{service}{environment}` would be ambiguous). */
const notWholeSegments = (template: string, names: readonly string[]): string[] =>
  names.filter((name) => template.includes(`{${name}}`) && !template.split('/').every((segment) => !segment.includes(`{${name}}`) || segment === `{${name}}`));

/** Service and environment each fill one whole path segment, so no two secrets share a path or name by accident. */
const wholeSegments = (template: string, ctx: z.core.$RefinementCtx<string>) => {
  for (const name of notWholeSegments(template, ['service', 'environment'])) {
    ctx.addIssue({ code: 'custom', message: `{${name}} must be a whole path segment (between slashes)` });
  }
};

/** A template that may use only `allowed` placeholders and must use `required` ones. */
function templateSchema(allowed: readonly string[], required: readonly string[] = []) {
  return z
    .string()
    .min(1)
    .superRefine((template, ctx) => {
      const used = placeholdersOf(template);
      const unknown = used.filter((p) => !allowed.includes(p));
      if (unknown.length > 0)
        ctx.addIssue({
          code: 'custom',
          message: `unknown placeholder ${unknown.map((p) => `{${p}}`).join(', ')}; use ${allowed.map((p) => `{${p}}`).join(' ')}`,
        });
      for (const p of required) if (!used.includes(p)) ctx.addIssue({ code: 'custom', message: `must contain {${p}}` });
    });
}

const VaultAuthSchema = z.discriminatedUnion('method', [
  /** A Vault token kept in Secrets Manager (locally: an environment variable). */
  z
    .object({
      method: z.literal('token'),
      tokenSecretName: SecretNameSchema.optional(),
      env: z
        .string()
        .regex(/^[A-Z_][A-Z0-9_]*$/)
        .optional(),
    })
    .strict()
    .refine((a) => a.tokenSecretName !== undefined || a.env !== undefined, { message: 'name tokenSecretName or env' }),
  /** Vault's AWS auth method, IAM type: a signed sts:GetCallerIdentity request, no static token. */
  z
    .object({
      method: z.literal('aws-iam'),
      role: z.string().min(1).max(128),
      /** Where the AWS auth method is mounted. @default aws */
      mount: VaultPathSchema.default('aws'),
      /** Sent as X-Vault-AWS-IAM-Server-ID when the role requires it. */
      serverId: z.string().min(1).optional(),
      /** The STS region Vault is configured for. @default us-east-1 (the global endpoint) */
      stsRegion: z
        .string()
        .regex(/^[a-z]{2}(-[a-z]+)+-\d$/)
        .optional(),
    })
    .strict(),
]);
export type VaultAuthConfig = z.infer<typeof VaultAuthSchema>;

/** One secret mapped by name, overriding the name pattern and tags. */
const SecretEntrySchema = z
  .object({
    secret: SecretNameSchema,
    service: NamePartSchema,
    environment: NamePartSchema,
    /** The key a plain-string secret is stored under. @default mapping.plainKey */
    plainKey: KeySchema.optional(),
  })
  .strict();

export const SecretSyncConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    vault: z
      .object({
        url: z.url({ protocol: /^https?$/ }),
        /** Vault Enterprise / HCP namespace, sent as X-Vault-Namespace. */
        namespace: VaultPathSchema.optional(),
        /** The KV v2 mount. @default secret */
        mount: VaultPathSchema.default('secret'),
        /** {prefix} in the path template. @default apps */
        prefix: VaultPathSchema.default('apps'),
        /** The KV v2 API path; placeholders {mount} {prefix} {service} {environment}. */
        path: templateSchema(['mount', 'prefix', 'service', 'environment'], ['mount', 'service', 'environment'])
          .default('{mount}/data/{prefix}/{service}/{environment}/config')
          .refine((p) => p.startsWith('{mount}/data/'), { message: 'a KV v2 path starts with {mount}/data/' })
          .superRefine(wholeSegments),
        auth: VaultAuthSchema,
        /** A secret deleted in Secrets Manager: leave Vault alone, or soft-delete the latest version Hoist wrote. */
        onDelete: z.enum(['leave', 'soft-delete']).default('leave'),
      })
      .strict(),
    mapping: z
      .object({
        /** Secret names that map to a service and environment; placeholders {service} {environment}. */
        namePattern: templateSchema(['service', 'environment'], ['service', 'environment'])
          .default('hoist/apps/{service}/{environment}')
          .superRefine(wholeSegments),
        /** Also map secrets tagged `hoist:service` and `hoist:environment`, whatever their name. */
        tags: z.boolean().default(true),
        /** The key a plain-string (non-JSON) secret is stored under. */
        plainKey: KeySchema.default('value'),
        /** Explicit secrets; they win over the pattern and tags. */
        entries: z.array(SecretEntrySchema).default([]),
      })
      .strict()
      .prefault({}),
    /** Where the manifests that read these secrets live. */
    manifests: z
      .object({
        /** A repository from `repositories`. */
        repository: z.string().min(1),
        /** `commit` writes to the repository's base branch; `pull-request` opens a PR/MR from `pullRequestBranch`. */
        mode: z.enum(['commit', 'pull-request']).default('commit'),
        /** Branch of the PR/MR in pull-request mode. */
        pullRequestBranch: z
          .string()
          .min(1)
          .default('hoist/secrets')
          .superRefine((branch, ctx) => {
            const reason = unsafeBranchReason(branch);
            if (reason !== undefined) ctx.addIssue({ code: 'custom', message: `'${branch}' ${reason}` });
          }),
        /** External Secrets Operator (ExternalSecret) or Vault Secrets Operator (VaultStaticSecret). */
        operator: z.enum(['eso', 'vso']).default('eso'),
        /** One file per service and environment; placeholders {service} {environment}. */
        file: templateSchema(['service', 'environment'], ['service', 'environment']).default('apps/{service}/{environment}/secrets.yaml').pipe(RepoPathSchema),
        /** The stores (ESO) or VaultAuth (VSO) all manifests refer to. */
        storesFile: RepoPathSchema.default('platform/secret-stores.yaml'),
        /** Namespace of a service's manifests; placeholders {service} {environment}. */
        namespace: templateSchema(['service', 'environment']).default('{service}-{environment}'),
        /** Name of the Kubernetes Secret (and of the ExternalSecret / VaultStaticSecret). */
        secretName: templateSchema(['service', 'environment']).default('{service}-config'),
        /** Vault's address as the cluster reaches it. @default vault.url */
        vaultAddress: z.url({ protocol: /^https?$/ }).optional(),
        /** How often the operator reads Vault again. */
        refreshInterval: DurationSchema.default('1h'),
        eso: z
          .object({
            /** Where ExternalSecrets read: the Vault store (default) or Secrets Manager directly. */
            source: z.enum(['vault', 'aws-secrets-manager']).default('vault'),
            storeKind: z.enum(['ClusterSecretStore', 'SecretStore']).default('ClusterSecretStore'),
            vaultStoreName: NamePartSchema.default('vault'),
            awsStoreName: NamePartSchema.default('aws-secrets-manager'),
            /** Region of the Secrets Manager store. */
            awsRegion: z
              .string()
              .regex(/^[a-z]{2}(-[a-z]+)+-\d$/)
              .default('us-east-1'),
            /** Vault's Kubernetes auth method, as ESO logs in. */
            kubernetesAuth: z
              .object({ mount: VaultPathSchema.default('kubernetes'), role: z.string().min(1).default('external-secrets') })
              .strict()
              .prefault({}),
          })
          .strict()
          .prefault({}),
        vso: z
          .object({
            vaultAuthName: NamePartSchema.default('default'),
            /** Namespace of the shared VaultAuth and VaultConnection. */
            namespace: NamePartSchema.default('vault-secrets-operator'),
            kubernetesAuth: z
              .object({
                mount: VaultPathSchema.default('kubernetes'),
                role: z.string().min(1).default('vault-secrets-operator'),
                serviceAccount: NamePartSchema.default('default'),
              })
              .strict()
              .prefault({}),
          })
          .strict()
          .prefault({}),
      })
      .strict(),
    /** Where sync reports go instead of the default Slack webhook. */
    slack: SlackDestinationSchema.optional(),
  })
  .strict();
export type SecretSyncConfig = z.infer<typeof SecretSyncConfigSchema>;
