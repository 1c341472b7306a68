import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { parsePromotionConfig } from '../lambdas/core/config/parse-promotion-config';
import { buildHoistApp } from '../lib/build-app';
import { loadHoistConfig } from '../lib/config/hoist-config';
import { bundleHandler } from '../lib/constructs/hoist-function';
import type { FloorRow } from './end-to-end';
import { quantile } from './stats';

/** Variables a handler reads at import; the values only have to pass validation. */
const IMPORT_ENV = {
  AWS_REGION: 'eu-west-1',
  HOIST_EVENT_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/hoist-events.fifo',
  HOIST_TABLE_NAME: 'hoist-state',
  HOIST_WEBHOOK_SECRET_ID_GITHUB: 'hoist/webhooks/github',
  HOIST_SECRET_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/hoist-secrets.fifo',
  HOIST_GATE_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/hoist-gates',
  HOIST_SECRET_PREFIXES: 'hoist/apps/',
  HOIST_DEAD_LETTER_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/hoist-events-dlq.fifo',
  HOIST_PROMOTION_SECRET_ID: 'hoist/promotions/client',
  HOIST_ECR_REPOSITORIES: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
};

interface Bundle {
  readonly name: string;
  readonly dir: string;
  /** The function's own variables in the template (the config's digest among them). */
  readonly env: Record<string, string>;
}

/**
 * Synthesizes the automation stack exactly as `cdk synth` does, then, for each
 * function's bundle, reports its size and the time a fresh Node process takes
 * to import it (the module-load part of a cold start), beside the floor: a
 * bundle of an SQS client and Powertools' Logger alone (bench/cold-start-floor.ts),
 * built the same way and imported in alternation with it.
 */
export function benchBundles(runs = 11): { sizes: Array<[string, string]>; imports: FloorRow[] } {
  const outdir = mkdtempSync(join(tmpdir(), 'hoist-bench-'));
  const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
  // The shipped config with its secrets: example uncommented, so the secrets functions are measured too.
  const configPath = join(outdir, 'hoist.config.yaml');
  writeFileSync(
    configPath,
    readFileSync('hoist.config.yaml', 'utf8')
      .replace(/^# secrets:/m, 'secrets:')
      .replace(/^# {3}/gm, '  '),
  );
  const config = loadHoistConfig(configPath);
  const promotion = parsePromotionConfig(readFileSync(configPath, 'utf8'), configPath);
  const { automation } = buildHoistApp(app, config, config.sourceFile, { account: '123456789012', region: 'eu-west-1' }, promotion);
  app.synth();
  const template = JSON.parse(readFileSync(join(outdir, `${automation.stackName}.template.json`), 'utf8')) as {
    Resources: Record<string, { Type: string; Metadata?: Record<string, string>; Properties?: { Environment?: { Variables?: Record<string, unknown> } } }>;
  };
  const bundles: Bundle[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const assetPath = resource.Metadata?.['aws:asset:path'];
    if (resource.Type !== 'AWS::Lambda::Function' || assetPath === undefined) continue;
    // Plain strings only: queue URLs and table names are tokens in the template, IMPORT_ENV stands in for them.
    // NODE_OPTIONS (source maps) is left out, as for the floor: both are measured alike.
    const env = Object.fromEntries(
      Object.entries(resource.Properties?.Environment?.Variables ?? {}).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string' && entry[0] !== 'NODE_OPTIONS',
      ),
    );
    // WebhooksHandlerFunction1A2B3C4D -> Webhooks
    bundles.push({ name: logicalId.replace(/HandlerFunction[0-9A-F]{8}$/, ''), dir: join(outdir, assetPath), env });
  }
  const floorDir = join(outdir, 'floor');
  bundleHandler(resolve('bench/cold-start-floor.ts'), floorDir);
  const floor: Bundle = { name: 'floor', dir: floorDir, env: {} };

  const sizes: Array<[string, string]> = [];
  const imports: FloorRow[] = [];
  for (const bundle of bundles) {
    const samples: number[] = [];
    const floors: number[] = [];
    // One discarded run first: the figure is module load, not the first read from disk.
    for (let i = -1; i < runs; i += 1) {
      const own = importMs(bundle);
      const least = importMs(floor);
      if (i < 0) continue;
      samples.push(own);
      floors.push(least);
    }
    const ms = quantile(samples, 0.5);
    const floorMs = quantile(floors, 0.5);
    sizes.push([
      `bundle size: ${bundle.name} function (loaded at cold start / all chunks)`,
      `${kib(staticClosure(bundle.dir))} / ${kib(allChunks(bundle.dir))} KiB`,
    ]);
    imports.push({
      name: `cold import (median of ${runs}): ${bundle.name} function`,
      value: ms,
      floor: floorMs,
      unit: 'ms',
      ratio: ms / floorMs,
      note: 'floor: SQS client + Logger bundle',
    });
  }
  return { sizes, imports };
}

/** How long a fresh Node process takes to import a bundle's index.mjs. */
function importMs(bundle: Bundle): number {
  const index = join(bundle.dir, 'index.mjs');
  const out = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', `const t=performance.now();await import(${JSON.stringify(index)});process.stdout.write(String(performance.now()-t));`],
    // The SDK's notice about Node versions goes to stderr; the figure is on stdout.
    { env: { ...process.env, ...IMPORT_ENV, ...bundle.env, HOIST_CONFIG_PATH: join(bundle.dir, 'hoist.config.json') }, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  return Number(out.toString());
}

/** The size of files together, in KiB. */
function kib(files: readonly string[]): string {
  return (files.reduce((sum, file) => sum + statSync(file).size, 0) / 1024).toFixed(0);
}

/** Every JavaScript file of a bundle. */
function allChunks(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.mjs'))
    .map((name) => join(dir, name));
}

/** index.mjs and the chunks it imports statically, and theirs: what a cold start loads (dynamic imports load later). */
function staticClosure(dir: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    // esbuild's minified static imports: `import{a as b}from"./chunk-X.mjs"` and `import"./chunk-X.mjs"`.
    for (const match of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*"(\.\/[^"]+\.mjs)"/g)) visit(join(dir, match[1] as string));
  };
  visit(join(dir, 'index.mjs'));
  return [...seen];
}
