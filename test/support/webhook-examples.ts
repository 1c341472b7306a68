import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

interface ExampleGroup {
  readonly name: string;
  readonly examples: ReadonlyArray<Record<string, unknown>>;
}

/** GitHub's real webhook payloads from `@octokit/webhooks-examples`, as fresh copies. */
export function githubExamples(event: string): Array<Record<string, any>> {
  const groups = require('@octokit/webhooks-examples') as ExampleGroup[];
  const group = groups.find((g) => g.name === event);
  if (group === undefined) throw new Error(`no GitHub example for '${event}'`);
  return group.examples.map((example) => structuredClone(example));
}

/** A stored fixture under test/fixtures, parsed (a fresh copy each call). */
export function fixture(path: string): Record<string, any> {
  return JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', path), 'utf8')) as Record<string, any>;
}
