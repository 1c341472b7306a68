import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TestCertificates } from './test-ca';

/** A request the fake API server took, the bearer token among its headers. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

export interface FakeEksApiServer {
  /** `https://127.0.0.1:<port>`, the cluster endpoint DescribeCluster reports. */
  readonly endpoint: string;
  readonly requests: RecordedRequest[];
  /** The stored Applications by name; tests read them after a patch and change them before a read. */
  readonly applications: Map<string, Record<string, unknown>>;
  /**
   * Who the cluster takes the caller for: `known` (an access entry in group
   * hoist:argocd bound to the Role), `unknown` (no access entry: 401), or
   * `unbound` (an access entry, no RoleBinding: 403). @default known
   */
  identity: 'known' | 'unknown' | 'unbound';
  close(): Promise<void>;
}

/** An Application as the API server stores it, from test/fixtures/argocd/application.json, renamed and re-pointed. */
export function applicationFixture(name: string, source: { repoURL?: string; path?: string } = {}): Record<string, unknown> {
  const app = JSON.parse(readFileSync('test/fixtures/argocd/application.json', 'utf8')) as {
    metadata: Record<string, unknown>;
    spec: { source: Record<string, unknown> };
  };
  app.metadata.name = name;
  Object.assign(app.spec.source, source);
  return app as unknown as Record<string, unknown>;
}

/** The Status object the API server answers errors with (apimachinery `metav1.Status`). */
function status(code: number, reason: string, message: string, details?: Record<string, unknown>) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

/** RFC 7386 JSON merge patch: objects merge, null deletes, anything else replaces. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const result: Record<string, unknown> =
    target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

const PREFIX = '/apis/argoproj.io/v1alpha1/namespaces/';

/**
 * A local Kubernetes API server over HTTPS with a certificate from `certs`,
 * serving Argo CD's Application resources as the API documents them: GET of
 * one (`404 NotFound` Status when absent), GET of the list with `limit` and
 * `continue`, PATCH with `application/merge-patch+json` only (`415`
 * otherwise), a stale `metadata.resourceVersion` in the patch refused with
 * `409 Conflict`, and every change bumping the resourceVersion. Bearer
 * tokens must have EKS's `k8s-aws-v1.` form; the caller's identity decides
 * between the answer, `401 Unauthorized` and `403 Forbidden`.
 */
export async function startFakeEksApiServer(certs: TestCertificates, namespace = 'argocd'): Promise<FakeEksApiServer> {
  const requests: RecordedRequest[] = [];
  const applications = new Map<string, Record<string, unknown>>();
  let resourceVersion = 200000;
  const fake = { identity: 'known' as FakeEksApiServer['identity'] };

  const server = createServer({ key: certs.key, cert: certs.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'https://api-server');
      requests.push({ method: req.method ?? '', path: `${url.pathname}${url.search}`, headers: req.headers, body });
      const send = (code: number, answer: unknown) => {
        res.writeHead(code, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer));
      };
      const token = /^Bearer (k8s-aws-v1\.[A-Za-z0-9_-]+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (token === undefined || fake.identity === 'unknown') return send(401, status(401, 'Unauthorized', 'Unauthorized'));

      const match = new RegExp(`^${PREFIX}([^/]+)/applications(?:/([^/]+))?$`).exec(url.pathname);
      if (match === null) return send(404, status(404, 'NotFound', 'the server could not find the requested resource'));
      const [, ns, rawName] = match;
      const name = rawName === undefined ? undefined : decodeURIComponent(rawName);
      const verb = req.method === 'PATCH' ? 'patch' : name === undefined ? 'list' : 'get';
      if (fake.identity === 'unbound') {
        const what = name === undefined ? '' : ` "${name}"`;
        return send(
          403,
          status(
            403,
            'Forbidden',
            `applications.argoproj.io${what} is forbidden: User "arn:aws:sts::123456789012:assumed-role/HoistGates/fn" cannot ${verb} resource "applications" in API group "argoproj.io" in the namespace "${ns}"`,
            { ...(name ? { name } : {}), group: 'argoproj.io', kind: 'applications' },
          ),
        );
      }
      const notFound = () =>
        send(404, status(404, 'NotFound', `applications.argoproj.io "${name}" not found`, { name, group: 'argoproj.io', kind: 'applications' }));
      if (ns !== namespace)
        return name === undefined ? send(200, { apiVersion: 'argoproj.io/v1alpha1', kind: 'ApplicationList', metadata: {}, items: [] }) : notFound();

      if (verb === 'list') {
        const all = [...applications.values()];
        const limit = Number(url.searchParams.get('limit') ?? all.length) || all.length;
        const start = Number(url.searchParams.get('continue') ?? 0);
        const page = all.slice(start, start + limit);
        const more = start + limit < all.length;
        return send(200, {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'ApplicationList',
          metadata: { resourceVersion: String(resourceVersion), ...(more ? { continue: String(start + limit) } : {}) },
          items: page,
        });
      }
      const current = applications.get(name ?? '');
      if (current === undefined) return notFound();
      if (verb === 'get') return send(200, current);

      if (req.headers['content-type'] !== 'application/merge-patch+json') {
        return send(
          415,
          status(
            415,
            'UnsupportedMediaType',
            `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
          ),
        );
      }
      const patch = JSON.parse(body) as { metadata?: { resourceVersion?: string } };
      const stored = (current.metadata as { resourceVersion: string }).resourceVersion;
      if (patch.metadata?.resourceVersion !== undefined && patch.metadata.resourceVersion !== stored) {
        return send(
          409,
          status(
            409,
            'Conflict',
            `Operation cannot be fulfilled on applications.argoproj.io "${name}": the object has been modified; please apply your changes to the latest version and try again`,
          ),
        );
      }
      resourceVersion += 1;
      const next = mergePatch(current, patch) as Record<string, unknown>;
      (next.metadata as { resourceVersion: string }).resourceVersion = String(resourceVersion);
      applications.set(name ?? '', next);
      return send(200, next);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    applications,
    get identity() {
      return fake.identity;
    },
    set identity(value) {
      fake.identity = value;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
