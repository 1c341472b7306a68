import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { TerminalError } from '../../shared/errors';
import { type PromotionConfig, PromotionConfigSchema } from './promotion-config';

/**
 * Reads the promotion settings from hoist.config.yaml text. A bad setting is
 * a TerminalError naming each path (`→ at images[0].targets[1].file`): no
 * retry can fix it.
 */
export function parsePromotionConfig(text: string, source = 'hoist.config.yaml'): PromotionConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (error) {
    throw new TerminalError(`${source}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const result = PromotionConfigSchema.safeParse(raw);
  if (!result.success) throw new TerminalError(`${source} is invalid:\n${z.prettifyError(result.error)}`);
  return result.data;
}
