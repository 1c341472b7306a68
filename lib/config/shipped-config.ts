import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PromotionConfig } from '../../lambdas/core/config/promotion-config';

/** The name the functions find the promotion settings under, next to their handler. */
export const SHIPPED_CONFIG_FILE = 'hoist.config.json';
/** What the file says it is; the functions refuse any other (see lambdas/wiring/read-shipped-config.ts). */
export const SHIPPED_CONFIG_FORMAT = 'hoist-promotion-config/1';

/** The SHA-256 (hex) of a shipped config file's text, which its functions check before they use it. */
export function shippedConfigDigest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Writes the promotion settings as `cdk synth` parsed and validated them into
 * `<dir>/hoist-config-<digest>/hoist.config.json` and answers that path. The
 * functions read this file instead of parsing hoist.config.yaml with its
 * schema at every cold start; its digest goes into their environment.
 */
export function writeShippedConfig(promotion: PromotionConfig, dir: string): string {
  const text = `${JSON.stringify({ format: SHIPPED_CONFIG_FORMAT, config: promotion })}\n`;
  const folder = join(dir, `hoist-config-${shippedConfigDigest(text).slice(0, 16)}`);
  mkdirSync(folder, { recursive: true });
  const file = join(folder, SHIPPED_CONFIG_FILE);
  writeFileSync(file, text);
  return file;
}
