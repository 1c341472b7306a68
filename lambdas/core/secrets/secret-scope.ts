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
