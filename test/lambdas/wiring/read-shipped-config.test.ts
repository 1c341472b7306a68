import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleConfigYaml } from '../../../dev/embedded-gitops';
import { parsePromotionConfig } from '../../../lambdas/core/config/parse-promotion-config';
import { TerminalError } from '../../../lambdas/shared/errors';
import { readShippedConfig } from '../../../lambdas/wiring/read-shipped-config';
import { shippedConfigDigest, writeShippedConfig } from '../../../lib/config/shipped-config';

const ship = (text: string) => {
  const file = writeShippedConfig(parsePromotionConfig(text), mkdtempSync(join(tmpdir(), 'hoist-shipped-')));
  return { file, digest: shippedConfigDigest(readFileSync(file, 'utf8')) };
};

describe('the promotion config shipped from synth', () => {
  it('reads back exactly what synth parsed, for the repository config and the dev server example', () => {
    for (const text of [readFileSync('hoist.config.yaml', 'utf8'), exampleConfigYaml('./gitops.git')]) {
      const { file, digest } = ship(text);
      expect(readShippedConfig(file, digest)).toStrictEqual(parsePromotionConfig(text));
    }
  });

  it('refuses a file whose digest is not the one given, and a file of another format', () => {
    const { file, digest } = ship(readFileSync('hoist.config.yaml', 'utf8'));
    const changed = readFileSync(file, 'utf8').replace('"baseBranch":"main"', '"baseBranch":"other"');
    writeFileSync(file, changed);
    expect(() => readShippedConfig(file, digest)).toThrowError(/its SHA-256 is not HOIST_CONFIG_SHA256/);
    const other = `${JSON.stringify({ format: 'something-else', config: {} })}\n`;
    writeFileSync(file, other);
    expect(() => readShippedConfig(file, shippedConfigDigest(other))).toThrowError(TerminalError);
    expect(() => readShippedConfig(join(file, 'missing'), digest)).toThrowError(/cannot be read/);
  });
});
