import type { SecretSyncConfig } from './secret-sync-config';

/**
 * Which Secrets Manager secrets the sync looks at: every name under one of
 * `prefixes` (from `mapping.namePattern`) and the exact `names` of
 * `mapping.entries`. The same set the EventBridge rule and the IAM grants name.
 */
export interface SecretScope {
  readonly prefixes: readonly string[];
  readonly names: readonly string[];
}

/** Whether `name` is in `scope`; case-sensitive, as Secrets Manager names and IAM ARNs are. */
export function isSecretInScope(name: string, scope: SecretScope): boolean {
  return scope.prefixes.some((prefix) => name.startsWith(prefix)) || scope.names.includes(name);
}

/** The fixed start of a name pattern, before its first placeholder (`hoist/apps/` of `hoist/apps/{service}/{environment}`). */
export function literalPrefixOf(pattern: string): string {
  const brace = pattern.indexOf('{');
  return brace === -1 ? pattern : pattern.slice(0, brace);
}

/** The scope a config implies: the name pattern's fixed prefix (or the prefixes given) and the entries' names. */
export function secretScopeOf(config: SecretSyncConfig, prefixes?: readonly string[]): SecretScope {
  const namePrefixes = [...new Set(prefixes ?? [literalPrefixOf(config.mapping.namePattern)])].sort();
  const names = [...new Set(config.mapping.entries.map((entry) => entry.secret))]
    .filter((name) => !namePrefixes.some((prefix) => name.startsWith(prefix)))
    .sort();
  return { prefixes: namePrefixes, names };
}
