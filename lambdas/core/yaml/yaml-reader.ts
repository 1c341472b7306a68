import { findMarkerSites, type MarkerSite, readYamlDocuments, type YamlSource } from './image-sites';
import { applyScalarEdits, renderScalar, type ScalarEdit, type SourceScalar } from './scalar-splice';
import type { YamlDocument } from './scan-block-yaml';
import type { TreeNode, TreeScalar } from './yaml-tree';

/**
 * Reads each YAML text once for a whole plan, however many targets look into
 * it, and follows the plan's own edits without reading the file again: an
 * edit replaces scalars only, so the edited text's documents are the old ones
 * with those scalars rewritten and what follows them moved.
 */
export interface YamlReader extends YamlSource {
  /** `applyScalarEdits`, and the edited text's documents and marker sites derived from the old text's. */
  applyEdits(text: string, edits: readonly ScalarEdit[]): string;
  /** How many times a text was read (scanned or parsed); a file edited by the plan is not read again. */
  readonly reads: number;
}

interface Entry {
  documents?: readonly YamlDocument[] | { readonly error: unknown };
  markers?: MarkerSite[] | { readonly error: unknown };
}

/** A reader for one plan: it keeps every text it read until it is dropped. */
export function createYamlReader(): YamlReader {
  const entries = new Map<string, Entry>();
  let reads = 0;
  const entryOf = (text: string): Entry => {
    let entry = entries.get(text);
    if (entry === undefined) {
      entry = {};
      entries.set(text, entry);
    }
    return entry;
  };
  // Refusals are kept too: a file YAML refuses is refused with the same error each time it is asked for.
  const remember = <T>(read: () => T): T | { readonly error: unknown } => {
    reads += 1;
    try {
      return read();
    } catch (error) {
      return { error };
    }
  };
  const unwrap = <T>(kept: T | { readonly error: unknown }): T => {
    if (typeof kept === 'object' && kept !== null && 'error' in kept) throw kept.error;
    return kept;
  };
  return {
    get reads() {
      return reads;
    },
    documentsOf(text, file) {
      const entry = entryOf(text);
      entry.documents ??= remember(() => readYamlDocuments(text, file));
      return unwrap(entry.documents);
    },
    markerSitesOf(text, file) {
      const entry = entryOf(text);
      entry.markers ??= remember(() => findMarkerSites(text, file));
      return unwrap(entry.markers);
    },
    applyEdits(text, edits) {
      const edited = applyScalarEdits(text, edits);
      const before = entries.get(text);
      if (before !== undefined && !entries.has(edited)) entries.set(edited, movedEntry(before, movesOf(edits)));
      return edited;
    },
  };
}

/** One applied edit: the scalar it replaced and what now stands there. */
interface Move {
  readonly start: number;
  readonly end: number;
  readonly value: string;
  readonly written: string;
  /** How far everything after this edit moved, this edit included. */
  readonly shift: number;
}

function movesOf(edits: readonly ScalarEdit[]): Move[] {
  let shift = 0;
  return [...edits]
    .sort((a, b) => a.scalar.start - b.scalar.start)
    .map(({ scalar, value }) => {
      const written = renderScalar(scalar.style, value);
      shift += written.length - (scalar.end - scalar.start);
      return { start: scalar.start, end: scalar.end, value, written, shift };
    });
}

/** Where an offset of the old text is in the edited one (offsets inside an edited scalar are never asked for). */
function movedOffset(moves: readonly Move[], offset: number): number {
  let shift = 0;
  for (const move of moves) {
    if (move.end > offset) break;
    shift = move.shift;
  }
  return offset + shift;
}

const editAt = (moves: readonly Move[], start: number): Move | undefined => moves.find((move) => move.start === start);

/** The style a rendered scalar is read back in. */
const styleOf = (written: string): TreeScalar['type'] => (written[0] === '"' ? 'QUOTE_DOUBLE' : written[0] === "'" ? 'QUOTE_SINGLE' : 'PLAIN');

function movedEntry(entry: Entry, moves: readonly Move[]): Entry {
  const moved: Entry = {};
  try {
    if (Array.isArray(entry.documents)) moved.documents = entry.documents.map((doc: YamlDocument) => ({ contents: movedTree(doc.contents, moves, 0) }));
  } catch (error) {
    // Too deep to copy: the edited text will be read again.
    if (!(error instanceof RangeError)) throw error;
  }
  if (Array.isArray(entry.markers)) moved.markers = entry.markers.map((site) => movedMarker(site, moves));
  return moved;
}

function movedTree(node: TreeNode, moves: readonly Move[], depth: number): TreeNode {
  if (depth > 1000) throw new RangeError('nested too deep to copy');
  switch (node.kind) {
    case 'map': {
      const entries = new Map<unknown, TreeNode>();
      for (const [key, value] of node.entries) entries.set(key, movedTree(value, moves, depth + 1));
      return { kind: 'map', entries };
    }
    case 'seq':
      return { kind: 'seq', items: node.items.map((item) => movedTree(item, moves, depth + 1)) };
    case 'scalar': {
      const edit = typeof node.value === 'string' || typeof node.value === 'number' ? editAt(moves, node.start) : undefined;
      const start = movedOffset(moves, node.start);
      if (edit === undefined) return { ...node, start, end: movedOffset(moves, node.end) };
      return { kind: 'scalar', value: edit.value, source: edit.value, type: styleOf(edit.written), start, end: start + edit.written.length };
    }
    case 'other':
      return node;
  }
}

function movedScalar<T extends SourceScalar>(scalar: T, moves: readonly Move[]): T {
  const edit = editAt(moves, scalar.start);
  const start = movedOffset(moves, scalar.start);
  if (edit === undefined) return { ...scalar, start, end: movedOffset(moves, scalar.end) };
  return { ...scalar, start, end: start + edit.written.length, value: edit.value, style: styleOf(edit.written) };
}

function movedMarker(site: MarkerSite, moves: readonly Move[]): MarkerSite {
  return {
    ...site,
    ...(site.tag ? { tag: movedScalar(site.tag, moves) } : {}),
    ...(site.ref ? { ref: movedScalar(site.ref, moves) } : {}),
    ...(site.digest ? { digest: movedScalar(site.digest, moves) } : {}),
  };
}
