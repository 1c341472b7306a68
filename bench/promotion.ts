import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startDevServer } from '../dev/dev-server';
import { createLocalPromoter } from '../dev/dev-wiring';
import { ensureEmbeddedGitops } from '../dev/embedded-gitops';
import { PromotionConfigSchema } from '../lambdas/core/config/promotion-config';
import { type ImageUpdate, planPromotions } from '../lambdas/core/promotion/plan-promotions';
import { currentVersionOf, editsForSite, findImageSites, type ImageSite } from '../lambdas/core/yaml/image-sites';
import { applyScalarEdits } from '../lambdas/core/yaml/scalar-splice';
import { quantile } from './stats';

/**
 * A values file shaped like a large public chart's (Argo CD's is about 4,000
 * lines): many components, each with an image block, resources, probes,
 * comments and blank lines. `lines` sets its length.
 */
export function largeValuesFile(lines: number): string {
  const out: string[] = ['# Generated benchmark values, shaped like a large umbrella chart.', 'global:', '  imageRegistry: ""', ''];
  for (let i = 0; out.length < lines; i += 1) {
    out.push(
      `## Component ${i}`,
      `component${i}:`,
      '  enabled: true',
      '  replicas: 2',
      '  image:',
      `    repository: ghcr.io/example/component-${i}`,
      `    tag: "1.${i}.0"  # pinned`,
      '    pullPolicy: IfNotPresent',
      '  resources:',
      '    requests: { cpu: 100m, memory: 128Mi }',
      '    limits: { memory: 256Mi }',
      '  livenessProbe:',
      '    httpGet: { path: /healthz, port: http }',
      '    initialDelaySeconds: 10',
      '  extraArgs: []',
      '',
    );
  }
  return `${out.slice(0, lines).join('\n')}\n`;
}

export function benchBumpEngine(runs = 50): Array<[string, string]> {
  const text = largeValuesFile(5000);
  const middle = Math.floor(text.split('\n').length / 16 / 2);
  const spec = { kind: 'helm' as const, tagPath: `component${middle}.image.tag` };
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    const sites = findImageSites(text, 'values.yaml', spec, `ghcr.io/example/component-${middle}`);
    const after = applyScalarEdits(
      text,
      sites.flatMap((s) => editsForSite(s, { tag: `9.${i}.0`, digestMode: 'none' })),
    );
    samples.push(performance.now() - start);
    if (after.length === text.length || currentVersionOf(sites[0] as ImageSite).tag !== `1.${middle}.0`) throw new Error('bump did not change the file');
  }
  return [
    ['bump engine, 5,000-line values file, p50', `${quantile(samples, 0.5).toFixed(2)} ms`],
    ['bump engine, 5,000-line values file, p99', `${quantile(samples, 0.99).toFixed(2)} ms`],
    ...benchLargeFiles(),
  ];
}

export function benchPlanning(events = 1000, services = 100): Array<[string, string]> {
  const config = PromotionConfigSchema.parse({
    repositories: [{ name: 'gitops', provider: 'git', url: '/dev/null' }],
    images: Array.from({ length: services }, (_, s) => ({
      image: `ghcr.io/example/svc-${s}`,
      policy: 'semver:^1',
      targets: ['dev', 'prod'].map((environment) => ({
        repository: 'gitops',
        file: `apps/svc-${s}/${environment}/values.yaml`,
        environment,
        mode: environment === 'dev' ? 'commit' : 'pull-request',
      })),
    })),
  });
  const files = new Map<string, string>();
  for (let s = 0; s < services; s += 1) {
    for (const environment of ['dev', 'prod'])
      files.set(`apps/svc-${s}/${environment}/values.yaml`, `image:\n  repository: ghcr.io/example/svc-${s}\n  tag: 1.0.0\n`);
  }
  const updates: ImageUpdate[] = Array.from({ length: events }, (_, i) => ({
    image: `ghcr.io/example/svc-${i % services}`,
    tag: `1.0.${Math.floor(i / services) + 1}`,
    pushedAt: new Date(Date.UTC(2026, 10, 23, 8, 0, i)).toISOString(),
    source: 'bench',
    envelopeId: `e${i}`,
  }));
  const start = performance.now();
  const plan = planPromotions({
    config,
    updates,
    fileOf: (_repo, _branch, path) => {
      const text = files.get(path);
      return text === undefined ? { kind: 'missing' } : { kind: 'text', text };
    },
    stateOf: () => undefined,
    pushedAtOf: () => undefined,
  });
  const ms = performance.now() - start;
  const promotions = plan.changes.reduce((n, c) => n + c.promotions.length, 0);
  if (promotions !== services * 2) throw new Error(`expected ${services * 2} promotions, got ${promotions}`);
  return [[`planning ${events} events (${services} images × 2 targets) into ${plan.changes.length} changes`, `${ms.toFixed(1)} ms`]];
}

/** Wall time from the HTTP POST of an ECR event to the pushed commit on the embedded repository. */
export async function benchEndToEnd(runs = 30): Promise<Array<[string, string]>> {
  const embedded = ensureEmbeddedGitops(mkdtempSync(join(tmpdir(), 'hoist-bench-e2e-')));
  const promoter = createLocalPromoter({ configPath: embedded.configPath, env: {} });
  const server = await startDevServer({ port: 0, env: {}, consume: promoter.consume, workOf: promoter.workOf });
  const template = JSON.parse(readFileSync('dev/examples/ecr-push.json', 'utf8')) as { id: string; detail: Record<string, string> };
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const tag = `1.5.${i}`;
    const event = { ...template, id: `bench-${i}`, detail: { ...template.detail, 'image-tag': tag } };
    const start = performance.now();
    const res = await fetch(`${server.url}/events/ecr`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });
    if (res.status !== 202) throw new Error(`status ${res.status}`);
    await server.queue.drain();
    samples.push(performance.now() - start);
    const values = execFileSync('git', ['--git-dir', embedded.bareRepo, 'show', 'main:apps/api/dev/values.yaml'], { encoding: 'utf8' });
    if (!values.includes(`tag: ${tag}`)) throw new Error(`commit for ${tag} not found`);
  }
  await server.close();
  return [
    ['end to end: ECR event → pushed commit (embedded repo), p50', `${quantile(samples, 0.5).toFixed(0)} ms`],
    ['end to end: ECR event → pushed commit (embedded repo), p99', `${quantile(samples, 0.99).toFixed(0)} ms`],
  ];
}

/**
 * A values file with `keys` top-level keys and, after them, the image block:
 * the shape that makes a per-key scan of its mapping quadratic.
 */
export function wideValuesFile(keys: number): string {
  const out: string[] = ['# Generated benchmark values: one very wide mapping.'];
  for (let i = 0; i < keys; i += 1) out.push(`key${i}: value-${i}`);
  out.push('image:', '  repository: ghcr.io/example/app', '  tag: 1.0.0', '');
  return out.join('\n');
}

const LARGE_FILES = {
  '10k': () => ({ shape: '10,000 keys', text: wideValuesFile(10_000), tagPath: 'image.tag', image: 'ghcr.io/example/app' }),
  '80k': () => ({ shape: '80,000 keys', text: wideValuesFile(80_000), tagPath: 'image.tag', image: 'ghcr.io/example/app' }),
  '1m': () => ({ shape: '1,000,000 keys', text: wideValuesFile(1_000_000), tagPath: 'image.tag', image: 'ghcr.io/example/app' }),
  // The umbrella-chart shape, bumping its last component.
  '10mb': () => ({
    shape: '25,000 components',
    text: largeValuesFile(400_000),
    tagPath: 'component24999.image.tag',
    image: 'ghcr.io/example/component-24999',
  }),
} as const;
type LargeFile = keyof typeof LARGE_FILES;

interface LargeFileFigures {
  readonly shape: string;
  readonly bytes: number;
  readonly ms: number;
  readonly peakRssMiB: number;
}

/** Plans one bump of `file` in this process; run in a fresh process so that its peak RSS is this plan's alone. */
function planLargeFile(file: LargeFile): LargeFileFigures {
  const { shape, text, tagPath, image } = LARGE_FILES[file]();
  const config = PromotionConfigSchema.parse({
    repositories: [{ name: 'gitops', provider: 'git', url: '/dev/null' }],
    images: [
      {
        image,
        policy: 'semver:*',
        targets: [{ repository: 'gitops', file: 'values.yaml', environment: 'dev', mode: 'commit', edit: { kind: 'helm', tagPath } }],
      },
    ],
  });
  const update: ImageUpdate = { image, tag: '9.9.9', pushedAt: '2026-11-23T08:00:00.000Z', source: 'bench', envelopeId: 'e0' };
  globalThis.gc?.();
  // An upper bound: were planning to peak lower than loading or building the text did, this would be that earlier peak.
  const baseline = process.memoryUsage().rss;
  const start = performance.now();
  const plan = planPromotions({ config, updates: [update], fileOf: () => ({ kind: 'text', text }), stateOf: () => undefined, pushedAtOf: () => undefined });
  const ms = performance.now() - start;
  const peak = process.resourceUsage().maxRSS * 1024 - baseline;
  const promotions = plan.changes.flatMap((c) => c.promotions);
  if (promotions.length !== 1) throw new Error(`expected one promotion, got ${promotions.length}`);
  return {
    shape,
    bytes: Buffer.byteLength(text),
    ms,
    peakRssMiB: peak / 2 ** 20,
  };
}

/**
 * Planning time and peak RSS above the starting resident size for very large
 * values files, each planned in a fresh process. Time and memory that grow
 * with the file's size, not with its square, show in the figures.
 */
export function benchLargeFiles(timeoutMs = 300_000): Array<[string, string]> {
  const self = fileURLToPath(import.meta.url);
  return (Object.keys(LARGE_FILES) as LargeFile[]).map((file): [string, string] => {
    let figures: LargeFileFigures;
    try {
      const out = execFileSync(process.execPath, [...process.execArgv, '--expose-gc', self, 'plan-large-file', file], {
        env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
        timeout: timeoutMs,
        maxBuffer: 1 << 20,
      });
      figures = JSON.parse(out.toString()) as LargeFileFigures;
    } catch (error) {
      const killed = (error as { signal?: string }).signal === 'SIGTERM';
      return [`planning a large values file (${file})`, killed ? `did not finish in ${timeoutMs / 1000} s` : `failed: ${String(error).split('\n')[0]}`];
    }
    const mb = (figures.bytes / 1e6).toFixed(1);
    return [
      `planning one bump in a values file of ${figures.shape} (${mb} MB): time / peak RSS delta`,
      `${Math.round(figures.ms).toLocaleString('en-US')} ms / ${figures.peakRssMiB.toFixed(0)} MiB`,
    ];
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === 'plan-large-file') {
  const file = process.argv[3] ?? '';
  if (!(file in LARGE_FILES)) throw new Error(`no large file '${file}'; one of ${Object.keys(LARGE_FILES).join(', ')}`);
  process.stdout.write(JSON.stringify(planLargeFile(file as LargeFile)));
}
