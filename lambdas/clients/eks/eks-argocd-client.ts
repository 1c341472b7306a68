import { DescribeClusterCommand, type DescribeClusterCommandOutput, EKSClient } from '@aws-sdk/client-eks';
import * as z from 'zod';
import type { ApplicationStatus, ArgoCdRefresher } from '../../core/ports';
import { TerminalError, UnavailableError } from '../../shared/errors';
import { isUnderSourcePath } from '../argocd-source-path';
import { type ClusterAnswer, type ClusterConnectionError, type ClusterFetch, clusterHttps, isCertificateRefusal } from './cluster-https';
import { type EksTokenSource, eksTokenSource } from './eks-token';

/** The Kubernetes group Hoist's access entries put its function roles in; the platform stack's RoleBinding names it. */
export const HOIST_ARGOCD_GROUP = 'hoist:argocd';
/** The annotation that makes Argo CD compare an application with Git now; the controller removes it when done. */
export const REFRESH_ANNOTATION = 'argocd.argoproj.io/refresh';
/** Applications listed per request; the API server hands out a `continue` token for the rest. */
const LIST_PAGE_SIZE = 500;

/** The part of an Application Hoist reads (`argoproj.io/v1alpha1`). */
const ApplicationSchema = z.object({
  metadata: z.object({ name: z.string(), resourceVersion: z.string().optional() }),
  spec: z
    .object({
      source: z.object({ repoURL: z.string().optional(), path: z.string().optional() }).optional(),
      sources: z.array(z.object({ repoURL: z.string().optional(), path: z.string().optional() })).optional(),
    })
    .optional(),
  status: z
    .object({
      sync: z.object({ status: z.string().optional(), revision: z.string().optional() }).optional(),
      health: z.object({ status: z.string().optional() }).optional(),
    })
    .optional(),
  /** Set while a sync is queued or running; the controller clears it when the operation ends. */
  operation: z.unknown().optional(),
});
type Application = z.infer<typeof ApplicationSchema>;

const ApplicationListSchema = z.object({
  items: z.array(ApplicationSchema).nullable().optional(),
  metadata: z.object({ continue: z.string().optional() }).optional(),
});

/** The `Status` object the API server answers errors with (`kind: Status`, `reason`, `message`). */
const StatusSchema = z.object({ message: z.string().optional(), reason: z.string().optional() });

/** Where the cluster's API server is and the CA its certificate comes from (`eks:DescribeCluster`). */
interface ClusterAccess {
  readonly endpoint: string;
  readonly ca: string;
}

export interface EksArgoCdClientOptions {
  /** The EKS cluster Argo CD runs in. */
  readonly clusterName: string;
  /** The cluster's region. */
  readonly region: string;
  /** The namespace of the Application resources. @default argocd */
  readonly namespace?: string;
  readonly refresh?: 'normal' | 'hard';
  /** Also start a sync (an `operation` on the Application) with the refresh. @default false */
  readonly sync?: boolean;
  /** @default new EKSClient({ region }) */
  readonly eks?: EKSClient;
  /** @default eksTokenSource of the function's own credentials */
  readonly token?: EksTokenSource;
  /** @default clusterHttps() */
  readonly fetch?: ClusterFetch;
}

/**
 * Argo CD through the Kubernetes API of its EKS cluster, as the function's
 * own IAM role: no Argo CD token. The role reaches the cluster through an EKS
 * access entry in the group `hoist:argocd`, which a namespaced Role lets get,
 * list and patch `applications.argoproj.io`.
 *
 * - `refresh`: a JSON merge patch of the `argocd.argoproj.io/refresh`
 *   annotation, which Argo CD's controller acts on as on the REST API's
 *   `?refresh=`; with `sync`, the same patch sets `operation.sync` unless an
 *   operation is already under way (guarded by the resourceVersion read).
 * - `applicationStatus`: the Application's `status.sync` and `status.health`.
 * - `findApplications`: the namespace's Applications with a source of this
 *   repository (the same URL, as Argo CD's `?repo=` filter compares) and a
 *   path the file lies under.
 *
 * The cluster is described once per instance; the bearer token is kept
 * until shortly before it expires. Messages never carry the token.
 */
export class EksArgoCdClient implements ArgoCdRefresher {
  private readonly namespace: string;
  private readonly eks: EKSClient;
  private readonly tokens: EksTokenSource;
  private readonly fetch: ClusterFetch;
  private cluster: Promise<ClusterAccess> | undefined;

  constructor(private readonly options: EksArgoCdClientOptions) {
    this.namespace = options.namespace ?? 'argocd';
    this.eks = options.eks ?? new EKSClient({ region: options.region });
    this.tokens = options.token ?? eksTokenSource({ clusterName: options.clusterName, region: options.region });
    this.fetch = options.fetch ?? clusterHttps();
  }

  async refresh(application: string): Promise<void> {
    const annotations = { [REFRESH_ANNOTATION]: this.options.refresh ?? 'normal' };
    let patch: Record<string, unknown> = { metadata: { annotations } };
    if (this.options.sync === true) {
      const current = await this.getApplication(application);
      if (current === undefined) throw this.noSuchApplication(application);
      if (current.operation === undefined || current.operation === null) {
        // The resourceVersion makes the API server refuse (409) if someone started an operation since the read.
        patch = {
          metadata: { annotations, ...(current.metadata.resourceVersion ? { resourceVersion: current.metadata.resourceVersion } : {}) },
          operation: { initiatedBy: { username: 'hoist' }, sync: { prune: false } },
        };
      }
    }
    const answer = await this.call('PATCH', this.applicationPath(application), JSON.stringify(patch));
    if (answer.status === 404) throw this.noSuchApplication(application);
    this.ensureOk(answer, `patching application ${application}`);
  }

  async applicationStatus(application: string): Promise<ApplicationStatus | undefined> {
    const app = await this.getApplication(application);
    if (app === undefined) return undefined;
    const status = app.status;
    return {
      sync: status?.sync?.status ?? 'Unknown',
      ...(status?.sync?.revision ? { revision: status.sync.revision } : {}),
      health: status?.health?.status ?? 'Unknown',
    };
  }

  async findApplications(repositoryUrl: string, path: string): Promise<string[]> {
    const names: string[] = [];
    let next: string | undefined;
    do {
      const query = new URLSearchParams({ limit: String(LIST_PAGE_SIZE), ...(next ? { continue: next } : {}) });
      const answer = await this.call('GET', `${this.applicationsPath()}?${query.toString()}`);
      this.ensureOk(answer, 'listing applications');
      const list = ApplicationListSchema.safeParse(parseJson(answer.text));
      if (!list.success) throw new TerminalError(`${this.where()} answered the list of applications in an unexpected form`);
      for (const app of list.data.items ?? []) {
        const sources = [...(app.spec?.source ? [app.spec.source] : []), ...(app.spec?.sources ?? [])];
        if (sources.some((source) => source.repoURL === repositoryUrl && source.path !== undefined && isUnderSourcePath(source.path, path))) {
          names.push(app.metadata.name);
        }
      }
      next = list.data.metadata?.continue || undefined;
    } while (next !== undefined);
    return names;
  }

  /** The Application, or undefined when the namespace has none of that name. */
  private async getApplication(application: string): Promise<Application | undefined> {
    const answer = await this.call('GET', this.applicationPath(application));
    if (answer.status === 404) return undefined;
    this.ensureOk(answer, `reading application ${application}`);
    const parsed = ApplicationSchema.safeParse(parseJson(answer.text));
    if (!parsed.success) throw new TerminalError(`${this.where()} answered application ${application} without a status Hoist can read`);
    return parsed.data;
  }

  private applicationsPath(): string {
    return `/apis/argoproj.io/v1alpha1/namespaces/${encodeURIComponent(this.namespace)}/applications`;
  }

  private applicationPath(application: string): string {
    return `${this.applicationsPath()}/${encodeURIComponent(application)}`;
  }

  private where(): string {
    return `EKS cluster ${this.options.clusterName}`;
  }

  private noSuchApplication(application: string): TerminalError {
    return new TerminalError(`${this.where()} has no Argo CD application ${application} in namespace ${this.namespace}`);
  }

  /** One request with the bearer token; a 401 is tried once more with a fresh token before it counts. */
  private async call(method: 'GET' | 'PATCH', path: string, body?: string): Promise<ClusterAnswer> {
    const cluster = await this.describe();
    const headers = (token: string): Record<string, string> => ({
      authorization: `Bearer ${token}`,
      accept: 'application/json',
      ...(method === 'PATCH' ? { 'content-type': 'application/merge-patch+json' } : {}),
    });
    const send = async (token: string) => {
      try {
        return await this.fetch(`${cluster.endpoint}${path}`, { method, headers: headers(token), ca: cluster.ca, ...(body === undefined ? {} : { body }) });
      } catch (error) {
        if (isCertificateRefusal(error)) {
          // Described again next time, in case the cluster was replaced.
          this.cluster = undefined;
          throw new TerminalError(
            `${this.where()}: the API server's certificate is not one the cluster's CA issued for its endpoint (${(error as ClusterConnectionError).code}); refusing to send the token`,
          );
        }
        // The cause is not kept: a transport error should never quote headers, and this way it cannot.
        throw new UnavailableError(`${this.where()} could not be reached: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    let answer = await send(await this.tokens.token());
    if (answer.status === 401) {
      this.tokens.forget();
      answer = await send(await this.tokens.token());
    }
    return answer;
  }

  /** Maps an error answer to a message that says what to fix: the access entry (401), the RBAC (403). */
  private ensureOk(answer: ClusterAnswer, doing: string): void {
    if (answer.status >= 200 && answer.status < 300) return;
    const status = StatusSchema.safeParse(parseJson(answer.text));
    const said = status.success ? (status.data.message ?? status.data.reason ?? '') : '';
    const detail = said === '' ? `${answer.status}` : `${answer.status}: ${said.slice(0, 300)}`;
    const base = `${this.where()} refused ${doing} (${detail})`;
    if (answer.status === 401) {
      throw new TerminalError(
        `${base}: it does not know the function's IAM role; the role needs an EKS access entry on the cluster (type STANDARD, Kubernetes group ${HOIST_ARGOCD_GROUP}), which the automation stack creates when argocd.eks is configured`,
      );
    }
    if (answer.status === 403) {
      throw new TerminalError(
        `${base}: the group ${HOIST_ARGOCD_GROUP} needs a Role in namespace ${this.namespace} allowing get, list and patch on applications.argoproj.io and a RoleBinding to it (the platform stack adds them to its Argo CD namespace)`,
      );
    }
    // 409: the Application changed between read and patch; 429 and 5xx: the API server is busy or failing.
    if (answer.status === 409 || answer.status === 429 || answer.status >= 500) throw new UnavailableError(base);
    throw new TerminalError(base);
  }

  /** DescribeCluster, once per instance (again after a failure). */
  private describe(): Promise<ClusterAccess> {
    this.cluster ??= this.describeOnce().catch((error: unknown) => {
      this.cluster = undefined;
      throw error;
    });
    return this.cluster;
  }

  private async describeOnce(): Promise<ClusterAccess> {
    const name = this.options.clusterName;
    let answer: DescribeClusterCommandOutput;
    try {
      answer = await this.eks.send(new DescribeClusterCommand({ name }));
    } catch (error) {
      const kind = (error as { name?: string }).name;
      if (kind === 'ResourceNotFoundException') throw new TerminalError(`no EKS cluster named ${name} in ${this.options.region} (argocd.eks.clusterName)`);
      if (kind === 'AccessDeniedException') {
        throw new TerminalError(`the function's role may not describe EKS cluster ${name}; it needs eks:DescribeCluster on that cluster`, { cause: error });
      }
      throw new UnavailableError(`EKS DescribeCluster of ${name} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    const endpoint = answer.cluster?.endpoint;
    const caData = answer.cluster?.certificateAuthority?.data;
    if (endpoint === undefined || caData === undefined || caData === '') {
      // A cluster still being created has neither yet.
      throw new UnavailableError(`EKS cluster ${name} has no endpoint or CA yet (status ${answer.cluster?.status ?? 'unknown'})`);
    }
    if (!endpoint.startsWith('https://')) throw new TerminalError(`EKS cluster ${name} answered an endpoint that is not https`);
    return { endpoint: endpoint.replace(/\/$/, ''), ca: Buffer.from(caData, 'base64').toString('utf8') };
  }
}

/** JSON text as a value, or undefined when it is not JSON (a proxy's HTML error page). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
