import { parse as parseYaml, Scalar } from 'yaml';

/*
 * Kubernetes reads manifests with a YAML 1.1 parser (sigs.k8s.io/yaml), where
 * `on`, `yes`, `0x1F` or `12:30` are not strings; the yaml library reads 1.2.
 * A string is written plain only when both read it back as that string.
 */

const readsAs = (text: string, version: '1.1' | '1.2'): unknown => {
  try {
    return parseYaml(text, { version });
  } catch {
    return undefined;
  }
};

/** Whether `value` can be written plain and read back as the same string by YAML 1.1 and 1.2 parsers. */
export function isSafePlain(value: string): boolean {
  // Flow indicators (`,[]{}`) are fine in a block scalar but not in a flow mapping; they get quotes everywhere.
  if (value === '' || /[\s#,[\]{}]/.test(value) || value.endsWith(':') || /^[-?:,[\]{}&*!|>'"%@`]/.test(value)) return false;
  return readsAs(value, '1.2') === value && readsAs(value, '1.1') === value;
}

/** A string scalar in `style` (quoted styles kept), plain only when that is safe. */
export function renderSafeScalar(value: string, style?: Scalar.Type): string {
  if (style === Scalar.QUOTE_SINGLE) return `'${value.replace(/'/g, "''")}'`;
  if (style === Scalar.QUOTE_DOUBLE || !isSafePlain(value)) return JSON.stringify(value);
  return value;
}
