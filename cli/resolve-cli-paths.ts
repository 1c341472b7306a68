import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The config when `--config` is not given. */
export const DEFAULT_CONFIG = 'hoist.config.yaml';
/** The dev server's embedded config (`npm start` without HOIST_CONFIG writes it). */
export const EMBEDDED_CONFIG = join('.hoist', 'hoist.config.yaml');
/** Where `npm start` keeps its state by default (HOIST_WORK_DIR=.hoist). */
export const DEFAULT_STATE = join('.hoist', 'state');

/**
 * `--config`, else `hoist.config.yaml` in the working directory, else the
 * dev server's `.hoist/hoist.config.yaml` when only that one exists.
 */
export function resolveConfigPath(option: string | undefined, cwd: string): string {
  if (option !== undefined) return resolve(cwd, option);
  const own = resolve(cwd, DEFAULT_CONFIG);
  const embedded = resolve(cwd, EMBEDDED_CONFIG);
  return !existsSync(own) && existsSync(embedded) ? embedded : own;
}

/**
 * `--state`, else `state/` beside the config when there is one (the dev
 * server's work directory holds both), else `.hoist/state`.
 */
export function resolveStateDir(option: string | undefined, configPath: string, cwd: string): string {
  if (option !== undefined) return resolve(cwd, option);
  const beside = join(dirname(configPath), 'state');
  return existsSync(beside) ? beside : resolve(cwd, DEFAULT_STATE);
}
