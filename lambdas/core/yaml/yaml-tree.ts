import { isMap, isPair, isScalar, isSeq, type Scalar } from 'yaml';

/**
 * The nodes of a YAML document as the bump engine reads them: mappings by
 * key value, sequences, and scalars with where their value is written. Made
 * straight from the Lexer's tokens by `scanBlockYaml`, or from the yaml
 * library's nodes by `treeOf` for files it has to parse in full.
 */
export type TreeNode = TreeMap | TreeSeq | TreeScalar | TreeOther;

export interface TreeMap {
  readonly kind: 'map';
  /** Values by key value, as the library compares keys (`1` and `1.0` are one key, `1` and `'1'` two); non-scalar keys are left out. */
  readonly entries: Map<unknown, TreeNode>;
}

export interface TreeSeq {
  readonly kind: 'seq';
  readonly items: TreeNode[];
}

/** A scalar: its value as the library resolves it, and where and how it is written. */
export interface TreeScalar {
  readonly kind: 'scalar';
  /** Mutable: a plan that edits a file moves its scalars on instead of parsing the file again. */
  value: unknown;
  /** The text YAML read the value from (quotes and escapes resolved). */
  source: string | undefined;
  type: Scalar.Type | undefined;
  /** Offsets of the value as written, quotes included. */
  start: number;
  end: number;
}

/** An alias or anything else that is neither a collection nor a scalar; `text` is what `String()` makes of it. */
export interface TreeOther {
  readonly kind: 'other';
  readonly text: string;
}

/** A document of a file: its root node. */
export interface YamlDocument {
  readonly contents: TreeNode;
  /**
   * For a text a plan edited: where a scalar of `contents` (as first read)
   * stands now and what it holds. Absent for a text as read.
   */
  readonly current?: ScalarView;
}

/** A scalar of a document as first read, as it stands in an edited text. */
export type ScalarView = (node: TreeScalar) => TreeScalar;

/** The value at `key` of a mapping, or the item at index `key` of a sequence. */
export function childOf(node: TreeNode | undefined, key: string | number): TreeNode | undefined {
  if (node === undefined) return undefined;
  if (node.kind === 'map') return node.entries.get(key);
  if (node.kind === 'seq' && typeof key === 'number') return node.items[key];
  return undefined;
}

export function childAt(node: TreeNode | undefined, path: ReadonlyArray<string | number>): TreeNode | undefined {
  let current = node;
  for (const key of path) current = childOf(current, key);
  return current;
}

/** What `String(map.get(key))` gives for a node the library made: a scalar's value as a string. */
export function textOf(node: TreeNode | undefined): string {
  if (node === undefined) return 'undefined';
  if (node.kind === 'scalar') return String(node.value);
  if (node.kind === 'other') return node.text;
  // A collection where a name is expected never equals one.
  return `[${node.kind}]`;
}

/** The tree of a node the yaml library composed (the full parse, for files outside the scanner's subset). */
export function treeOf(root: unknown): TreeNode {
  // Without recursion: nesting depth is up to whoever wrote the file.
  const made = new Map<unknown, TreeNode>();
  const order: unknown[] = [];
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const node = pending.pop();
    order.push(node);
    if (isMap(node)) {
      for (const pair of node.items) if (isPair(pair)) pending.push(pair.value);
    } else if (isSeq(node)) {
      for (const item of node.items) pending.push(item);
    }
  }
  for (let i = order.length - 1; i >= 0; i -= 1) {
    const node = order[i];
    if (made.has(node)) continue;
    made.set(node, leafOrCollection(node, made));
  }
  return made.get(root) ?? emptyTreeScalar(0);
}

function leafOrCollection(node: unknown, made: Map<unknown, TreeNode>): TreeNode {
  const child = (value: unknown): TreeNode => made.get(value) ?? emptyTreeScalar(0);
  if (isMap(node)) {
    const entries = new Map<unknown, TreeNode>();
    for (const pair of node.items) {
      // The first of equal keys wins, as the library's `get` finds it (duplicates are refused before anyway).
      if (isScalar(pair.key) && !entries.has(pair.key.value)) entries.set(pair.key.value, child(pair.value));
    }
    return { kind: 'map', entries };
  }
  if (isSeq(node)) return { kind: 'seq', items: node.items.map(child) };
  if (isScalar(node)) {
    const [start, end] = node.range ?? [0, 0];
    return { kind: 'scalar', value: node.value, source: node.source, type: node.type, start, end };
  }
  if (node === null || node === undefined) return emptyTreeScalar(0);
  return { kind: 'other', text: String(node) };
}

/** An empty value (`key:`), as the library reads it: a null plain scalar. */
export const emptyTreeScalar = (at: number): TreeScalar => ({ kind: 'scalar', value: null, source: '', type: 'PLAIN', start: at, end: at });
