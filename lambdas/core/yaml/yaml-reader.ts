import { findMarkerSites, type MarkerSite, readYamlDocuments, type YamlSource } from './image-sites';
import { applyScalarEdits, renderScalar, type ScalarEdit, type SourceScalar } from './scalar-splice';
import type { ScalarView, TreeScalar, YamlDocument } from './yaml-tree';

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

/**
 * What a reader knows of a text: its documents (as first read, and how the
 * plan's edits moved their scalars), its marker sites, and why it was refused
 * as each file (the message names the file; files may share a text).
 */
interface Entry {
  documents?: { readonly base: readonly YamlDocument[]; readonly edits: EditLog };
  markers?: MarkerSite[];
  readonly refusals: Map<string, unknown>;
}

/**
 * The plan's edits of a text, oldest first: each batch as it was applied (in
 * the offsets of the text it was applied to), and what each edited scalar,
 * known by its offset in the text as first read, holds now.
 */
interface EditLog {
  readonly batches: ReadonlyArray<readonly Move[]>;
  readonly written: ReadonlyMap<number, { readonly value: string; readonly type: TreeScalar['type']; readonly length: number }>;
}

const NO_EDITS: EditLog = { batches: [], written: new Map() };

export interface YamlReaderOptions {
  /**
   * How much YAML (in characters) the reader keeps read at once. A document
   * kept takes up to about nine times its text; past this, what was read is
   * dropped (and read again if asked for).
   * @default 16 Mi characters
   */
  readonly maxKeptChars?: number;
}

const defaultOptions = { maxKeptChars: 16 * 2 ** 20 } satisfies Required<YamlReaderOptions>;

/** A reader for one plan: it keeps what it read (within `maxKeptChars`) until it is dropped. */
export function createYamlReader(options: YamlReaderOptions = {}): YamlReader {
  const { maxKeptChars } = { ...defaultOptions, ...options };
  const entries = new Map<string, Entry>();
  let keptChars = 0;
  let reads = 0;
  const keep = (text: string, entry: Entry): void => {
    if (keptChars + text.length > maxKeptChars) {
      entries.clear();
      keptChars = 0;
    }
    entries.set(text, entry);
    keptChars += text.length;
  };
  const entryOf = (text: string): Entry => {
    let entry = entries.get(text);
    if (entry === undefined) {
      entry = { refusals: new Map() };
      keep(text, entry);
    }
    return entry;
  };
  // Refusals are kept too: a file YAML refuses is refused with the same error each time it is asked for.
  const read = <T>(entry: Entry, what: string, file: string, reading: () => T): T => {
    const refusal = `${what}\u0000${file}`;
    if (entry.refusals.has(refusal)) throw entry.refusals.get(refusal);
    reads += 1;
    try {
      return reading();
    } catch (error) {
      entry.refusals.set(refusal, error);
      throw error;
    }
  };
  return {
    get reads() {
      return reads;
    },
    documentsOf(text, file) {
      const entry = entryOf(text);
      entry.documents ??= read(entry, 'documents', file, () => ({ base: readYamlDocuments(text, file), edits: NO_EDITS }));
      const { base, edits } = entry.documents;
      if (edits.batches.length === 0) return base;
      const current = viewOf(edits);
      return base.map((doc) => ({ contents: doc.contents, current }));
    },
    markerSitesOf(text, file) {
      const entry = entryOf(text);
      entry.markers ??= read(entry, 'markers', file, () => findMarkerSites(text, file));
      return entry.markers;
    },
    applyEdits(text, edits) {
      const edited = applyScalarEdits(text, edits);
      const before = entries.get(text);
      if (before !== undefined && !entries.has(edited)) keep(edited, editedEntry(before, movesOf(edits)));
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

/** Where an offset of the text a batch was applied to is after it (never asked for inside an edited scalar but at its start). */
function movedOffset(moves: readonly Move[], offset: number): number {
  let shift = 0;
  for (const move of moves) {
    if (move.end > offset) break;
    shift = move.shift;
  }
  return offset + shift;
}

/** Where an offset after a batch was before it: the start of a scalar the batch rewrote is that scalar's start. */
function unmovedOffset(moves: readonly Move[], offset: number): number {
  let shift = 0;
  for (const move of moves) {
    const start = move.start + shift;
    if (start >= offset) break;
    if (start + move.written.length > offset) throw new Error(`offset ${offset} lies inside an edited scalar`);
    shift = move.shift;
  }
  return offset - shift;
}

const editAt = (moves: readonly Move[], start: number): Move | undefined => moves.find((move) => move.start === start);

/** The style a rendered scalar is read back in. */
const styleOf = (written: string): TreeScalar['type'] => (written[0] === '"' ? 'QUOTE_DOUBLE' : written[0] === "'" ? 'QUOTE_SINGLE' : 'PLAIN');

/** An edited text's entry: the same documents with one more batch of edits, and the marker sites moved. */
function editedEntry(entry: Entry, moves: readonly Move[]): Entry {
  const edited: Entry = { refusals: new Map() };
  if (entry.documents !== undefined) {
    const { base, edits } = entry.documents;
    const written = new Map(edits.written);
    for (const move of moves) {
      // Back through the earlier batches to the scalar's offset in the text as first read.
      const original = edits.batches.reduceRight((offset, batch) => unmovedOffset(batch, offset), move.start);
      written.set(original, { value: move.value, type: styleOf(move.written), length: move.written.length });
    }
    edited.documents = { base, edits: { batches: [...edits.batches, moves], written } };
  }
  if (entry.markers !== undefined) edited.markers = entry.markers.map((site) => movedMarker(site, moves));
  return edited;
}

/** Where each scalar of the documents as first read stands after the logged edits, and what it holds. */
function viewOf(edits: EditLog): ScalarView {
  return (node) => {
    const start = edits.batches.reduce((offset, batch) => movedOffset(batch, offset), node.start);
    const written = typeof node.value === 'string' || typeof node.value === 'number' ? edits.written.get(node.start) : undefined;
    if (written === undefined) return { ...node, start, end: edits.batches.reduce((offset, batch) => movedOffset(batch, offset), node.end) };
    return { kind: 'scalar', value: written.value, source: written.value, type: written.type, start, end: start + written.length };
  };
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
