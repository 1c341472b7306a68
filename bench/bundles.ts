import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildHoistApp } from '../lib/build-app';
import { loadHoistConfig } from '../lib/config/hoist-config';
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

/**
 * Synthesizes the automation stack exactly as `cdk synth` does, then, for each
 * function's bundle, reports its size and the time a fresh Node process takes
 * to import it (the module-load part of a cold start).
 */
export function benchBundles(runs = 11): Array<[string, string]> {
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
  const { automation } = buildHoistApp(app, config, config.sourceFile, { account: '123456789012', region: 'eu-west-1' });
  app.synth();
  const template = JSON.parse(readFileSync(join(outdir, `${automation.stackName}.template.json`), 'utf8')) as {
    Resources: Record<string, { Type: string; Metadata?: Record<string, string> }>;
  };
  const rows: Array<[string, string]> = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const assetPath = resource.Metadata?.['aws:asset:path'];
    if (resource.Type !== 'AWS::Lambda::Function' || assetPath === undefined) continue;
    // WebhooksHandlerFunction1A2B3C4D -> Webhooks
    const name = logicalId.replace(/HandlerFunction[0-9A-F]{8}$/, '');
    const bundle = join(outdir, assetPath, 'index.mjs');
    const kib = statSync(bundle).size / 1024;
    const samples: number[] = [];
    // One discarded run first: the figure is module load, not the first read from disk.
    for (let i = -1; i < runs; i += 1) {
      const out = execFileSync(
        process.execPath,
        ['--input-type=module', '-e', `const t=performance.now();await import(${JSON.stringify(bundle)});process.stdout.write(String(performance.now()-t));`],
        { env: { ...process.env, ...IMPORT_ENV, HOIST_CONFIG_PATH: configPath } },
      );
      if (i >= 0) samples.push(Number(out.toString()));
    }
    rows.push([`bundle size: ${name} function`, `${kib.toFixed(0)} KiB`]);
    rows.push([`cold import (median of ${runs}): ${name} function`, `${quantile(samples, 0.5).toFixed(1)} ms`]);
  }
  return rows;
}
