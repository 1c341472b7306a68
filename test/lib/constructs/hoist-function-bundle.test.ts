import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleHandler } from '../../../lib/constructs/hoist-function';

/** The sources (from the source maps) of index.mjs and the chunks it imports statically: what a cold start loads. */
function coldStartSources(dir: string): string[] {
  const seen = new Set<string>();
  const sources = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const code = readFileSync(join(dir, name), 'utf8');
    for (const source of (JSON.parse(readFileSync(join(dir, `${name}.map`), 'utf8')) as { sources: string[] }).sources) sources.add(source);
    for (const match of code.matchAll(/(?:from|import)\s*"\.\/([^"]+\.mjs)"/g)) visit(match[1] as string);
  };
  visit('index.mjs');
  return [...sources];
}

/** What only the promotion engine or the routing needs: none of it may load at cold start (the webhook signature check is node:crypto's). */
const LATER =
  /node_modules\/(yaml|@gitbeaker|@octokit\/[^/]+|cron-parser|luxon|semver|@aws-sdk\/client-(eks|ecr))\/|lambdas\/core\/config\/promotion-config\.ts|lambdas\/core\/yaml\//;

/** Every function's handler folder. */
const FUNCTIONS = [
  'webhook',
  'promotions',
  'ecr-event',
  'reconcile',
  'promoter',
  'gates',
  'secret-event',
  'secrets-sync',
  'secrets-reconcile',
  'slack-actions',
];

/** What a cold start of the function in `lambdas/<functionDir>` loads, bundled once per file. */
const bundled = new Map<string, string[]>();
function coldStartOf(functionDir: string): string[] {
  let sources = bundled.get(functionDir);
  if (sources === undefined) {
    const dir = mkdtempSync(join(tmpdir(), `hoist-bundle-${functionDir}-`));
    bundleHandler(resolve(`lambdas/${functionDir}/handler.ts`), dir);
    sources = coldStartSources(dir);
    bundled.set(functionDir, sources);
  }
  return sources;
}

describe('HoistFunction bundles: what a cold start loads', () => {
  it.each(['promoter', 'webhook', 'ecr-event'])('%s: no YAML parser, config schema, cron parser or Git host SDK before the first event', (functionDir) => {
    const sources = coldStartOf(functionDir);
    expect(sources.some((s) => s.includes(`lambdas/${functionDir}/handler.ts`))).toBe(true);
    expect(sources.filter((s) => LATER.test(s))).toEqual([]);
  });

  // zod's full API costs tens of ms to load; what a cold start validates (the environment, Slack's answers) uses zod/mini.
  it.each(FUNCTIONS)("%s: zod/mini only, not zod's full API, before the first event", (functionDir) => {
    const sources = coldStartOf(functionDir);
    expect(sources.some((s) => s.includes('node_modules/zod/v4/mini/'))).toBe(true);
    expect(sources.filter((s) => s.includes('node_modules/zod/v4/classic/'))).toEqual([]);
  });
});
