import { CST, isScalar, Lexer, Scalar, type ScalarTag, Schema } from 'yaml';
import { emptyTreeScalar, type TreeMap, type TreeNode, type TreeScalar, type TreeSeq, type YamlDocument } from './yaml-tree';

/**
 * Reads the plain block YAML that values files and manifests are made of
 * straight from the yaml library's Lexer, without its Parser and Composer
 * (which cost three to four times the Lexer): block mappings and sequences,
 * one-line plain and quoted scalars, block scalars, one-line flow collections,
 * comments and `---` between documents. It reads the values the library
 * would (plain scalars resolved by the library's own core schema tags, quoted
 * and block scalars by its own CST resolver), checking keys for duplicates
 * with the Map each mapping is looked up by.
 *
 * Anything outside that subset, or anything it cannot vouch for (anchors,
 * aliases, tags, explicit keys, multi-line plain or quoted scalars, multi-line
 * flow collections, tabs, CR, odd indentation, a duplicate key, any error the
 * library's resolvers report), gives `undefined`: the caller then parses the
 * file with the library in full, which reports the error or reads the file.
 * So this never accepts a file the library refuses, and never reads one
 * differently.
 */
export function scanBlockYaml(text: string): YamlDocument[] | undefined {
  // Characters with meanings the subset leaves to the library: tab, CR, other C0/C1 controls, DEL, NEL, LS, PS, BOM.
  if (UNSUPPORTED_CHARS.test(text)) return undefined;
  try {
    return new BlockScanner(text).scan();
  } catch (error) {
    if (error instanceof NotInSubset) return undefined;
    throw error;
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its purpose.
const UNSUPPORTED_CHARS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;

/** Thrown inside the scanner when the text leaves the subset; never escapes `scanBlockYaml`. */
class NotInSubset extends Error {}
function notInSubset(): never {
  throw new NotInSubset();
}

// The yaml Lexer's control tokens (see yaml's `CST.tokenType`).
const DOC_MODE = '\u0002';
const FLOW_ERROR_END = '\u0018';
const SCALAR_NEXT = '\u001f';

/** The core schema's scalar tags that resolve plain scalars to something else than a string, in the library's order. */
const CORE_TAGS: readonly ScalarTag[] = (new Schema({}).tags as ScalarTag[]).filter((tag) => tag.default === true && tag.test !== undefined);
const RESOLVE_OPTIONS = { intAsBigInt: false } as const;

/**
 * A plain scalar's value as the library's composer resolves it: the first
 * core schema tag whose test matches, else the string itself. Only strings
 * that start like a number, a null or a bool are tested.
 */
export function plainValue(source: string): unknown {
  const c = source.charCodeAt(0);
  const mayBeOther =
    (c >= 48 && c <= 57) ||
    c === 43 ||
    c === 45 ||
    c === 46 ||
    c === 126 ||
    (source.length <= 5 && (c === 110 || c === 78 || c === 116 || c === 84 || c === 102 || c === 70));
  if (mayBeOther) {
    for (const tag of CORE_TAGS) {
      if (tag.test?.test(source)) {
        const resolved = tag.resolve(source, notInSubset, RESOLVE_OPTIONS);
        return isScalar(resolved) ? resolved.value : resolved;
      }
    }
  }
  return source;
}

/** First characters the library refuses at the start of a plain scalar, and indicators the subset leaves to it. */
const BAD_PLAIN_START = new Set([',', '%', '|', '>', '@', '`', '!', '&', '*', '#', "'", '"', '[', ']', '{', '}', '?', ':']);

interface MapFrame {
  readonly kind: 'map';
  readonly indent: number;
  readonly node: TreeMap;
}
interface SeqFrame {
  readonly kind: 'seq';
  readonly indent: number;
  readonly node: TreeSeq;
}
type Frame = MapFrame | SeqFrame;

/** A key or sequence item whose value starts on a later line (or is empty). */
interface Pending {
  readonly frame: Frame;
  /** The key, for a mapping; `NO_KEY` for a sequence item. */
  readonly key: unknown;
}
const NO_KEY = Symbol('no key');
/** Stands for a value not yet read; always replaced before the scan ends. */
const EMPTY_PLACEHOLDER = emptyTreeScalar(0);

/** Sets a pending key's or item's value. */
function attachTo(pending: Pending, node: TreeNode): void {
  if (pending.frame.kind === 'map') pending.frame.node.entries.set(pending.key, node);
  else pending.frame.node.items.push(node);
}

class BlockScanner {
  private readonly tokens: Iterator<string>;
  /** The current token, and whether the Lexer marked it as a plain scalar (or block scalar content). */
  private token: string | undefined;
  private plain = false;
  /** Offset of the current token in the text. */
  private offset = 0;
  private readonly documents: YamlDocument[] = [];
  private root: TreeNode | undefined;
  private inDocument = false;
  private docStarted = false;
  private docHasContent = false;
  private readonly stack: Frame[] = [];
  private pending: Pending | undefined;
  /** Set when a block scalar's content has consumed the line end: `endLine` must not look for one. */
  private lineDone = false;
  /** After `...`: the next document must start with `---`. */
  private afterDocumentEnd = false;

  constructor(private readonly text: string) {
    this.tokens = new Lexer().lex(text)[Symbol.iterator]();
    this.next();
  }

  /** Moves to the next source token; zero-width control tokens are folded in. */
  private next(): void {
    if (this.token !== undefined) this.offset += this.token.length;
    this.plain = false;
    for (;;) {
      const step = this.tokens.next();
      if (step.done === true) {
        this.token = undefined;
        return;
      }
      const token = step.value;
      if (token === SCALAR_NEXT) {
        // The next token is a plain scalar or block scalar content, which may be empty.
        const scalar = this.tokens.next();
        if (scalar.done === true) notInSubset();
        this.plain = true;
        this.token = scalar.value as string;
        return;
      }
      if (token === DOC_MODE) {
        this.inDocument = true;
        continue;
      }
      if (token === FLOW_ERROR_END) notInSubset();
      // An empty newline token (end of input) has no width and no meaning here.
      if (token === '') continue;
      this.token = token;
      return;
    }
  }

  /** The current token, read through a call so that type narrowing does not outlive `next()`. */
  private current(): string | undefined {
    return this.token;
  }

  private atLineEnd(): boolean {
    return this.token === undefined || this.token === '\n';
  }

  private skipSpace(): boolean {
    if (!this.plain && this.token !== undefined && this.token[0] === ' ') {
      this.next();
      return true;
    }
    return false;
  }

  /** After a node: optional space, optional comment (after space), then the line's end. */
  private endLine(): void {
    if (this.lineDone) {
      // A block scalar's content ends at the start of a line.
      this.lineDone = false;
      return;
    }
    const spaced = this.skipSpace();
    if (!this.plain && this.token !== undefined && this.token[0] === '#') {
      if (!spaced) notInSubset();
      this.next();
    }
    if (this.token === '\n') this.next();
    else if (this.token !== undefined) notInSubset();
  }

  scan(): YamlDocument[] {
    while (this.token !== undefined) this.line();
    this.endDocument();
    return this.documents;
  }

  private endDocument(): void {
    if (!this.inDocument) return;
    this.closePending();
    this.stack.length = 0;
    // An empty document holds an empty scalar, as the library's composer makes it.
    this.documents.push({ contents: this.root ?? emptyTreeScalar(this.offset) });
    this.root = undefined;
    this.inDocument = false;
    this.docStarted = false;
    this.docHasContent = false;
  }

  private closePending(): void {
    const pending = this.pending;
    if (pending === undefined) return;
    this.pending = undefined;
    attachTo(pending, emptyTreeScalar(this.offset));
  }

  private line(): void {
    const lineStart = this.offset;
    if (!this.plain && this.token !== undefined && this.token[0] === ' ') this.next();
    const indent = this.offset - lineStart;
    if (this.token === undefined) return;
    if (!this.plain) {
      if (this.token === '\n') {
        this.next();
        return;
      }
      if (this.token[0] === '#') {
        this.next();
        this.endLine();
        return;
      }
      if (this.token === '---') {
        if (indent !== 0) notInSubset();
        if (this.inDocument && (this.docStarted || this.docHasContent)) this.endDocument();
        this.inDocument = true;
        this.docStarted = true;
        this.afterDocumentEnd = false;
        this.next();
        this.endLine();
        return;
      }
      if (this.token === '...') {
        // Ends the document; only comments or `---` may follow it here.
        if (indent !== 0 || !this.inDocument) notInSubset();
        this.endDocument();
        this.afterDocumentEnd = true;
        this.next();
        this.endLine();
        return;
      }
    }
    if (this.afterDocumentEnd) notInSubset();
    this.content(indent);
  }

  /** A line with content at column `indent`. */
  private content(indent: number): void {
    this.docHasContent = true;
    const isItem = !this.plain && this.token === '-';
    const pending = this.pending;
    if (pending !== undefined) {
      if (indent > pending.frame.indent) {
        this.pending = undefined;
        this.startValueLine(indent, isItem, false, (node) => attachTo(pending, node));
        return;
      }
      if (indent === pending.frame.indent && pending.frame.kind === 'map' && isItem) {
        // `key:` then `- item` at the key's own column: a block sequence is the value.
        this.pending = undefined;
        const seq: TreeSeq = { kind: 'seq', items: [] };
        attachTo(pending, seq);
        this.stack.push({ kind: 'seq', indent, node: seq });
        this.item(indent);
        return;
      }
      this.closePending();
    }
    while (this.stack.length > 0 && (this.stack[this.stack.length - 1] as Frame).indent > indent) this.stack.pop();
    let top = this.stack[this.stack.length - 1];
    if (top === undefined) {
      if (this.root !== undefined || indent !== 0) notInSubset();
      this.startValueLine(indent, isItem, true, (node) => {
        this.root = node;
      });
      return;
    }
    if (top.indent !== indent) notInSubset();
    if (top.kind === 'seq' && !isItem) {
      // The sequence was the value of a key at this same column; the mapping goes on.
      this.stack.pop();
      top = this.stack[this.stack.length - 1];
      if (top === undefined || top.kind !== 'map' || top.indent !== indent) notInSubset();
    }
    if (top.kind === 'seq') {
      this.item(indent);
      return;
    }
    if (isItem) notInSubset();
    this.entry(top, indent);
  }

  /**
   * The first line of a value (the root, a pending key's or item's): a block
   * mapping or sequence starting here, or a one-line node.
   */
  private startValueLine(indent: number, isItem: boolean, isRoot: boolean, attach: (node: TreeNode) => void): void {
    if (isItem) {
      const seq: TreeSeq = { kind: 'seq', items: [] };
      attach(seq);
      this.stack.push({ kind: 'seq', indent, node: seq });
      this.item(indent);
      return;
    }
    if (this.isKeyHere()) {
      const map: TreeMap = { kind: 'map', entries: new Map() };
      attach(map);
      const frame: MapFrame = { kind: 'map', indent, node: map };
      this.stack.push(frame);
      this.entry(frame, indent);
      return;
    }
    // The root is a mapping or a sequence in the files the subset covers.
    if (isRoot) notInSubset();
    attach(this.inlineValue(indent));
    this.endLine();
  }

  /** Whether the current token is a one-line key followed by `:`. */
  private isKeyHere(): boolean {
    const token = this.token;
    if (token === undefined) return false;
    if (!this.plain && token[0] !== '"' && token[0] !== "'") return false;
    // Peeking is not possible on the Lexer's iterator: a key is a scalar whose text in the source is followed by ':'.
    const after = this.offset + token.length;
    return this.text.charCodeAt(after) === 58 && (after + 1 === this.text.length || this.text[after + 1] === ' ' || this.text[after + 1] === '\n');
  }

  /** `- ` and what follows on the line, in the sequence at `indent`. */
  private item(indent: number): void {
    const frame = this.stack[this.stack.length - 1];
    if (frame === undefined || frame.kind !== 'seq') notInSubset();
    this.next(); // '-'
    if (this.atLineEnd()) {
      this.pending = { frame, key: NO_KEY };
      this.endLine();
      return;
    }
    const spaceStart = this.offset;
    if (!this.skipSpace()) notInSubset();
    const column = indent + 1 + (this.offset - spaceStart);
    if (this.atLineEnd() || (!this.plain && this.token !== undefined && this.token[0] === '#')) {
      this.pending = { frame, key: NO_KEY };
      this.endLine();
      return;
    }
    if (!this.plain && this.token === '-') notInSubset();
    if (this.isKeyHere()) {
      // A compact mapping: `- name: api`, its keys at the column of the first.
      const map: TreeMap = { kind: 'map', entries: new Map() };
      frame.node.items.push(map);
      const mapFrame: MapFrame = { kind: 'map', indent: column, node: map };
      this.stack.push(mapFrame);
      this.entry(mapFrame, column);
      return;
    }
    frame.node.items.push(this.inlineValue(column));
    this.endLine();
  }

  /** `key:` and what follows on the line, in the mapping of `frame`. */
  private entry(frame: MapFrame, indent: number): void {
    if (!this.isKeyHere()) notInSubset();
    const key = this.keyScalar().value;
    const { entries } = frame.node;
    if (entries.has(key)) notInSubset();
    this.next(); // ':'
    const spaced = this.skipSpace();
    if (this.atLineEnd() || (!this.plain && this.token !== undefined && this.token[0] === '#')) {
      if (this.token !== undefined && this.token[0] === '#' && !spaced) notInSubset();
      // Holds the key's place in the mapping's order until its value is known.
      entries.set(key, EMPTY_PLACEHOLDER);
      this.pending = { frame, key };
      this.endLine();
      return;
    }
    if (!spaced) notInSubset();
    entries.set(key, this.inlineValue(indent));
    this.endLine();
  }

  /** A key: a one-line plain or quoted scalar of at most 1,000 characters. */
  private keyScalar(): TreeScalar {
    if ((this.token as string).length > 1000) notInSubset();
    return this.flowScalar();
  }

  /** A plain or quoted scalar on one line, as the library resolves it. */
  private flowScalar(): TreeScalar {
    const token = this.token as string;
    const start = this.offset;
    let node: TreeScalar;
    if (this.plain) {
      if (token.includes('\n') || BAD_PLAIN_START.has(token[0] as string)) notInSubset();
      node = { kind: 'scalar', value: plainValue(token), source: token, type: Scalar.PLAIN, start, end: start + token.length };
    } else if (token[0] === '"' || token[0] === "'") {
      if (token.includes('\n') || token.length < 2 || token[token.length - 1] !== token[0]) notInSubset();
      let value = token.slice(1, -1);
      if (token[0] === "'") {
        if (value.includes("'")) value = value.replace(/''/g, "'");
      } else if (value.includes('\\') || value.includes('"')) {
        const resolved = CST.resolveAsScalar({ type: 'double-quoted-scalar', offset: start, indent: 0, source: token }, true, notInSubset);
        if (resolved === null) return notInSubset();
        value = resolved.value;
      }
      const type = token[0] === "'" ? Scalar.QUOTE_SINGLE : Scalar.QUOTE_DOUBLE;
      node = { kind: 'scalar', value, source: value, type, start, end: start + token.length };
    } else {
      return notInSubset();
    }
    this.next();
    return node;
  }

  /**
   * A value on the rest of the line: a scalar, a one-line flow collection,
   * or a block scalar (`|`, `>`, with chomping only). `indent` is the column
   * the library's parser gives the node's line.
   */
  private inlineValue(indent: number): TreeNode {
    const token = this.token;
    if (token === undefined) return notInSubset();
    if (this.plain || token[0] === '"' || token[0] === "'") return this.flowScalar();
    if (token === '[' || token === '{') return this.flowCollection(0);
    if (token[0] === '|' || token[0] === '>') return this.blockScalar(indent);
    return notInSubset();
  }

  private blockScalar(indent: number): TreeScalar {
    const header = this.token as string;
    if (!/^[|>][-+]?$/.test(header)) notInSubset();
    const start = this.offset;
    const props: CST.SourceToken[] = [{ type: 'block-scalar-header', offset: start, indent, source: header }];
    this.next();
    if (!this.plain && this.token !== undefined && this.token[0] === ' ') {
      props.push({ type: 'space', offset: this.offset, indent, source: this.token });
      this.next();
      if (this.plain || this.current()?.[0] !== '#') notInSubset();
    }
    const comment = this.current();
    if (!this.plain && comment !== undefined && comment[0] === '#') {
      props.push({ type: 'comment', offset: this.offset, indent, source: comment });
      this.next();
    }
    if (this.current() !== '\n') return notInSubset();
    props.push({ type: 'newline', offset: this.offset, indent, source: '\n' });
    this.next();
    // The Lexer hands the content (possibly empty) as one scalar token that ends at a line start.
    const source = this.current();
    if (!this.plain || source === undefined) return notInSubset();
    if (source !== '' && source[source.length - 1] !== '\n') notInSubset();
    const resolved = CST.resolveAsScalar({ type: 'block-scalar', offset: start, indent, props, source }, true, notInSubset);
    if (resolved === null) return notInSubset();
    const node: TreeScalar = {
      kind: 'scalar',
      value: resolved.value,
      source: resolved.value,
      type: resolved.type ?? undefined,
      start: resolved.range[0],
      end: resolved.range[1],
    };
    this.next();
    // The content token ends at the start of a line: that line is the next to read.
    this.lineDone = true;
    return node;
  }

  /** `[a, b]`, `{ a: 1, b: [c] }` on one line; no empty entries, no pairs in sequences, no comments. */
  private flowCollection(depth: number): TreeMap | TreeSeq {
    if (depth > 20) notInSubset();
    const isMap = this.token === '{';
    const close = isMap ? '}' : ']';
    const entries = new Map<unknown, TreeNode>();
    const items: TreeNode[] = [];
    const node: TreeMap | TreeSeq = isMap ? { kind: 'map', entries } : { kind: 'seq', items };
    this.next();
    this.skipSpace();
    if (!this.plain && this.token === close) {
      this.next();
      return node;
    }
    for (;;) {
      const token = this.token;
      if (token === undefined || token === '\n') return notInSubset();
      if (isMap) {
        if (!(this.plain || token[0] === '"' || token[0] === "'")) notInSubset();
        const key = this.keyScalar().value;
        if (this.plain || this.token !== ':') notInSubset();
        if (entries.has(key)) notInSubset();
        this.next();
        this.skipSpace();
        entries.set(key, this.flowItem(depth));
      } else {
        items.push(this.flowItem(depth));
      }
      this.skipSpace();
      if (this.plain) notInSubset();
      if (this.token === close) {
        this.next();
        return node;
      }
      if (this.token !== ',') notInSubset();
      this.next();
      this.skipSpace();
      // A trailing comma, an empty entry: left to the library.
      if (this.plain) continue;
      const after = this.current();
      if (after === close || after === ',') notInSubset();
    }
  }

  private flowItem(depth: number): TreeNode {
    const token = this.token;
    if (token === undefined) return notInSubset();
    if (!this.plain && (token === '[' || token === '{')) return this.flowCollection(depth + 1);
    if (this.plain || token[0] === '"' || token[0] === "'") {
      if (this.plain && /[,[\]{}#]/.test(token)) notInSubset();
      const node = this.flowScalar();
      // `[a: b]` is a pair in a sequence; left to the library.
      if (!this.plain && this.token === ':') notInSubset();
      return node;
    }
    return notInSubset();
  }
}
