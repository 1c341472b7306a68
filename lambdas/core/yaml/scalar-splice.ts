import { parse as parseYaml, Scalar } from 'yaml';
import { TerminalError } from '../../shared/errors';
import { plainValue } from './scan-block-yaml';

/** A scalar in the source text: where its value stands and how it is written. */
export interface SourceScalar {
  /** Offsets of the value as written (quotes included). */
  readonly start: number;
  readonly end: number;
  readonly value: string;
  readonly style: Scalar.Type | undefined;
}

/** One replacement of a scalar's value. */
export interface ScalarEdit {
  readonly scalar: SourceScalar;
  readonly value: string;
}

/** Reads a yaml Scalar node's place and style; undefined when it is not a string-like scalar with a range. */
export function sourceScalarOf(node: unknown): SourceScalar | undefined {
  if (!(node instanceof Scalar) || node.range === undefined || node.range === null) return undefined;
  const value = node.value;
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  // A plain `1.10` is the number 1.1 to YAML, but the tag `1.10` to a person: keep the written text.
  const written = node.type === Scalar.PLAIN && typeof node.source === 'string' ? node.source : String(value);
  return { start: node.range[0], end: node.range[1], value: written, style: node.type };
}

/**
 * Writes `value` in the scalar's own style. A plain scalar stays plain only
 * while YAML would still read it back as that same string (`1.10` or `true`
 * would not), otherwise it gets double quotes.
 */
export function renderScalar(style: Scalar.Type | undefined, value: string): string {
  switch (style) {
    case Scalar.QUOTE_DOUBLE:
      return JSON.stringify(value);
    case Scalar.QUOTE_SINGLE:
      // A line break in single quotes reads back as a space: such a value keeps its meaning only in double quotes.
      return /[\r\n]/.test(value) ? JSON.stringify(value) : `'${value.replace(/'/g, "''")}'`;
    case Scalar.BLOCK_LITERAL:
    case Scalar.BLOCK_FOLDED:
      throw new TerminalError('cannot rewrite a block scalar (| or >) holding an image tag');
    default:
      return readsBackAsPlain(value) ? value : JSON.stringify(value);
  }
}

function readsBackAsPlain(value: string): boolean {
  // Flow indicators anywhere: plain, they would end the value inside a flow collection ({a: x,y}).
  if (value === '' || /[\s#,[\]{}]/.test(value) || /^[-?:&*!|>'"%@`]/.test(value)) return false;
  // Tags and digests: one plain token whatever the context, read as the core schema's tags resolve it.
  if (/^[A-Za-z0-9_][A-Za-z0-9._/+-]*$/.test(value)) {
    try {
      return plainValue(value) === value;
    } catch {
      // A value the schema's tags cannot resolve: the full parse below decides.
    }
  }
  try {
    return parseYaml(value) === value;
  } catch {
    return false;
  }
}

/**
 * Applies edits to the text, touching nothing but the edited scalars: every
 * other byte (comments, key order, blank lines, anchors, separators) stays.
 */
export function applyScalarEdits(text: string, edits: readonly ScalarEdit[]): string {
  // Pieces joined once: splicing each edit into the whole text would copy it once per edit.
  const ordered = [...edits].sort((a, b) => a.scalar.start - b.scalar.start);
  const pieces: string[] = [];
  let copied = 0;
  for (const edit of ordered) {
    if (edit.scalar.start < copied) throw new Error('overlapping scalar edits');
    pieces.push(text.slice(copied, edit.scalar.start), renderScalar(edit.scalar.style, edit.value));
    copied = edit.scalar.end;
  }
  pieces.push(text.slice(copied));
  return pieces.join('');
}
