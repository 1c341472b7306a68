import { createHash } from 'node:crypto';

/** A secret's value as Vault will hold it: key → scalar. */
export type SecretData = Readonly<Record<string, string | number | boolean>>;

export type ValueResult = { readonly kind: 'data'; readonly data: SecretData } | { readonly kind: 'refused'; readonly reason: string };

const KEY = /^[A-Za-z0-9._-]{1,253}$/;

/**
 * What a Secrets Manager value syncs as: a JSON object key by key (scalars
 * only), anything else as one key. Reasons name keys and kinds, never a value.
 */
export function secretDataOf(text: string | undefined, plainKey: string): ValueResult {
  if (text === undefined) return { kind: 'refused', reason: 'a binary secret (SecretBinary) is not synced; store it as SecretString' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: 'data', data: { [plainKey]: text } };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { kind: 'data', data: { [plainKey]: text } };
  const data: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!KEY.test(key)) return { kind: 'refused', reason: `key ${JSON.stringify(key.slice(0, 64))} is not a valid key (letters, digits, ".", "_", "-")` };
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      return {
        kind: 'refused',
        reason: `key ${key} holds a ${value === null ? 'null' : Array.isArray(value) ? 'list' : 'nested object'}; only strings, numbers and booleans sync`,
      };
    }
    data[key] = value;
  }
  if (Object.keys(data).length === 0) return { kind: 'refused', reason: 'the JSON object has no keys' };
  return { kind: 'data', data };
}

/**
 * A digest of key/value data, independent of key order: what is compared
 * to tell whether Vault already holds a value. It stays in memory; a digest
 * of a short secret could be searched, so none is logged or stored.
 */
export function digestOf(data: Readonly<Record<string, unknown>>): string {
  const hash = createHash('sha256');
  for (const key of Object.keys(data).sort()) hash.update(JSON.stringify([key, data[key]])).update('\n');
  return hash.digest('hex');
}

/** The keys of a value, sorted: what manifests list. */
export const keysOf = (data: Readonly<Record<string, unknown>>): string[] => Object.keys(data).sort();
