import { createServer } from 'node:http';
import { listenLocal } from './listen-local';

export interface FakeArgoCd {
  readonly url: string;
  readonly token: string;
  readonly refreshes: Array<{ app: string; mode: string }>;
  /** Sets what `status` an application reports (sync status and revision, health status). */
  setStatus(app: string, status: { sync: string; revision?: string; health: string }): void;
  close(): Promise<void>;
}

/**
 * A local Argo CD API server following its documented REST behaviour:
 * `GET /api/v1/applications/{name}?refresh=normal|hard` answers the
 * Application, `GET /api/v1/applications?repo=` lists them; a missing or
 * wrong bearer token is a 401 `{"error":"invalid session…","code":16}`, an
 * unknown application a 404 with gRPC code 5.
 */
export async function startFakeArgoCd(apps: Array<{ name: string; repoURL: string; path: string }>): Promise<FakeArgoCd> {
  const token = 'argocd-test-token';
  const refreshes: Array<{ app: string; mode: string }> = [];
  const statuses = new Map<string, { sync: string; revision?: string; health: string }>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://argocd');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${token}`)
      return send(401, { error: 'invalid session: token is not valid', code: 16, message: 'invalid session: token is not valid' });
    if (url.pathname === '/api/v1/applications') {
      const repo = url.searchParams.get('repo');
      const items = apps
        .filter((a) => repo === null || a.repoURL === repo)
        .map((a) => ({ metadata: { name: a.name }, spec: { source: { repoURL: a.repoURL, path: a.path } } }));
      return send(200, { items });
    }
    const match = /^\/api\/v1\/applications\/([^/]+)$/.exec(url.pathname);
    const app = match ? apps.find((a) => a.name === decodeURIComponent(match[1] ?? '')) : undefined;
    if (app === undefined)
      return send(404, { error: `applications.argoproj.io "${match?.[1]}" not found`, code: 5, message: `applications.argoproj.io "${match?.[1]}" not found` });
    if (url.searchParams.has('refresh')) refreshes.push({ app: app.name, mode: url.searchParams.get('refresh') ?? '' });
    // An Application's status as the API returns it: status.sync.{status,revision}, status.health.status.
    const status = statuses.get(app.name) ?? { sync: 'OutOfSync', health: 'Healthy' };
    return send(200, {
      metadata: { name: app.name },
      spec: { source: { repoURL: app.repoURL, path: app.path } },
      status: { sync: { status: status.sync, ...(status.revision ? { revision: status.revision } : {}) }, health: { status: status.health } },
    });
  });
  const local = await listenLocal(server);
  return {
    url: `${local.origin}`,
    token,
    refreshes,
    setStatus: (app, status) => statuses.set(app, status),
    close: local.close,
  };
}
