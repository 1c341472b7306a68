import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findMarkerSites, readYamlDocuments, sourceOf } from '../../../../lambdas/core/yaml/image-sites';
import type { ScalarEdit } from '../../../../lambdas/core/yaml/scalar-splice';
import { createYamlReader } from '../../../../lambdas/core/yaml/yaml-reader';
import type { ScalarView, TreeNode, TreeScalar, YamlDocument } from '../../../../lambdas/core/yaml/yaml-tree';

const fixture = (path: string) => readFileSync(join(import.meta.dirname, '../../../fixtures', path), 'utf8');

/** The documents with every scalar as it stands in their text (what the reader's view says of an edited text). */
function asTheyStand(documents: readonly YamlDocument[]): TreeNode[] {
  const stand = (node: TreeNode, view: ScalarView | undefined): TreeNode => {
    switch (node.kind) {
      case 'map':
        return { kind: 'map', entries: new Map([...node.entries].map(([key, value]) => [key, stand(value, view)])) };
      case 'seq':
        return { kind: 'seq', items: node.items.map((item) => stand(item, view)) };
      case 'scalar':
        // Where an empty value stands is never read.
        return view === undefined || node.value === null ? node : view(node);
      case 'other':
        return node;
    }
  };
  return documents.map((doc) => stand(doc.contents, doc.current));
}

/** Every string or number scalar of the documents as they stand, in document order. */
function scalarsOf(documents: readonly YamlDocument[]): TreeScalar[] {
  const found: TreeScalar[] = [];
  const walk = (node: TreeNode) => {
    if (node.kind === 'map') for (const value of node.entries.values()) walk(value);
    else if (node.kind === 'seq') for (const item of node.items) walk(item);
    else if (node.kind === 'scalar' && sourceOf(node) !== undefined) found.push(node);
  };
  for (const root of asTheyStand(documents)) walk(root);
  return found.sort((a, b) => a.start - b.start);
}

describe('YAML reader: one read per text', () => {
  it('reads a text once however often it is asked, and keeps a refusal', () => {
    const reader = createYamlReader();
    const text = fixture('helm/argo-cd-values.yaml');
    const first = reader.documentsOf(text, 'values.yaml');
    expect(reader.documentsOf(text, 'values.yaml')).toBe(first);
    expect(reader.reads).toBe(1);
    expect(() => reader.documentsOf('a: 1\na: 2\n', 'bad.yaml')).toThrowError("bad.yaml: not valid YAML: duplicate key 'a' at line 2 (first at line 1)");
    expect(() => reader.documentsOf('a: 1\na: 2\n', 'bad.yaml')).toThrowError(/duplicate key/);
    expect(reader.reads).toBe(2);
    // Another file with the same text is refused in its own name.
    expect(() => reader.documentsOf('a: 1\na: 2\n', 'other.yaml')).toThrowError(/^other\.yaml: not valid YAML/);
  });

  for (const file of ['helm/argo-cd-values.yaml', 'golden/helm-values.before.yaml', 'golden/workloads.before.yaml', 'golden/argocd-app.before.yaml']) {
    it(`follows edits of ${file} exactly as reading the edited text again would`, () => {
      const reader = createYamlReader();
      let text = fixture(file);
      const scalars = scalarsOf(reader.documentsOf(text, file));
      // Edit a few scalars at a time, with values that stay plain, need quotes, or change length; a few times
      // in a row, so that later edits land on scalars moved or rewritten by earlier ones.
      for (const round of [0, 1, 2, 0]) {
        const picked = scalarsOf(reader.documentsOf(text, file)).filter((_, i) => i % Math.max(1, Math.floor(scalars.length / 5)) === round);
        const edits: ScalarEdit[] = picked.map((scalar, i) => ({
          scalar: { start: scalar.start, end: scalar.end, value: String(scalar.value), style: scalar.type },
          value: ['1.10', '9.9.9-rc.1', 'x', 'true', `${'long-'.repeat(i + 2)}tag`][i % 5] as string,
        }));
        text = reader.applyEdits(text, edits);
        expect(asTheyStand(reader.documentsOf(text, file))).toEqual(asTheyStand(readYamlDocuments(text, file)));
      }
      expect(reader.reads).toBe(1);
    });
  }

  it('keeps no more YAML than it is allowed to, reading a dropped text again', () => {
    const reader = createYamlReader({ maxKeptChars: 20 });
    const [a, b] = ['a: 1\nb: 2\n', 'c: 3\nd: 4\nee: 5\n'];
    reader.documentsOf(a, 'a.yaml');
    reader.documentsOf(a, 'a.yaml');
    expect(reader.reads).toBe(1);
    reader.documentsOf(b, 'b.yaml');
    reader.documentsOf(a, 'a.yaml');
    expect(reader.reads).toBe(3);
  });

  it('follows edits of marker sites', () => {
    const reader = createYamlReader();
    const text = fixture('golden/markers.before.yaml');
    const [api] = reader.markerSitesOf(text, 'markers.yaml');
    if (api?.tag === undefined) throw new Error('no marker site');
    const edited = reader.applyEdits(text, [{ scalar: api.tag, value: '1.10' }]);
    expect(reader.markerSitesOf(edited, 'markers.yaml')).toEqual(findMarkerSites(edited, 'markers.yaml'));
    expect(reader.reads).toBe(1);
  });
});
