import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { largeValuesFile } from '../../../../bench/values-files';
import { parseYamlDocuments } from '../../../../lambdas/core/yaml/image-sites';
import { renderScalar } from '../../../../lambdas/core/yaml/scalar-splice';
import { plainValue, scanBlockYaml } from '../../../../lambdas/core/yaml/scan-block-yaml';
import { type TreeNode, treeOf } from '../../../../lambdas/core/yaml/yaml-tree';

const fixtures = join(import.meta.dirname, '../../../fixtures');
const read = (path: string) => readFileSync(join(fixtures, path), 'utf8');

/** The parts of a tree the bump engine reads: kinds, keys in order, scalar values, styles, sources and value ranges. */
function shape(node: TreeNode): unknown {
  switch (node.kind) {
    case 'map':
      return { map: [...node.entries].map(([key, value]) => [key, shape(value)]) };
    case 'seq':
      return { seq: node.items.map(shape) };
    case 'scalar':
      // Where an empty value stands is never read (it is not a string to edit).
      return node.value === null
        ? { value: null, type: node.type, source: node.source }
        : { value: node.value, type: node.type, source: node.source, start: node.start, end: node.end };
    case 'other':
      return node;
  }
}

/** What the library makes of a text: its documents' shapes, or that it refuses it. */
function libraryReading(text: string): { refused: true } | { refused: false; documents: unknown[] } {
  try {
    return { refused: false, documents: parseYamlDocuments(text, 'f.yaml').map((doc) => shape(treeOf(doc.contents))) };
  } catch {
    return { refused: true };
  }
}

/** The scanner either leaves a text to the library or reads it exactly as the library does. */
function expectSameReading(text: string): boolean {
  const scanned = scanBlockYaml(text);
  if (scanned === undefined) return false;
  const library = libraryReading(text);
  expect(library, JSON.stringify(text.slice(0, 200))).toEqual({ refused: false, documents: scanned.map((doc) => shape(doc.contents)) });
  return true;
}

const goldenFiles = readdirSync(join(fixtures, 'golden')).map((name) => `golden/${name}`);
const realFiles = ['helm/argo-cd-values.yaml', ...goldenFiles, ...readdirSync(join(fixtures, 'secret-manifests')).map((name) => `secret-manifests/${name}`)];

describe('block YAML scanner: reads files as the yaml library does', () => {
  it('reads the argo-cd chart values.yaml itself', () => {
    expect(expectSameReading(read('helm/argo-cd-values.yaml'))).toBe(true);
  });

  it('reads the bench’s synthetic values file itself', () => {
    expect(expectSameReading(largeValuesFile(2000))).toBe(true);
  });

  // Anchors, aliases and merge keys are left to the library.
  const leftToLibrary = new Set(['golden/helm-values.before.yaml', 'golden/helm-values.after.yaml']);
  for (const file of realFiles) {
    it(`${leftToLibrary.has(file) ? 'leaves' : 'reads'} ${file} as the library does`, () => {
      expect(expectSameReading(read(file))).toBe(!leftToLibrary.has(file));
    });
  }

  it('covers the shapes values files and manifests use', () => {
    const cases = [
      'a: 1\nb:\n  c: "x" # hi\n  d: [1, {e: f}]\n',
      'k: |\n  foo\n  bar\nz: >-\n  q\n\n# c\n',
      'a:\n- 1\n-  b: 2\n   c: 3\nd: 4\n',
      'a: 1\n---\nb: 2\n',
      '---\na: 1\n',
      '# c\n---\na: 1\n---\n',
      'list:\n  - name: api\n    image: ghcr.io/a/api:1.4.2\n  - name: web\n    image: "ghcr.io/a/web:1"\n',
      "quoted: 'it''s'\ndq: \"a\\tb\\\"c\"\nempty:\nnull: ~\nbool: true\nn: 1.10\nhex: 0x1F\n",
      'x:\n  {}\n  # c\ny: []\n',
      'aff: |\n\nt: []\n',
      'a: |-\nb: 1\n',
      '- a\n-\n  - b\n-\n',
      'a:   \n  b: 1\n',
      'x: a:b\nurl: http://x/y#z\n',
      'cmd: [sh, -c, "echo hi"]\nargs:\n  - --insecure\n  - -v\n',
      'no-newline-at-end: 1',
      'a: 1\n...\n',
      'a: 1\n...\n# c\n---\nb: 2\n...\n',
      '---\na: 1\n---\n---\nb: 1\n',
      'keep: |+\n  x\n\nnext: 1\nstrip: >-\n  a\n   b\n\n  c\n',
      '- |\n  text\n- name: x\n  ports:\n  - 80\n  - a:\n    - y\n',
      'a:\n  b:\n    c: 1\n  d: 2\ne: 3\n',
    ];
    for (const text of cases) expect(expectSameReading(text), text).toBe(true);
  });

  it('leaves what it does not cover to the library', () => {
    const cases = [
      'a: &x 1\nb: *x\n',
      'a: !!str 1\n',
      '? a\n: b\n',
      'a: b\n  c\n',
      'a: "b\n  c"\n',
      'a: [1,\n  2]\n',
      'a:\tb\n',
      'a: 1\r\nb: 2\r\n',
      '%YAML 1.2\n---\na: 1\n',
      'a: 1\n...\nb: 2\n',
      'just a scalar\n',
      'a: [1, 2, ]\n',
      'a: |2\n   x\n',
    ];
    for (const text of cases) expect(scanBlockYaml(text), text).toBeUndefined();
  });

  it('leaves refused files to the library, which names the error', () => {
    const cases = [
      'a: 1\na: 2\n',
      'a:\n  b: 1\n c: 2\n',
      'a: 1\n- b\n',
      'a: "x\\q"\n',
      'a: { b: 1, b: 2 }\n',
      '1: a\n1.0: b\n',
      'a: b: c\n',
      'a: [\n',
      '- a\nb: 1\n',
      'a: "x"y\n',
      'a: "x"# c\n',
    ];
    for (const text of cases) {
      expect(scanBlockYaml(text), text).toBeUndefined();
      expect(libraryReading(text), text).toEqual({ refused: true });
    }
  });

  it('never reads a damaged file differently from the library', () => {
    // Lines of real files deleted, doubled, indented or dedented, characters dropped: whatever the scanner
    // accepts, the library must accept and read the same way. Deterministic, so a failure reproduces.
    let seed = 12345;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const sources = [read('helm/argo-cd-values.yaml').split('\n').slice(0, 400).join('\n'), ...goldenFiles.map(read), largeValuesFile(200)];
    let accepted = 0;
    for (let round = 0; round < 1000; round += 1) {
      const lines = (sources[random(sources.length)] as string).split('\n');
      for (let change = 0; change < 1 + random(3); change += 1) {
        const at = random(lines.length);
        const line = lines[at] ?? '';
        switch (random(7)) {
          case 0:
            lines.splice(at, 1);
            break;
          case 1:
            lines.splice(at, 0, line);
            break;
          case 2:
            lines[at] = ` ${line}`;
            break;
          case 3:
            lines[at] = line.replace(/^ {1,2}/, '');
            break;
          case 4: {
            const cut = random(line.length + 1);
            lines[at] = line.slice(0, cut) + line.slice(cut + 1);
            break;
          }
          case 5: {
            const cut = random(line.length + 1);
            const inserted = [':', ': ', '#', ' #', '"', "'", '[', ']', '{', '}', ',', '|', '>', '&a ', '*a', '!', '?', '-', '\\', '~', ' '][random(21)];
            lines[at] = line.slice(0, cut) + inserted + line.slice(cut);
            break;
          }
          default:
            lines[at] = `${line}${[':', ' #', '"', "'", ' [', '- x', ': y', '|'][random(8)]}`;
        }
      }
      if (expectSameReading(lines.join('\n'))) accepted += 1;
    }
    // Most damaged files stay within the subset; the check is not vacuous.
    expect(accepted).toBeGreaterThan(200);
  });
});

describe('plain values: resolved as the library resolves them', () => {
  it('agrees with yaml.parse on tags, digests, numbers, nulls and bools', () => {
    const values = [
      ...['1.4.3', '1.10', '1.0', '20261123', '0x1F', '0o17', '1e3', '1E-3', '1_000', '+1', '-1', '007', '1.', '.5'],
      ...['true', 'True', 'TRUE', 'tRue', 'false', 'null', 'Null', 'NULL', 'nil', 'nan', 'inf', 'yes', 'no', 'on', 'off', 'y', '~'],
      ...['v1.4.3', 'sha-3f2a9c1', '7.4.2-alpine', 'latest', 'main_2026-11-23', 'build+7', 'a/b', 'sha256:0000'],
    ];
    for (const value of values) expect(plainValue(value), value).toEqual(parse(value));
    for (const value of values) expect(renderScalar('PLAIN', value), value).toBe(parse(value) === value ? value : JSON.stringify(value));
  });
});

describe('block YAML scanner: keeps the library’s checks linear', () => {
  it('scans 80,000 keys of one mapping', () => {
    const lines = Array.from({ length: 80_000 }, (_, i) => `key${i}: value-${i}`);
    const documents = scanBlockYaml(`${lines.join('\n')}\n`);
    expect(documents).toHaveLength(1);
  });

  it('agrees with the library on an empty stream', () => {
    expect(scanBlockYaml('')).toEqual([]);
    expect(scanBlockYaml('# only a comment\n')).toEqual([]);
    expect(parseAllDocuments('# only a comment\n')).toHaveLength(0);
  });
});
