import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clusterHttps } from '../../../../lambdas/clients/eks/cluster-https';
import { EksArgoCdClient, type EksArgoCdClientOptions } from '../../../../lambdas/clients/eks/eks-argocd-client';
import { EKS_TOKEN_PREFIX, eksTokenSource } from '../../../../lambdas/clients/eks/eks-token';
import { TerminalError, UnavailableError } from '../../../../lambdas/shared/errors';
import { applicationFixture, type FakeEksApiServer, startFakeEksApiServer } from '../../../support/fake-eks-api-server';
import { rejectionOf } from '../../../support/rejection-of';
import { makeTestCertificates, type TestCertificates } from '../../../support/test-ca';

/** AWS's documentation example key pair; never valid anywhere. */
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token-example' };
const REPO = 'https://github.com/acme/gitops.git';
const APP_PATH = '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications';

const eks = mockClient(EKSClient);
let certs: TestCertificates;
let strangerCerts: TestCertificates;
let api: FakeEksApiServer;

beforeAll(() => {
  // Two CAs: the cluster's, and another whose certificate the client must refuse.
  certs = makeTestCertificates();
  strangerCerts = makeTestCertificates();
});

beforeEach(async () => {
  api = await startFakeEksApiServer(certs);
  api.applications.set('api-dev', applicationFixture('api-dev'));
  eks.reset();
  // DescribeCluster as EKS answers it: the endpoint and the CA's PEM, base64.
  eks.on(DescribeClusterCommand, { name: 'hoist-platform' }).resolves({
    cluster: { name: 'hoist-platform', status: 'ACTIVE', endpoint: api.endpoint, certificateAuthority: { data: Buffer.from(certs.ca).toString('base64') } },
  });
});

afterEach(async () => {
  await api.close();
});

afterAll(() => {
  eks.restore();
});

function clientWith(options: Partial<EksArgoCdClientOptions> = {}): EksArgoCdClient {
  return new EksArgoCdClient({
    clusterName: 'hoist-platform',
    region: 'eu-west-1',
    eks: new EKSClient({ region: 'eu-west-1' }),
    token: eksTokenSource({ clusterName: 'hoist-platform', region: 'eu-west-1', credentials: async () => CREDENTIALS }),
    fetch: clusterHttps({ timeoutMs: 5000 }),
    ...options,
  });
}

/** Every bearer token the fake API server was sent. */
const tokensSent = () => api.requests.map((r) => String(r.headers.authorization).replace(/^Bearer /, ''));

describe('EksArgoCdClient: applicationStatus', () => {
  it('reads status.sync and status.health of the Application with an EKS bearer token', async () => {
    const status = await clientWith().applicationStatus('api-dev');

    expect(status).toEqual({ sync: 'Synced', revision: '9f2c1e7a4b3d5e6f708192a3b4c5d6e7f8091a2b', health: 'Healthy' });
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET ${APP_PATH}/api-dev`]);
    const [token] = tokensSent();
    expect(token?.startsWith(EKS_TOKEN_PREFIX)).toBe(true);
    const url = new URL(Buffer.from(token?.slice(EKS_TOKEN_PREFIX.length) ?? '', 'base64url').toString('utf8'));
    expect(url.host).toBe('sts.eu-west-1.amazonaws.com');
    expect(url.searchParams.get('Action')).toBe('GetCallerIdentity');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
    expect(url.searchParams.get('X-Amz-SignedHeaders')?.split(';')).toContain('x-k8s-aws-id');
  });

  it('answers undefined for an Application the namespace does not have (404 NotFound)', async () => {
    expect(await clientWith().applicationStatus('nope')).toBeUndefined();
    expect(api.requests).toHaveLength(1);
  });

  it('reports Unknown for an Application the controller has not reconciled yet', async () => {
    const fresh = applicationFixture('fresh');
    delete fresh.status;
    api.applications.set('fresh', fresh);
    expect(await clientWith().applicationStatus('fresh')).toEqual({ sync: 'Unknown', health: 'Unknown' });
  });

  it('describes the cluster once per instance and reuses the token', async () => {
    const client = clientWith();
    await client.applicationStatus('api-dev');
    await client.applicationStatus('api-dev');
    await client.findApplications(REPO, 'apps/api/dev/kustomization.yaml');
    expect(eks.commandCalls(DescribeClusterCommand)).toHaveLength(1);
    expect(new Set(tokensSent()).size).toBe(1);
  });

  it('looks in the configured namespace', async () => {
    await api.close();
    api = await startFakeEksApiServer(certs, 'gitops');
    api.applications.set('api-dev', applicationFixture('api-dev'));
    eks.on(DescribeClusterCommand).resolves({ cluster: { endpoint: api.endpoint, certificateAuthority: { data: Buffer.from(certs.ca).toString('base64') } } });
    expect(await clientWith({ namespace: 'gitops' }).applicationStatus('api-dev')).toMatchObject({ sync: 'Synced' });
    expect(api.requests[0]?.path).toBe('/apis/argoproj.io/v1alpha1/namespaces/gitops/applications/api-dev');
  });
});

describe('EksArgoCdClient: refresh', () => {
  it('merge-patches the refresh annotation, and nothing else without sync', async () => {
    await clientWith({ refresh: 'hard' }).refresh('api-dev');

    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`PATCH ${APP_PATH}/api-dev`]);
    expect(api.requests[0]?.headers['content-type']).toBe('application/merge-patch+json');
    expect(JSON.parse(api.requests[0]?.body ?? '')).toEqual({ metadata: { annotations: { 'argocd.argoproj.io/refresh': 'hard' } } });
    const stored = api.applications.get('api-dev') as {
      metadata: { annotations: Record<string, string>; labels: Record<string, string> };
      operation?: unknown;
    };
    expect(stored.metadata.annotations).toEqual({ 'argocd.argoproj.io/refresh': 'hard' });
    // A merge patch leaves the rest of the object alone.
    expect(stored.metadata.labels).toEqual({ 'app.kubernetes.io/part-of': 'api' });
    expect(stored.operation).toBeUndefined();
  });

  it('defaults to a normal refresh', async () => {
    await clientWith().refresh('api-dev');
    expect(JSON.parse(api.requests[0]?.body ?? '')).toEqual({ metadata: { annotations: { 'argocd.argoproj.io/refresh': 'normal' } } });
  });

  it('with sync, starts a sync operation in the same patch, guarded by the resourceVersion it read', async () => {
    await clientWith({ sync: true }).refresh('api-dev');

    expect(api.requests.map((r) => r.method)).toEqual(['GET', 'PATCH']);
    expect(JSON.parse(api.requests[1]?.body ?? '')).toEqual({
      metadata: { annotations: { 'argocd.argoproj.io/refresh': 'normal' }, resourceVersion: '184467' },
      operation: { initiatedBy: { username: 'hoist' }, sync: { prune: false } },
    });
    expect(api.applications.get('api-dev')?.operation).toEqual({ initiatedBy: { username: 'hoist' }, sync: { prune: false } });
  });

  it('with sync, leaves an operation already under way alone and only refreshes', async () => {
    const running = { ...applicationFixture('api-dev'), operation: { initiatedBy: { automated: true }, sync: { revision: 'abc' } } };
    api.applications.set('api-dev', running);
    await clientWith({ sync: true }).refresh('api-dev');
    expect(JSON.parse(api.requests[1]?.body ?? '')).toEqual({ metadata: { annotations: { 'argocd.argoproj.io/refresh': 'normal' } } });
    expect(api.applications.get('api-dev')?.operation).toEqual({ initiatedBy: { automated: true }, sync: { revision: 'abc' } });
  });

  it('answers UnavailableError (worth a retry) when the Application changed between read and patch (409)', async () => {
    const client = clientWith({ sync: true });
    // Someone else's change lands between the GET and the PATCH: the fake bumps the version on the GET's heels.
    const original = api.applications.get.bind(api.applications);
    let reads = 0;
    api.applications.get = (name: string) => {
      const app = original(name);
      reads += 1;
      if (reads === 2 && app !== undefined) return { ...app, metadata: { ...(app.metadata as object), resourceVersion: '999999' } };
      return app;
    };
    const error = await rejectionOf(client.refresh('api-dev'));
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error.message).toMatch(/refused patching application api-dev \(409: Operation cannot be fulfilled/);
  });

  it('answers TerminalError for an Application that does not exist', async () => {
    const error = await rejectionOf(clientWith().refresh('nope'));
    expect(error).toBeInstanceOf(TerminalError);
    expect(error.message).toBe('EKS cluster hoist-platform has no Argo CD application nope in namespace argocd');
  });
});

describe('EksArgoCdClient: findApplications', () => {
  beforeEach(() => {
    api.applications.set('api-prod', applicationFixture('api-prod', { path: 'apps/api/prod' }));
    api.applications.set('other-repo', applicationFixture('other-repo', { repoURL: 'https://github.com/acme/other.git' }));
    api.applications.set('root', applicationFixture('root', { path: 'apps/' }));
    const multi = applicationFixture('multi');
    const spec = multi.spec as Record<string, unknown>;
    delete spec.source;
    spec.sources = [
      { repoURL: 'https://charts.example.com', chart: 'api', targetRevision: '1.2.3' },
      { repoURL: REPO, path: 'values/api', targetRevision: 'main', ref: 'values' },
    ];
    api.applications.set('multi', multi);
  });

  it('lists the Applications whose source is this repository and whose path the file lies under', async () => {
    const client = clientWith();
    expect((await client.findApplications(REPO, 'apps/api/dev/values.yaml')).sort()).toEqual(['api-dev', 'root']);
    expect((await client.findApplications(REPO, 'values/api/prod.yaml')).sort()).toEqual(['multi']);
    expect(await client.findApplications('https://github.com/acme/elsewhere.git', 'apps/api/dev/values.yaml')).toEqual([]);
    expect(api.requests[0]?.path).toBe(`${APP_PATH}?limit=500`);
  });

  it('follows the continue token past the first page', async () => {
    for (let i = 0; i < 501; i += 1) api.applications.set(`svc-${i}`, applicationFixture(`svc-${i}`, { path: `apps/svc-${i}` }));
    // `root` (path apps/) holds every svc-N directory too.
    expect((await clientWith().findApplications(REPO, 'apps/svc-500/values.yaml')).sort()).toEqual(['root', 'svc-500']);
    expect(api.requests.map((r) => r.path)).toEqual([`${APP_PATH}?limit=500`, `${APP_PATH}?limit=500&continue=500`]);
  });
});

describe('EksArgoCdClient: refusals', () => {
  it('names the missing access entry on 401, after one retry with a fresh token, and never quotes the token', async () => {
    api.identity = 'unknown';
    const error = await rejectionOf(clientWith().applicationStatus('api-dev'));
    expect(error).toBeInstanceOf(TerminalError);
    expect(error.message).toBe(
      "EKS cluster hoist-platform refused reading application api-dev (401: Unauthorized): it does not know the function's IAM role; the role needs an EKS access entry on the cluster (type STANDARD, Kubernetes group hoist:argocd), which the automation stack creates when argocd.eks is configured",
    );
    expect(api.requests).toHaveLength(2);
    for (const token of tokensSent()) expect(error.message).not.toContain(token.slice(EKS_TOKEN_PREFIX.length, EKS_TOKEN_PREFIX.length + 40));
  });

  it('names the Role and RoleBinding on 403', async () => {
    api.identity = 'unbound';
    const error = await rejectionOf(clientWith().findApplications(REPO, 'apps/api/dev/values.yaml'));
    expect(error).toBeInstanceOf(TerminalError);
    expect(error.message).toMatch(
      /^EKS cluster hoist-platform refused listing applications \(403: applications\.argoproj\.io is forbidden: User .* cannot list resource "applications"/,
    );
    expect(error.message).toMatch(
      /: the group hoist:argocd needs a Role in namespace argocd allowing get, list and patch on applications\.argoproj\.io and a RoleBinding to it/,
    );
    expect(api.requests).toHaveLength(1);
    expect(error.message).not.toContain(EKS_TOKEN_PREFIX);
  });

  it('refuses a server whose certificate is not from the cluster CA, without sending the token', async () => {
    await api.close();
    api = await startFakeEksApiServer(strangerCerts);
    api.applications.set('api-dev', applicationFixture('api-dev'));
    eks.on(DescribeClusterCommand).resolves({ cluster: { endpoint: api.endpoint, certificateAuthority: { data: Buffer.from(certs.ca).toString('base64') } } });

    const error = await rejectionOf(clientWith().applicationStatus('api-dev'));
    expect(error).toBeInstanceOf(TerminalError);
    expect(error.message).toMatch(/the API server's certificate is not one the cluster's CA issued for its endpoint \([A-Z_]+\); refusing to send the token$/);
    expect(api.requests).toHaveLength(0);
  });

  it("does not fall back to the system store: a CA other than the cluster's is all it trusts", async () => {
    // The server's own CA is trusted here, the cluster's is not: the reverse of the previous test.
    eks
      .on(DescribeClusterCommand)
      .resolves({ cluster: { endpoint: api.endpoint, certificateAuthority: { data: Buffer.from(strangerCerts.ca).toString('base64') } } });
    const error = await rejectionOf(clientWith().applicationStatus('api-dev'));
    expect(error).toBeInstanceOf(TerminalError);
    expect(api.requests).toHaveLength(0);
  });

  it('answers TerminalError for a cluster EKS does not know or the role may not describe, UnavailableError for one still being created', async () => {
    eks.on(DescribeClusterCommand).rejects(Object.assign(new Error('No cluster found for name: hoist-platform.'), { name: 'ResourceNotFoundException' }));
    let error = await rejectionOf(clientWith().applicationStatus('api-dev'));
    expect(error).toBeInstanceOf(TerminalError);
    expect(error.message).toBe('no EKS cluster named hoist-platform in eu-west-1 (argocd.eks.clusterName)');

    eks.on(DescribeClusterCommand).rejects(Object.assign(new Error('not authorized to perform: eks:DescribeCluster'), { name: 'AccessDeniedException' }));
    error = await rejectionOf(clientWith().applicationStatus('api-dev'));
    expect(error.message).toBe("the function's role may not describe EKS cluster hoist-platform; it needs eks:DescribeCluster on that cluster");

    eks.on(DescribeClusterCommand).resolves({ cluster: { status: 'CREATING' } });
    error = await rejectionOf(clientWith().applicationStatus('api-dev'));
    expect(error).toBeInstanceOf(UnavailableError);
    expect(api.requests).toHaveLength(0);
  });

  it('describes the cluster again after a failed DescribeCluster', async () => {
    const client = clientWith();
    eks
      .on(DescribeClusterCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .resolves({ cluster: { endpoint: api.endpoint, certificateAuthority: { data: Buffer.from(certs.ca).toString('base64') } } });
    expect(await rejectionOf(client.applicationStatus('api-dev'))).toBeInstanceOf(UnavailableError);
    expect(await client.applicationStatus('api-dev')).toMatchObject({ health: 'Healthy' });
  });

  it('answers UnavailableError when the endpoint does not answer', async () => {
    await api.close();
    const error = await rejectionOf(clientWith().applicationStatus('api-dev'));
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error.message).toMatch(/^EKS cluster hoist-platform could not be reached: 127\.0\.0\.1:\d+: connect ECONNREFUSED/);
  });
});
