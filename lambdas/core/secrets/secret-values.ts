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
  const problem = inexactMember(text);
  if (problem !== undefined) return { kind: 'refused', reason: problem };
  const entries: Array<[string, string | number | boolean]> = [];
  for (const [key, value] of Object.entries(parsed)) {
    if (!KEY.test(key)) return { kind: 'refused', reason: `key ${JSON.stringify(key.slice(0, 64))} is not a valid key (letters, digits, ".", "_", "-")` };
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      return {
        kind: 'refused',
        reason: `key ${key} holds a ${value === null ? 'null' : Array.isArray(value) ? 'list' : 'nested object'}; only strings, numbers and booleans sync`,
      };
    }
    entries.push([key, value]);
  }
  if (entries.length === 0) return { kind: 'refused', reason: 'the JSON object has no keys' };
  // Own properties whatever the key: `__proto__` is a key like any other.
  return { kind: 'data', data: Object.fromEntries(entries) };
}

/**
 * What JSON.parse would change without a word, in a flat JSON object: a key
 * given twice (the last one wins), or a number whose text does not come back
 * the same (more digits than a double holds, `1.10`, `1e3`). Named by key;
 * the number itself may be the secret and is never repeated.
 */
function inexactMember(text: string): string | undefined {
  const seen = new Set<string>();
  let key: string | undefined;
  let expectKey = true;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i] as string;
    if (c === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const literal = JSON.parse(text.slice(i, end + 1)) as string;
      if (expectKey) {
        if (seen.has(literal)) return `key ${literal.slice(0, 64)} appears twice`;
        seen.add(literal);
        key = literal;
      }
      i = end;
    } else if (c === ':') expectKey = false;
    else if (c === ',' || c === '{') expectKey = true;
    else if (c === '-' || (c >= '0' && c <= '9')) {
      const number = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i))?.[0] ?? c;
      if (String(Number(number)) !== number) {
        return `key ${key ?? '?'} holds a number that would change on its way to Vault (too many digits, trailing zeros or an exponent); store it as a JSON string`;
      }
      i += number.length - 1;
    }
  }
  return undefined;
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
