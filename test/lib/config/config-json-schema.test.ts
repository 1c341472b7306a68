import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configJsonSchema } from '../../../lib/config/config-json-schema';

describe('config: JSON Schema for editors', () => {
  it('covers deployment and promotion settings', () => {
    const schema = configJsonSchema() as { properties: Record<string, { properties?: Record<string, unknown> }> };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['automation', 'platform', 'repositories', 'images', 'argocd', 'slack']));
    expect(JSON.stringify(schema.properties.images)).toContain('"pull-request"');
    expect(Object.keys(schema.properties.platform?.properties ?? {})).toContain('gpuNodeGroups');
    expect(Object.keys(schema.properties.secrets?.properties ?? {})).toEqual(expect.arrayContaining(['vault', 'mapping', 'manifests']));
    expect(Object.keys(schema.properties.automation?.properties ?? {})).toContain('secretsSync');
  });

  it('is committed up to date (run `npm run schema` after changing a config schema)', () => {
    expect(JSON.parse(readFileSync('hoist.config.schema.json', 'utf8'))).toEqual(configJsonSchema());
  });
});
