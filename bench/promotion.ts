import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Lexer } from 'yaml';
import { type EditSpec, PromotionConfigSchema } from '../lambdas/core/config/promotion-config';
import { type ImageUpdate, planPromotions } from '../lambdas/core/promotion/plan-promotions';
import { editsForSite, findImageSites } from '../lambdas/core/yaml/image-sites';
import { applyScalarEdits } from '../lambdas/core/yaml/scalar-splice';
import { createYamlReader } from '../lambdas/core/yaml/yaml-reader';
import type { FloorRow } from './end-to-end';
import { quantile } from './stats';
import { largeValuesFile, wideValuesFile } from './values-files';

/** Median of `runs` timings of `figure` and of `floor`, taken in turns so that both see the same machine. */
function sideBySide(figure: () => unknown, floor: () => unknown, runs: number): { figure: number; floor: number } {
  for (let i = 0; i < 3; i += 1) {
    figure();
    floor();
  }
  const figures: number[] = [];
  const floors: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    let start = performance.now();
    figure();
    figures.push(performance.now() - start);
    start = performance.now();
    floor();
    floors.push(performance.now() - start);
  }
  return { figure: quantile(figures, 0.5), floor: quantile(floors, 0.5) };
}

/** yaml's Lexer alone over a text: the floor of anything that reads YAML. */
function lexOnly(text: string): number {
  let tokens = 0;
  for (const _ of new Lexer().lex(text)) tokens += 1;
  return tokens;
}

const ms = (value: number): string => `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
const lines = (text: string): string => (text.split('\n').length - 1).toLocaleString('en-US');

/** One bump as the promoter does it: find the sites in the file's text, splice the new tag in. */
function bump(text: string, spec: EditSpec, image: string, tag: string): string {
  const sites = findImageSites(text, 'values.yaml', spec, image);
  if (sites.length !== 1) throw new Error(`expected one site for ${image}, found ${sites.length}`);
  const after = applyScalarEdits(
    text,
    sites.flatMap((s) => editsForSite(s, { tag, digestMode: 'none' })),
  );
  if (after === text) throw new Error('bump did not change the file');
  return after;
}

const ARGO_CD_VALUES = 'test/fixtures/helm/argo-cd-values.yaml';

/**
 * The bump engine beside its floor, yaml's Lexer alone on the same text, in
 * one run: the argo-cd chart's real values.yaml, the synthetic 5,000-line
 * file, growth from 5,000 to 100,000 lines, and a plan of 20 targets in one
 * file; then planning very large files in fresh processes.
 */
export function benchBumpEngine(runs = 30): { floorRows: FloorRow[]; rows: Array<[string, string]> } {
  const argo = readFileSync(ARGO_CD_VALUES, 'utf8');
  const redis = { kind: 'helm' as const, tagPath: 'redis.image.tag', repositoryPath: 'redis.image.repository' };
  const argoTimes = sideBySide(
    () => bump(argo, redis, 'public.ecr.aws/docker/library/redis', '7.4.3-alpine'),
    () => lexOnly(argo),
    runs,
  );

  const synthetic = largeValuesFile(5000);
  const middle = 150;
  const middleSpec = { kind: 'helm' as const, tagPath: `component${middle}.image.tag` };
  const syntheticTimes = sideBySide(
    () => bump(synthetic, middleSpec, `ghcr.io/example/component-${middle}`, '9.9.9'),
    () => lexOnly(synthetic),
    runs,
  );

  // Growth: the last component of a 100,000-line file, against µs per line at 5,000 lines.
  const huge = largeValuesFile(100_000);
  const last = Math.floor((100_000 - 4) / 16) - 1;
  const hugeTimes = sideBySide(
    () => bump(huge, { kind: 'helm', tagPath: `component${last}.image.tag` }, `ghcr.io/example/component-${last}`, '9.9.9'),
    () => lexOnly(huge),
    5,
  );
  const perLine5k = (syntheticTimes.figure * 1000) / 5000;
  const perLine100k = (hugeTimes.figure * 1000) / 100_000;

  const shared = benchTargetsInOneFile(synthetic, 20, runs);

  const bumps: FloorRow[] = [
    {
      name: `bump, argo-cd values.yaml (${lines(argo)} lines)`,
      value: argoTimes.figure,
      floor: argoTimes.floor,
      unit: 'ms',
      note: "yaml's Lexer on the same file",
    },
    {
      name: `bump, synthetic values file (${lines(synthetic)} lines)`,
      value: syntheticTimes.figure,
      floor: syntheticTimes.floor,
      unit: 'ms',
      note: "yaml's Lexer on the same file",
    },
    {
      name: 'bump, growth: µs per line at 100,000 lines',
      value: perLine100k,
      floor: perLine5k,
      unit: 'µs/line',
      note: `µs per line at 5,000 lines (100,000 lines: ${ms(hugeTimes.figure)}, Lexer ${ms(hugeTimes.floor)})`,
    },
    {
      name: `planning 20 targets in one ${lines(synthetic)}-line file`,
      value: shared.plan,
      floor: shared.oneBump,
      unit: 'ms',
      note: `one bump of that file; the plan read it ${shared.reads} time(s)`,
    },
  ].map((row) => ({ ...row, ratio: row.value / row.floor }));
  return { floorRows: bumps, rows: benchLargeFiles() };
}

/** A plan of `targets` components of one file, each bumped by its own event, beside one bump of that file. */
function benchTargetsInOneFile(text: string, targets: number, runs: number): { reads: number; plan: number; oneBump: number } {
  // Spread over the file: the first, the last and those between.
  const components = Math.floor((text.split('\n').length - 5) / 16);
  const picked = Array.from({ length: targets }, (_, i) => Math.floor((i * (components - 1)) / (targets - 1)));
  const config = PromotionConfigSchema.parse({
    repositories: [{ name: 'gitops', provider: 'git', url: '/dev/null' }],
    images: picked.map((n) => ({
      image: `ghcr.io/example/component-${n}`,
      policy: 'semver:*',
      targets: [{ repository: 'gitops', file: 'umbrella/values.yaml', environment: 'prod', edit: { kind: 'helm', tagPath: `component${n}.image.tag` } }],
    })),
  });
  let run = 0;
  let reads = 0;
  const plan = () => {
    run += 1;
    const yaml = createYamlReader();
    const result = planPromotions({
      config,
      updates: picked.map((n) => ({
        image: `ghcr.io/example/component-${n}`,
        tag: `2.${n}.${run}`,
        pushedAt: '2026-11-23T08:00:00.000Z',
        source: 'bench',
        envelopeId: `e${n}`,
      })),
      fileOf: () => ({ kind: 'text', text }),
      stateOf: () => undefined,
      pushedAtOf: () => undefined,
      yaml,
    });
    if (result.changes[0]?.promotions.length !== targets) throw new Error(`expected ${targets} promotions`);
    reads = yaml.reads;
  };
  const first = picked[0] ?? 0;
  const times = sideBySide(
    plan,
    () => bump(text, { kind: 'helm', tagPath: `component${first}.image.tag` }, `ghcr.io/example/component-${first}`, '9.9.9'),
    runs,
  );
  return { reads, plan: times.figure, oneBump: times.floor };
}

/**
 * Planning `events` image pushes over `services` images (two targets each,
 * one small values file per target) against the goal. Each run
 * parses the config again and pushes other tags, so that what planning keeps
 * per config, image and tag is worked out anew: JIT warm, caches cold.
 */
export function benchPlanning(): FloorRow[] {
  const rows: FloorRow[] = [];
  for (const [events, services, goal] of [
    [10_000, 100, 100],
    [1_000, 1_000, 300],
  ] as const) {
    // Untimed runs of the same shape first: the figures are those of a warm function.
    for (let run = 101; run <= 103; run += 1) planOnce(events, services, run);
    const samples: number[] = [];
    let changes = 0;
    for (let run = 1; run <= 7; run += 1) {
      const result = planOnce(events, services, run);
      samples.push(result.ms);
      changes = result.changes;
    }
    const median = quantile(samples, 0.5);
    rows.push({
      name: `planning ${events.toLocaleString('en-US')} events × ${services.toLocaleString('en-US')} images (2 targets each, ${changes.toLocaleString('en-US')} changes)`,
      value: median,
      floor: goal,
      unit: 'ms',
      ratio: median / goal,
      note: 'the goal, not a measured floor',
    });
  }
  return rows;
}

function planOnce(events: number, services: number, run: number): { ms: number; changes: number } {
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
    tag: `1.${run}.${Math.floor(i / services) + 1}`,
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
  const elapsed = performance.now() - start;
  const promotions = plan.changes.reduce((n, c) => n + c.promotions.length, 0);
  if (promotions !== services * 2) throw new Error(`expected ${services * 2} promotions, got ${promotions}`);
  return { ms: elapsed, changes: plan.changes.length };
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
