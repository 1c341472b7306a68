import { z } from 'zod';

const DnsLabelSchema = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'a DNS label: lower-case letters, digits and dashes');

/** Services added by `--gpu ollama`: the GPU inference server and its web UI. */
export const OLLAMA_SERVICES = ['ollama', 'open-webui'] as const;

/**
 * A service names its Helm release, Service and Deployment: a DNS-1035 label
 * (a letter first) of at most 53 characters, Helm's limit for a release name.
 */
const ServiceNameSchema = z
  .string()
  .regex(/^[a-z]([a-z0-9-]*[a-z0-9])?$/, 'a DNS-1035 label: a lower-case letter first, then letters, digits and dashes')
  .max(53, 'at most 53 characters (a Helm release name)');

/** What git accepts as a branch name, without the rarer rules: no spaces, `..`, `~^:?*[\`, leading `-` or `/`, trailing `/`, `.` or `.lock`. */
const BranchSchema = z
  .string()
  .regex(/^(?!-|\/)(?!.*(\.\.|\/\/|@\{|\/\.))[^\s~^:?*[\\]+(?<![./]|\.lock)$/, 'a branch name git accepts, e.g. main')
  .refine((name) => name !== '@' && ![...name].some((c) => (c.codePointAt(0) ?? 0) < 0x20 || c === '\u007f'), {
    message: 'a branch name git accepts, e.g. main',
  });

const uniqueList = (what: string, schema: z.ZodString) =>
  z
    .array(schema)
    .min(1, `name at least one ${what}`)
    .refine((names) => new Set(names).size === names.length, { message: `each ${what} once` });

/**
 * What `hoist scaffold` is asked for. Service and environment names become
 * Kubernetes namespaces (`{service}-{environment}`), Argo CD application
 * names and path segments, so they are DNS labels.
 */
export const ScaffoldOptionsSchema = z
  .object({
    services: uniqueList('service', ServiceNameSchema),
    /** In promotion order: each one follows the one before it. */
    environments: uniqueList('environment', DnsLabelSchema),
    /** An LLM inference server on the GPU nodes, with a web UI. */
    gpu: z.enum(['ollama']).optional(),
    /** An Argo CD Application for NVIDIA's device plugin, for a cluster whose GPU nodes do not run it already. */
    devicePlugin: z.boolean().default(false),
    /** Secret manifests for the secrets sync: External Secrets Operator or Vault Secrets Operator. */
    secrets: z.enum(['eso', 'vso']).optional(),
    /** Argo Rollouts canaries instead of Deployments. */
    rollouts: z.boolean().default(false),
    /** KEDA ScaledObjects instead of HPAs. */
    keda: z.boolean().default(false),
    /** Where Argo CD and Hoist clone the GitOps repository from. */
    repoUrl: z.string().min(1).default('https://github.com/example-org/gitops.git'),
    /** @default from repoUrl: github.com → github, a host named gitlab… → gitlab, a local path → git */
    provider: z.enum(['github', 'gitlab', 'gitea', 'git']).optional(),
    /** The host's API, for GitHub Enterprise Server, self-managed GitLab or Gitea. */
    apiUrl: z.url({ protocol: /^https?$/, error: 'an http(s) URL, e.g. https://github.example.com/api/v3' }).optional(),
    baseBranch: BranchSchema.default('main'),
    /** Registry and path prefix of the services' images: `{registry}/{service}`. */
    registry: z
      .string()
      .regex(/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*$/, 'a registry host with an optional path, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/team')
      .default('123456789012.dkr.ecr.eu-west-1.amazonaws.com'),
    /** Environments Argo CD does not sync by itself (someone presses Sync). */
    manualSync: z.array(DnsLabelSchema).default([]),
    /** The AppProject the services' Applications belong to. */
    project: DnsLabelSchema.default('services'),
  })
  .strict()
  .superRefine((options, ctx) => {
    const services = [...options.services, ...(options.gpu ? OLLAMA_SERVICES : [])];
    if (options.gpu && options.services.some((s) => (OLLAMA_SERVICES as readonly string[]).includes(s)))
      ctx.addIssue({ code: 'custom', path: ['services'], message: `--gpu ollama adds ${OLLAMA_SERVICES.join(' and ')}; name your services otherwise` });
    for (const service of services)
      for (const environment of options.environments)
        if (`${service}-${environment}`.length > 63)
          ctx.addIssue({ code: 'custom', path: ['services'], message: `namespace ${service}-${environment} is longer than 63 characters` });
    for (const [i, environment] of options.manualSync.entries())
      if (!options.environments.includes(environment))
        ctx.addIssue({ code: 'custom', path: ['manualSync', i], message: `${environment} is not one of the environments` });
    if (options.devicePlugin && options.gpu === undefined)
      ctx.addIssue({ code: 'custom', path: ['devicePlugin'], message: 'the device plugin serves the GPU workload; add --gpu ollama' });
    if (options.apiUrl !== undefined && (options.provider ?? providerOfUrl(options.repoUrl)) === 'git')
      ctx.addIssue({ code: 'custom', path: ['apiUrl'], message: 'a plain git repository has no API; name the host with --provider' });
    if (options.provider === undefined && providerOfUrl(options.repoUrl) === undefined)
      ctx.addIssue({ code: 'custom', path: ['provider'], message: `cannot tell the Git host of ${options.repoUrl}; name it with --provider` });
  });
export type ScaffoldOptions = z.infer<typeof ScaffoldOptionsSchema>;
export type ScaffoldInput = z.input<typeof ScaffoldOptionsSchema>;

/** The Git provider a repository URL implies, when it is plain from the URL. */
export function providerOfUrl(url: string): 'github' | 'gitlab' | 'git' | undefined {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(url) && !/^[^/]*:/.test(url)) return 'git';
  const host = /^(?:[a-z+]+:\/\/)?(?:[^@/]+@)?([^/:]+)/i.exec(url)?.[1]?.toLowerCase() ?? '';
  if (host === 'github.com') return 'github';
  if (host === 'gitlab.com' || host.startsWith('gitlab.')) return 'gitlab';
  return undefined;
}

/** Every service the repository holds: the named ones, then the GPU ones. */
export const allServicesOf = (options: ScaffoldOptions): readonly string[] => [...options.services, ...(options.gpu ? OLLAMA_SERVICES : [])];

/** The namespace a service runs in, per environment; the secrets sync writes its manifests there too. */
export const namespaceOf = (service: string, environment: string): string => `${service}-${environment}`;
