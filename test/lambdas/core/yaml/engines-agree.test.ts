import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EditSpec } from '../../../../lambdas/core/config/promotion-config';
import {
  editsForSite,
  findImageSites,
  findMarkerSites,
  parseYamlDocuments,
  readYamlDocuments,
  type YamlSource,
} from '../../../../lambdas/core/yaml/image-sites';
import { applyScalarEdits } from '../../../../lambdas/core/yaml/scalar-splice';
import { scanBlockYaml } from '../../../../lambdas/core/yaml/scan-block-yaml';
import { type TreeNode, treeOf } from '../../../../lambdas/core/yaml/yaml-tree';

const fixture = (path: string) => readFileSync(join(import.meta.dirname, '../../../fixtures', path), 'utf8');

/** The engine as it was: the yaml library's full parse (and its duplicate-key check) for every file. */
const fullParse: YamlSource = {
  documentsOf: (text, file) => parseYamlDocuments(text, file).map((doc) => ({ contents: treeOf(doc.contents) })),
  markerSitesOf: findMarkerSites,
};

/** Every `….image` mapping with a `tag` in a values file, as helm specs with their repository, when there is one. */
function imageBlocks(root: TreeNode, path: string[] = []): EditSpec[] {
  if (root.kind !== 'map') return [];
  const specs: EditSpec[] = [];
  for (const [key, value] of root.entries) {
    const here = [...path, String(key)];
    if (key === 'image' && value.kind === 'map' && value.entries.has('tag')) {
      const prefix = here.join('.');
      specs.push({ kind: 'helm', tagPath: `${prefix}.tag`, ...(value.entries.has('repository') ? { repositoryPath: `${prefix}.repository` } : {}) });
    }
    specs.push(...imageBlocks(value, here));
  }
  return specs;
}

describe('bump engine: the Lexer scan finds and writes what the full parse does', () => {
  const argo = fixture('helm/argo-cd-values.yaml');

  it('reads the argo-cd chart with the scan, not the full parse', () => {
    expect(scanBlockYaml(argo)).toBeDefined();
  });

  const [document] = readYamlDocuments(argo, 'values.yaml');
  const specs = document === undefined ? [] : imageBlocks(document.contents);

  it('finds every image block of the argo-cd chart', () => {
    expect(specs.length).toBeGreaterThan(10);
  });

  let found = 0;
  for (const spec of specs) {
    it(`argo-cd values.yaml, ${spec.kind === 'helm' ? spec.tagPath : ''}: same sites, same bumped text`, () => {
      // The image its repository key names (most of the chart's are empty and default to Argo CD's own).
      const repository = spec.kind === 'helm' && spec.repositoryPath !== undefined ? findValue(spec.repositoryPath) : '';
      const image = repository || 'quay.io/argoproj/argocd';
      const scanned = findImageSites(argo, 'values.yaml', spec, image);
      const parsed = findImageSites(argo, 'values.yaml', spec, image, fullParse);
      expect(scanned).toEqual(parsed);
      if (scanned.length === 0) return;
      found += 1;
      const bump = (sites: typeof scanned) =>
        applyScalarEdits(
          argo,
          sites.flatMap((site) => editsForSite(site, { tag: '1.10', digestMode: 'none' })),
        );
      expect(bump(scanned)).toBe(bump(parsed));
      expect(bump(scanned)).not.toBe(argo);
    });
  }

  it('bumped the images the chart names (redis, dex, the exporter, the extension installer)', () => {
    expect(found).toBeGreaterThanOrEqual(4);
  });

  function findValue(path: string): string {
    let node: TreeNode | undefined = document?.contents;
    for (const key of path.split('.')) node = node?.kind === 'map' ? node.entries.get(key) : undefined;
    return node?.kind === 'scalar' && typeof node.value === 'string' ? node.value : '';
  }

  const goldenCases: Array<{ file: string; spec: EditSpec; image: string }> = [
    {
      file: 'golden/helm-digest.before.yaml',
      spec: { kind: 'helm', tagPath: 'image.tag', repositoryPath: 'image.repository', digestPath: 'image.digest' },
      image: 'ghcr.io/octo-org/api',
    },
    { file: 'golden/image-string.before.yaml', spec: { kind: 'image-string', path: 'app.image' }, image: 'ghcr.io/octo-org/api' },
    { file: 'golden/kustomization.before.yaml', spec: { kind: 'kustomize' }, image: 'ghcr.io/octo-org/api' },
    {
      file: 'golden/argocd-app.before.yaml',
      spec: { kind: 'argocd-application', helmParameter: 'image.tag', kustomizeImage: false },
      image: 'ghcr.io/octo-org/api',
    },
    { file: 'golden/argocd-app.before.yaml', spec: { kind: 'argocd-application', kustomizeImage: true }, image: 'ghcr.io/octo-org/api' },
    { file: 'golden/workloads.before.yaml', spec: { kind: 'workload' }, image: 'ghcr.io/octo-org/api' },
    { file: 'golden/workloads.before.yaml', spec: { kind: 'workload', container: 'report' }, image: 'ghcr.io/octo-org/api' },
  ];
  for (const { file, spec, image } of goldenCases) {
    it(`${file}, ${spec.kind}: same sites as the full parse`, () => {
      const text = fixture(file);
      expect(scanBlockYaml(text)).toBeDefined();
      const scanned = findImageSites(text, file, spec, image);
      expect(scanned.length).toBeGreaterThan(0);
      expect(scanned).toEqual(findImageSites(text, file, spec, image, fullParse));
    });
  }
});
