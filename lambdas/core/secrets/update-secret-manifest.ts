import { type Document, isAlias, isMap, isScalar, isSeq, type Pair, Scalar, type YAMLMap } from 'yaml';
import { ValidationError } from '../../shared/errors';
import { parseYamlDocuments } from '../yaml/image-sites';
import {
  type DesiredExternalSecret,
  type DesiredSecretManifest,
  type DesiredVaultStaticSecret,
  desiredSecretManifest,
  type ManifestEdit,
  type SecretManifestTarget,
} from './desired-secret-manifest';
import { sameDuration } from './kubernetes-duration';
import { renderSafeScalar } from './safe-scalar';
import type { SecretSyncConfig } from './secret-sync-config';

/*
 * In-place edits of a manifest file a person may have changed: only the bytes
 * of the fields Hoist decides change; comments, key order, quoting, blank
 * lines and other documents stay as they are.
 *
 * Which `data` entries are Hoist's: those whose remoteRef.key is the target's
 * key (its Vault path, or its Secrets Manager name) and that name a property.
 * One is removed when its property is no longer a key of the secret. An entry
 * reading another key is a person's and is left alone, except one that looks
 * exactly like Hoist's (secretKey equal to property, a key of the secret that
 * no entry covers yet): that is what Hoist wrote before the path moved, and
 * its remoteRef.key follows the move.
 *
 * A removed entry takes its own lines, its trailing comments, and the comment
 * lines right above it at its dash's column when it is not the first entry
 * (no blank line between): those are its own. Comments above the first entry
 * may be about the whole list and stay.
 */

interface Splice {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/**
 * Brings one service and environment's manifest in `text` up to date:
 * `unchanged` when it already is, `edited` with the new text, or `refused`
 * with a reason naming the document and field when the file holds no such
 * manifest or one Hoist cannot edit without touching more than its own fields.
 */
export function updateSecretManifest(config: SecretSyncConfig, target: SecretManifestTarget, text: string): ManifestEdit {
  let splices: Splice[];
  try {
    const desired = desiredSecretManifest(config, target);
    const documents = parseYamlDocuments(text, 'the manifest file');
    const { root, where } = findManifest(documents, desired);
    const editor = new ManifestEditor(text, where);
    splices = desired.kind === 'ExternalSecret' ? editor.externalSecret(root, desired) : editor.vaultStaticSecret(root, desired);
  } catch (error) {
    if (error instanceof ValidationError) return { kind: 'refused', reason: error.message };
    throw error;
  }
  if (splices.length === 0) return { kind: 'unchanged' };
  const edited = applySplices(text, splices);
  return edited === text ? { kind: 'unchanged' } : { kind: 'edited', text: edited };
}

const scalarText = (node: unknown): string | undefined =>
  isScalar(node) && node.value !== null && typeof node.value !== 'object' ? String(node.value) : undefined;

function findManifest(documents: readonly Document.Parsed[], desired: DesiredSecretManifest): { root: YAMLMap; where: string } {
  const found: Array<{ root: YAMLMap; index: number }> = [];
  documents.forEach((doc, index) => {
    const root = doc.contents;
    if (!isMap(root) || scalarText(root.get('kind', true)) !== desired.kind) return;
    const metadata = root.get('metadata', true);
    if (!isMap(metadata) || scalarText(metadata.get('name', true)) !== desired.name) return;
    const namespace = scalarText(metadata.get('namespace', true));
    if (namespace !== undefined && namespace !== desired.namespace) return;
    found.push({ root, index });
  });
  const [first, second] = found;
  if (first === undefined)
    throw new ValidationError(
      `no ${desired.kind} named ${desired.name} in namespace ${desired.namespace} among the file's ${documents.length} document(s); Hoist edits only a manifest it finds`,
    );
  if (second !== undefined)
    throw new ValidationError(
      `documents ${first.index + 1} and ${second.index + 1} are both ${desired.kind} ${desired.name}; Hoist cannot tell which one to edit`,
    );
  return { root: first.root, where: `document ${first.index + 1} (${desired.kind} ${desired.name})` };
}

/** Joins the text once around the splices: linear in the size of the file. */
function applySplices(text: string, splices: readonly Splice[]): string {
  const ordered = [...splices].sort((a, b) => a.start - b.start);
  const pieces: string[] = [];
  let copied = 0;
  for (const splice of ordered) {
    if (splice.start < copied) throw new Error('overlapping manifest splices');
    pieces.push(text.slice(copied, splice.start), splice.text);
    copied = splice.end;
  }
  pieces.push(text.slice(copied));
  return pieces.join('');
}

/** One `data` item as written. */
interface DataEntry {
  readonly index: number;
  readonly item: unknown;
  readonly secretKey?: string;
  readonly secretKeyNode?: Scalar;
  readonly remoteRef?: YAMLMap;
  readonly remoteKeyNode?: Scalar;
  readonly remoteKey?: string;
  readonly property?: string;
  readonly propertyNode?: Scalar;
}

/** How new data entries are written, copied from an entry already there. */
interface EntryLayout {
  readonly dashColumn: number;
  readonly keyColumn: number;
  readonly flowItem: boolean;
  readonly secretKeyFirst: boolean;
  readonly remoteRefFlow: boolean;
  readonly flowPadding: boolean;
  readonly remoteRefColumn: number;
  readonly keyBeforeProperty: boolean;
  readonly styles: { readonly secretKey?: Scalar.Type; readonly key?: Scalar.Type; readonly property?: Scalar.Type };
}

class ManifestEditor {
  private readonly eol: string;

  constructor(
    private readonly text: string,
    private readonly where: string,
  ) {
    this.eol = text.includes('\r\n') ? '\r\n' : '\n';
  }

  externalSecret(root: YAMLMap, desired: DesiredExternalSecret): Splice[] {
    const spec = this.mapAt(root, 'spec', 'spec');
    const storeRef = this.mapAt(spec, 'secretStoreRef', 'spec.secretStoreRef');
    return [
      ...this.setScalar(spec, 'spec', 'refreshInterval', desired.refreshInterval, sameDuration),
      ...this.setScalar(storeRef, 'spec.secretStoreRef', 'name', desired.storeRef.name),
      ...this.setScalar(storeRef, 'spec.secretStoreRef', 'kind', desired.storeRef.kind),
      ...this.dataSplices(spec, desired),
    ];
  }

  vaultStaticSecret(root: YAMLMap, desired: DesiredVaultStaticSecret): Splice[] {
    const spec = this.mapAt(root, 'spec', 'spec');
    return [
      ...this.setScalar(spec, 'spec', 'vaultAuthRef', desired.vaultAuthRef),
      ...this.setScalar(spec, 'spec', 'mount', desired.mount),
      ...this.setScalar(spec, 'spec', 'type', 'kv-v2'),
      ...this.setScalar(spec, 'spec', 'path', desired.path),
      ...this.setScalar(spec, 'spec', 'refreshAfter', desired.refreshAfter, sameDuration),
    ];
  }

  private refuse(path: string, why: string): never {
    throw new ValidationError(`${this.where}: ${path}: ${why}`);
  }

  /** Refuses aliases and anchored nodes: an edit there would show up wherever the anchor is used, too. */
  private checkWrittenInPlace(node: unknown, path: string): void {
    if (isAlias(node)) this.refuse(path, `an alias (*${node.source}); Hoist edits only values written in place`);
    if ((isMap(node) || isSeq(node) || isScalar(node)) && node.anchor)
      this.refuse(path, `has an anchor (&${node.anchor}); editing it would change its aliases too`);
  }

  private pairOf(map: YAMLMap, key: string): Pair | undefined {
    return map.items.find((pair) => isScalar(pair.key) && pair.key.value === key);
  }

  private mapAt(parent: YAMLMap, key: string, path: string): YAMLMap {
    const node = this.pairOf(parent, key)?.value;
    if (node === undefined || node === null) this.refuse(path, 'missing');
    this.checkWrittenInPlace(node, path);
    if (!isMap(node)) this.refuse(path, 'not a mapping');
    return node;
  }

  private lineStart(offset: number): number {
    return this.text.lastIndexOf('\n', offset - 1) + 1;
  }

  /** Replaces a scalar field's value when it differs, or adds the field as the mapping's first line. */
  private setScalar(map: YAMLMap, mapPath: string, key: string, value: string, same: (a: string, b: string) => boolean = (a, b) => a === b): Splice[] {
    const path = `${mapPath}.${key}`;
    const pair = this.pairOf(map, key);
    if (pair === undefined) return [this.insertField(map, mapPath, key, value)];
    const node = pair.value;
    this.checkWrittenInPlace(node, path);
    if (!isScalar(node) || !node.range) this.refuse(path, 'not a scalar');
    const current = scalarText(node);
    if (current !== undefined && same(current, value)) return [];
    if (node.type === Scalar.BLOCK_FOLDED || node.type === Scalar.BLOCK_LITERAL) this.refuse(path, 'a block scalar (| or >); write it on one line');
    const [start, end] = node.range;
    // `key:` with nothing after it: the value goes after one space.
    const rendered = renderSafeScalar(value, current === undefined ? undefined : node.type);
    return [{ start, end, text: start === end ? ` ${rendered}` : rendered }];
  }

  private insertField(map: YAMLMap, mapPath: string, key: string, value: string): Splice {
    const firstKey = map.items[0]?.key;
    if (map.flow || !isScalar(firstKey) || !firstKey.range)
      this.refuse(`${mapPath}.${key}`, `missing, and ${mapPath} is not a block mapping Hoist can add it to`);
    const at = firstKey.range[0];
    const start = this.lineStart(at);
    const indent = this.text.slice(start, at);
    if (!/^ *$/.test(indent)) this.refuse(`${mapPath}.${key}`, `missing, and ${mapPath} does not start on its own line`);
    return { start, end: start, text: `${indent}${key}: ${renderSafeScalar(value)}${this.eol}` };
  }

  private dataSplices(spec: YAMLMap, desired: DesiredExternalSecret): Splice[] {
    const dataPair = this.pairOf(spec, 'data');
    // `dataFrom: [{ extract: { key } }]` of the synced path already reads every key: nothing to add or remove.
    if (dataPair === undefined && this.extractsWholeSecret(spec, desired.remoteKey)) return [];
    if (dataPair === undefined) this.refuse('spec.data', 'missing; Hoist adds entries only to a block list that is there');
    const seq = dataPair.value;
    this.checkWrittenInPlace(seq, 'spec.data');
    if (!isSeq(seq)) this.refuse('spec.data', 'not a list');
    if (seq.flow) this.refuse('spec.data', 'a flow sequence ([...]); Hoist edits only block lists (one `- ` item per entry)');
    if (seq.items.length === 0) this.refuse('spec.data', 'an empty list');
    const entries = seq.items.map((item, index) => this.readEntry(item, index));

    const keys = new Set(desired.keys);
    const covered = new Set<string>();
    const owned: DataEntry[] = [];
    const removed = new Set<DataEntry>();
    const splices: Splice[] = [];
    for (const entry of entries) {
      if (entry.remoteKey !== desired.remoteKey || entry.property === undefined) continue;
      owned.push(entry);
      if (keys.has(entry.property) && !covered.has(entry.property)) covered.add(entry.property);
      else if (!keys.has(entry.property)) removed.add(entry);
    }
    for (const entry of entries) {
      const { remoteKey, property, remoteRef } = entry;
      if (remoteKey === undefined || remoteKey === desired.remoteKey || property === undefined || remoteRef === undefined) continue;
      if (entry.secretKey !== property || !keys.has(property) || covered.has(property)) continue;
      owned.push(entry);
      covered.add(property);
      splices.push(...this.setScalar(remoteRef, `spec.data[${entry.index}].remoteRef`, 'key', desired.remoteKey));
    }

    const missing = desired.keys.filter((key) => !covered.has(key));
    const filled = new Map<string, number>();
    for (const entry of entries) if (entry.secretKey !== undefined && !removed.has(entry)) filled.set(entry.secretKey, entry.index);
    for (const key of missing) {
      const at = filled.get(key);
      if (at !== undefined)
        this.refuse(`spec.data[${at}]`, `already fills secretKey ${key} from somewhere else than ${desired.remoteKey}; Hoist would write the key twice`);
    }

    const ends = seq.items.map((item, index) => this.itemEnd(item, `spec.data[${index}]`));
    for (const entry of removed) {
      const path = `spec.data[${entry.index}]`;
      this.checkWrittenInPlace(entry.item, path);
      splices.push({ start: this.removalStart(entry, ends[entry.index - 1]), end: ends[entry.index] ?? this.text.length, text: '' });
    }
    if (missing.length > 0) {
      const reference = owned.at(-1) ?? entries.findLast((entry) => entry.secretKey !== undefined && entry.remoteRef !== undefined) ?? entries.at(-1);
      const layout = this.layoutOf(reference);
      const at = ends.at(-1) ?? this.text.length;
      const lines = missing.map((key) => this.renderEntry(layout, key, desired.remoteKey));
      const atEndWithoutNewline = at === this.text.length && !this.text.endsWith('\n');
      splices.push({
        start: at,
        end: at,
        text: atEndWithoutNewline ? `${this.eol}${lines.join(this.eol)}` : `${lines.join(this.eol)}${this.eol}`,
      });
    }
    return splices;
  }

  private extractsWholeSecret(spec: YAMLMap, remoteKey: string): boolean {
    const dataFrom = this.pairOf(spec, 'dataFrom')?.value;
    if (!isSeq(dataFrom)) return false;
    return dataFrom.items.some((item) => {
      if (!isMap(item)) return false;
      const extract = item.get('extract', true);
      if (!isMap(extract)) return false;
      const key = extract.get('key', true);
      return isScalar(key) && key.value === remoteKey;
    });
  }

  private readEntry(item: unknown, index: number): DataEntry {
    const path = `spec.data[${index}]`;
    if (isAlias(item)) this.refuse(path, `an alias (*${item.source}); Hoist cannot tell whose entry it is`);
    if (!isMap(item)) return { index, item };
    if (item.items.some((pair) => isScalar(pair.key) && pair.key.value === '<<'))
      this.refuse(path, 'uses a merge key (<<); Hoist cannot tell whose entry it is');
    const secretKeyNode = this.pairOf(item, 'secretKey')?.value;
    const remoteRef = this.pairOf(item, 'remoteRef')?.value;
    if (isAlias(secretKeyNode) || isAlias(remoteRef))
      this.refuse(path, 'reads its secretKey or remoteRef through an alias; Hoist cannot tell whose entry it is');
    const secretKey = isScalar(secretKeyNode) ? { secretKeyNode, secretKey: scalarText(secretKeyNode) } : {};
    if (!isMap(remoteRef)) return { index, item, ...secretKey };
    const keyNode = this.pairOf(remoteRef, 'key')?.value;
    const propertyNode = this.pairOf(remoteRef, 'property')?.value;
    if (isAlias(keyNode) || isAlias(propertyNode))
      this.refuse(`${path}.remoteRef`, 'reads key or property through an alias; Hoist cannot tell whose entry it is');
    return {
      index,
      item,
      ...secretKey,
      remoteRef,
      ...(isScalar(keyNode) ? { remoteKeyNode: keyNode, remoteKey: scalarText(keyNode) } : {}),
      ...(isScalar(propertyNode) ? { propertyNode, property: scalarText(propertyNode) } : {}),
    };
  }

  /** Offset of an item's `-` indicator. */
  private dashOf(item: unknown, path: string): number {
    const start = isMap(item) || isSeq(item) || isScalar(item) ? item.range?.[0] : undefined;
    if (start === undefined) this.refuse(path, 'has no place in the text');
    let at = start - 1;
    while (at >= 0 && ' \t\r\n'.includes(this.text[at] ?? '')) at -= 1;
    if (this.text[at] !== '-') this.refuse(path, 'has something between its `-` and its value; Hoist edits only plain `- ` items');
    return at;
  }

  /** The start of the line after the item's last line. */
  private itemEnd(item: unknown, path: string): number {
    const end = isMap(item) || isSeq(item) || isScalar(item) ? item.range?.[1] : undefined;
    if (end === undefined) this.refuse(path, 'has no place in the text');
    if (end > 0 && this.text[end - 1] === '\n') return end;
    const newline = this.text.indexOf('\n', end);
    return newline === -1 ? this.text.length : newline + 1;
  }

  /** The item's first line, or the first of the comment lines that are its own (see the file's comment). */
  private removalStart(entry: DataEntry, previousEnd: number | undefined): number {
    const dash = this.dashOf(entry.item, `spec.data[${entry.index}]`);
    let start = this.lineStart(dash);
    if (previousEnd === undefined) return start;
    const column = dash - start;
    while (start > previousEnd) {
      const above = this.lineStart(start - 1);
      const line = this.text.slice(above, start - 1);
      if (!/^ *#/.test(line) || line.indexOf('#') !== column) break;
      start = above;
    }
    return start;
  }

  private layoutOf(reference: DataEntry | undefined): EntryLayout {
    const fallback = { secretKeyFirst: true, keyBeforeProperty: true, remoteRefFlow: false, flowItem: false, flowPadding: false, styles: {} };
    if (reference === undefined) this.refuse('spec.data', 'has no entry to take the layout from');
    const dash = this.dashOf(reference.item, `spec.data[${reference.index}]`);
    const dashColumn = dash - this.lineStart(dash);
    const item = reference.item;
    const firstKey = isMap(item) ? item.items[0]?.key : undefined;
    if (!isMap(item) || !isScalar(firstKey) || !firstKey.range || reference.remoteRef === undefined) {
      return { ...fallback, dashColumn, keyColumn: dashColumn + 2, remoteRefColumn: dashColumn + 4 };
    }
    const keyColumn = item.flow ? dashColumn + 2 : firstKey.range[0] - this.lineStart(firstKey.range[0]);
    const remoteRef = reference.remoteRef;
    const refFirstKey = remoteRef.items[0]?.key;
    const remoteRefColumn = isScalar(refFirstKey) && refFirstKey.range ? refFirstKey.range[0] - this.lineStart(refFirstKey.range[0]) : keyColumn + 2;
    const padded = (node: YAMLMap): boolean => node.range !== undefined && node.range !== null && this.text[node.range[0] + 1] === ' ';
    const indexOfKey = (map: YAMLMap, key: string): number => map.items.findIndex((pair) => isScalar(pair.key) && pair.key.value === key);
    return {
      dashColumn,
      keyColumn: Math.max(keyColumn, dashColumn + 2),
      flowItem: item.flow === true,
      secretKeyFirst: indexOfKey(item, 'secretKey') <= indexOfKey(item, 'remoteRef'),
      remoteRefFlow: remoteRef.flow === true,
      flowPadding: item.flow ? padded(item) : padded(remoteRef),
      remoteRefColumn,
      keyBeforeProperty: indexOfKey(remoteRef, 'key') <= indexOfKey(remoteRef, 'property'),
      styles: { secretKey: reference.secretKeyNode?.type, key: reference.remoteKeyNode?.type, property: reference.propertyNode?.type },
    };
  }

  private renderEntry(layout: EntryLayout, key: string, remoteKey: string): string {
    const secretKey = `secretKey: ${renderSafeScalar(key, layout.styles.secretKey)}`;
    const refFields = [`key: ${renderSafeScalar(remoteKey, layout.styles.key)}`, `property: ${renderSafeScalar(key, layout.styles.property)}`];
    if (!layout.keyBeforeProperty) refFields.reverse();
    const flow = (fields: readonly string[]): string => (layout.flowPadding ? `{ ${fields.join(', ')} }` : `{${fields.join(', ')}}`);
    const dash = `${' '.repeat(layout.dashColumn)}-${' '.repeat(layout.keyColumn - layout.dashColumn - 1)}`;
    if (layout.flowItem) {
      const fields = [secretKey, `remoteRef: ${flow(refFields)}`];
      return `${' '.repeat(layout.dashColumn)}- ${flow(layout.secretKeyFirst ? fields : fields.reverse())}`;
    }
    const remoteRef = layout.remoteRefFlow
      ? [`remoteRef: ${flow(refFields)}`]
      : ['remoteRef:', ...refFields.map((field) => `${' '.repeat(layout.remoteRefColumn)}${field}`)];
    const lines = layout.secretKeyFirst ? [secretKey, ...remoteRef] : [...remoteRef, secretKey];
    return lines.map((line, i) => (i === 0 ? `${dash}${line}` : /^ /.test(line) ? line : `${' '.repeat(layout.keyColumn)}${line}`)).join(this.eol);
  }
}
