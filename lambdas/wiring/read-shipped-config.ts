import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as z from 'zod/mini';
import type { PromotionConfig } from '../core/config/promotion-config';
import { TerminalError } from '../shared/errors';

/** The format the stack writes (lib/config/shipped-config.ts); any other file is refused. */
const SHIPPED_CONFIG_FORMAT = 'hoist-promotion-config/1';

/** The variables of a function that reads the promotion settings the stack shipped with it. */
export const ShippedConfigEnvSchema = z.object({
  /** hoist.config.json, written at synth next to the handler. */
  HOIST_CONFIG_PATH: z._default(z.string(), `${process.env.LAMBDA_TASK_ROOT ?? '.'}/hoist.config.json`),
  /** The SHA-256 of that file as synth wrote it (hex). */
  HOIST_CONFIG_SHA256: z.string().check(z.regex(/^[0-9a-f]{64}$/, 'a SHA-256 in hex, set by the stack')),
});

/**
 * The promotion settings shipped with the function: the file `cdk synth`
 * wrote from hoist.config.yaml after parsing and validating it with
 * PromotionConfigSchema. It is read without that schema (and without the YAML
 * parser, the cron parser and its date library, which the schema pulls in):
 * its SHA-256 must be the one the stack put in the function's environment,
 * and it must say it is that format. Anything else is a TerminalError: the
 * function was not deployed by the stack, or its files changed since.
 */
export function readShippedConfig(path: string, sha256: string): PromotionConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new TerminalError(`${path}: the promotion settings shipped with this function cannot be read`, { cause: error });
  }
  const digest = createHash('sha256').update(text, 'utf8').digest('hex');
  if (digest !== sha256) throw new TerminalError(`${path}: its SHA-256 is not HOIST_CONFIG_SHA256; redeploy the stack`);
  const shipped = JSON.parse(text) as { readonly format?: unknown; readonly config?: unknown };
  if (shipped.format !== SHIPPED_CONFIG_FORMAT || typeof shipped.config !== 'object' || shipped.config === null) {
    throw new TerminalError(`${path}: not a ${SHIPPED_CONFIG_FORMAT} file`);
  }
  // Not parsed again on purpose: synth parsed it with PromotionConfigSchema, and the digest says it is that output.
  return shipped.config as PromotionConfig;
}
