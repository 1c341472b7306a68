import type { SecretSyncConfig } from './secret-sync-config';

/** Where one Secrets Manager secret goes: a service and environment, its Vault path, its manifest. */
export interface SecretTarget {
  readonly service: string;
  readonly environment: string;
  /** The KV v2 mount, and the path below it without `data/` (`apps/api/dev/config`). */
  readonly vault: { readonly mount: string; readonly path: string };
  /** The key a plain-string value is stored under. */
  readonly plainKey: string;
  /** How it was mapped, for people. */
  readonly mappedBy: 'entry' | 'tags' | 'name';
}

export type MappingResult = { readonly kind: 'mapped'; readonly target: SecretTarget } | { readonly kind: 'unmapped'; readonly reason: string };

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The name pattern as a matcher: each placeholder is one path segment. */
function patternOf(template: string): RegExp {
  const parts = template.split(/(\{service\}|\{environment\})/);
  const source = parts
    .map((part) => (part === '{service}' ? '(?<service>[^/]+)' : part === '{environment}' ? '(?<environment>[^/]+)' : escapeRegExp(part)))
    .join('');
  return new RegExp(`^${source}$`);
}

/** Fills `{name}` placeholders; the values were checked to be DNS labels or config paths. */
export function fillTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}

/**
 * Maps a secret to its service and environment: an explicit entry first,
 * then the `hoist:service` / `hoist:environment` tags, then the name pattern.
 * Service and environment must be DNS labels: they become Vault path
 * segments, namespaces and file paths.
 */
export function mapSecret(config: SecretSyncConfig, secret: { readonly name: string; readonly tags?: Readonly<Record<string, string>> }): MappingResult {
  const { mapping } = config;
  const entry = mapping.entries.find((e) => e.secret === secret.name);
  const tagged =
    mapping.tags && secret.tags?.['hoist:service'] !== undefined && secret.tags['hoist:environment'] !== undefined
      ? { service: secret.tags['hoist:service'], environment: secret.tags['hoist:environment'] }
      : undefined;
  const named = patternOf(mapping.namePattern).exec(secret.name)?.groups;
  // A name that says one service and tags that say another: neither is trusted over the other.
  if (
    entry === undefined &&
    tagged !== undefined &&
    named?.service !== undefined &&
    (named.service !== tagged.service || named.environment !== tagged.environment)
  ) {
    return {
      kind: 'unmapped',
      reason: `secret ${secret.name}: its name says ${named.service}/${named.environment}, its tags say ${tagged.service}/${tagged.environment}; make them agree or map it in mapping.entries`,
    };
  }
  const found =
    entry !== undefined
      ? { service: entry.service, environment: entry.environment, plainKey: entry.plainKey ?? mapping.plainKey, mappedBy: 'entry' as const }
      : tagged !== undefined
        ? { ...tagged, plainKey: mapping.plainKey, mappedBy: 'tags' as const }
        : named?.service !== undefined && named.environment !== undefined
          ? { service: named.service, environment: named.environment, plainKey: mapping.plainKey, mappedBy: 'name' as const }
          : undefined;
  if (found === undefined) {
    return {
      kind: 'unmapped',
      reason: `secret ${secret.name} matches no entry, no hoist:service/hoist:environment tags and not the name pattern ${mapping.namePattern}`,
    };
  }
  for (const [field, value] of [
    ['service', found.service],
    ['environment', found.environment],
  ] as const) {
    if (!DNS_LABEL.test(value)) return { kind: 'unmapped', reason: `secret ${secret.name}: ${field} '${value}' (by ${found.mappedBy}) is not a DNS label` };
  }
  const apiPath = fillTemplate(config.vault.path, {
    mount: config.vault.mount,
    prefix: config.vault.prefix,
    service: found.service,
    environment: found.environment,
  });
  const path = apiPath.slice(`${config.vault.mount}/data/`.length);
  return {
    kind: 'mapped',
    target: {
      service: found.service,
      environment: found.environment,
      vault: { mount: config.vault.mount, path },
      plainKey: found.plainKey,
      mappedBy: found.mappedBy,
    },
  };
}

/** The key of a Vault path in the sync's state: `<mount>/<path>`. */
export const vaultKeyOf = (target: Pick<SecretTarget, 'vault'>): string => `${target.vault.mount}/${target.vault.path}`;
