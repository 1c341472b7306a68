import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { EditSpec } from '../../../../lambdas/core/config/promotion-config';
import { currentVersionOf, editsForSite, findImageSites, findMarkerSites, type NewVersion } from '../../../../lambdas/core/yaml/image-sites';
import { applyScalarEdits, renderScalar } from '../../../../lambdas/core/yaml/scalar-splice';
import { ValidationError } from '../../../../lambdas/shared/errors';

const golden = (name: string) => readFileSync(join(import.meta.dirname, '../../../fixtures/golden', name), 'utf8');
const DIGEST = 'sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd123456ab';

interface GoldenCase {
  name: string;
  before: string;
  after: string;
  spec: EditSpec;
  image: string;
  version: NewVersion;
  current: { tag?: string; digest?: string };
  sites: number;
}

const cases: GoldenCase[] = [
  {
    name: 'Helm values: nested tag, a float-looking plain tag gets quotes, anchors/merge keys/comments/blank lines kept',
    before: 'helm-values.before.yaml',
    after: 'helm-values.after.yaml',
    spec: { kind: 'helm', tagPath: 'api.image.tag', repositoryPath: 'api.image.repository' },
    image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api',
    version: { tag: '1.10', digestMode: 'none' },
    current: { tag: '1.9' },
    sites: 1,
  },
  {
    name: 'Helm values: separate repository/tag/digest keys, single quotes kept',
    before: 'helm-digest.before.yaml',
    after: 'helm-digest.after.yaml',
    spec: { kind: 'helm', tagPath: 'image.tag', repositoryPath: 'image.repository', digestPath: 'image.digest' },
    image: 'ghcr.io/octo-org/api',
    version: { tag: '1.4.3', digest: DIGEST, digestMode: 'field' },
    current: { tag: '1.4.2', digest: 'sha256:0000000000000000000000000000000000000000000000000000000000000000' },
    sites: 1,
  },
  {
    name: 'a single image string, pinned inline by digest',
    before: 'image-string.before.yaml',
    after: 'image-string.after.yaml',
    spec: { kind: 'image-string', path: 'app.image' },
    image: 'ghcr.io/octo-org/api',
    version: { tag: '1.4.3', digest: DIGEST, digestMode: 'inline' },
    current: { tag: '1.4.2' },
    sites: 1,
  },
  {
    name: 'kustomize images: the entry whose newName is the image',
    before: 'kustomization.before.yaml',
    after: 'kustomization.after.yaml',
    spec: { kind: 'kustomize' },
    image: 'ghcr.io/octo-org/api',
    version: { tag: '1.4.3', digestMode: 'none' },
    current: { tag: '1.4.2' },
    sites: 1,
  },
  {
    name: 'Argo CD Application: helm.parameters by name in a multi-source app',
    before: 'argocd-app.before.yaml',
    after: 'argocd-app.after.yaml',
    spec: { kind: 'argocd-application', helmParameter: 'image.tag', kustomizeImage: false },
    image: 'ghcr.io/octo-org/api',
    version: { tag: '1.4.3', digestMode: 'none' },
    current: { tag: '1.4.2' },
    sites: 1,
  },
  {
    name: 'Argo CD Application: kustomize.images with the name= prefix kept',
    before: 'argocd-app.before.yaml',
    after: 'argocd-kustomize.after.yaml',
    spec: { kind: 'argocd-application', kustomizeImage: true },
    image: 'ghcr.io/octo-org/api',
    version: { tag: '1.4.3', digestMode: 'none' },
    current: { tag: '1.4.2' },
    sites: 1,
  },
  {
    name: 'workloads: containers and init containers of a Deployment and a CronJob in a multi-document file',
    before: 'workloads.before.yaml',
    after: 'workloads.after.yaml',
    spec: { kind: 'workload' },
    image: 'ghcr.io/octo-org/api',
    version: { tag: '1.4.3', digestMode: 'none' },
    current: { tag: '1.4.2' },
    sites: 3,
  },
];

describe('bump engine: golden files (before, event, after)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const before = golden(c.before);
      const sites = findImageSites(before, c.before, c.spec, c.image);
      expect(sites).toHaveLength(c.sites);
      for (const site of sites) expect(currentVersionOf(site)).toEqual(c.current);
      const after = applyScalarEdits(
        before,
        sites.flatMap((site) => editsForSite(site, c.version)),
      );
      expect(after).toBe(golden(c.after));
    });
  }

  it('markers: only the scalar that declares the image changes', () => {
    const before = golden('markers.before.yaml');
    const sites = findMarkerSites(before, 'markers.before.yaml');
    expect(sites.map((s) => [s.path, s.image, s.policy, s.tag ? 'tag' : 'ref'])).toEqual([
      ['api.image.tag', 'ghcr.io/octo-org/api', 'semver:^1', 'tag'],
      ['worker.image', 'ghcr.io/octo-org/worker', undefined, 'ref'],
    ]);
    const api = sites.filter((s) => s.image === 'ghcr.io/octo-org/api');
    const after = applyScalarEdits(
      before,
      api.flatMap((s) => editsForSite(s, { tag: '1.4.3', digestMode: 'none' })),
    );
    expect(after).toBe(golden('markers.after.yaml'));
  });

  it('finds nothing when the repository key names another image', () => {
    const sites = findImageSites(
      golden('helm-values.before.yaml'),
      'v.yaml',
      { kind: 'helm', tagPath: 'worker.image.tag', repositoryPath: 'worker.image.repository' },
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api',
    );
    expect(sites).toEqual([]);
  });

  it('refuses a file that is not valid YAML, naming it', () => {
    expect(() => findImageSites('a: [\n', 'apps/x/values.yaml', { kind: 'helm', tagPath: 'image.tag' }, 'x')).toThrowError(
      /^apps\/x\/values\.yaml: not valid YAML/,
    );
  });
});

describe('bump engine: scalar styles', () => {
  it('keeps plain scalars plain while YAML reads them back as the same string', () => {
    expect(renderScalar('PLAIN', '1.4.3')).toBe('1.4.3');
    expect(renderScalar('PLAIN', 'sha-3f2a9c1')).toBe('sha-3f2a9c1');
  });

  it('quotes plain values that YAML would read as another type', () => {
    expect(renderScalar('PLAIN', '1.10')).toBe('"1.10"');
    expect(renderScalar('PLAIN', '20261123')).toBe('"20261123"');
    expect(renderScalar('PLAIN', 'true')).toBe('"true"');
  });

  it('escapes inside quotes of either kind', () => {
    expect(renderScalar('QUOTE_SINGLE', "it's")).toBe("'it''s'");
    expect(renderScalar('QUOTE_DOUBLE', 'a"b')).toBe('"a\\"b"');
  });

  it('quotes a value with flow indicators, which plain would end inside a flow collection, and a line break, which single quotes fold', () => {
    for (const value of ['y,other', 'a]', 'a}', 'x[1]', '{a']) expect(renderScalar('PLAIN', value)).toBe(JSON.stringify(value));
    expect(renderScalar('QUOTE_SINGLE', 'a\nb')).toBe('"a\\nb"');
    // Spliced into a flow map, the value reads back as itself and the map keeps its keys.
    const text = 'data: {sha: old, other: x}\n';
    const start = text.indexOf('old');
    const edited = applyScalarEdits(text, [{ scalar: { start, end: start + 3, value: 'old', style: 'PLAIN' }, value: 'y,other' }]);
    expect(parse(edited)).toEqual({ data: { sha: 'y,other', other: 'x' } });
  });
});

describe('bump engine: reading current tags', () => {
  it('reads a plain number-like tag as written, not as the number YAML makes of it', () => {
    const [site] = findImageSites('image:\n  tag: 1.10\n', 'v.yaml', { kind: 'helm', tagPath: 'image.tag' }, 'x');
    expect(site && currentVersionOf(site)).toEqual({ tag: '1.10' });
  });
});

// Correctness only, no timed assertions; but in quadratic time these inputs took from seconds to
// minutes and the tests time out. The limit is generous for a busy machine.
const LARGE = { timeout: 30_000 };

describe('bump engine: splicing', () => {
  it('writes many edits into one large file', LARGE, () => {
    const line = 'tag: "1.4.2" # pinned\n';
    const before = line.repeat(100_000);
    const edits = Array.from({ length: 100_000 }, (_, i) => ({
      scalar: { start: i * line.length + 5, end: i * line.length + 12, value: '1.4.2', style: 'QUOTE_DOUBLE' as const },
      value: '1.4.3',
    }));
    expect(applyScalarEdits(before, edits.reverse())).toBe('tag: "1.4.3" # pinned\n'.repeat(100_000));
  });

  it('still refuses overlapping edits', () => {
    const scalar = { start: 5, end: 12, value: '1.4.2', style: 'QUOTE_DOUBLE' as const };
    expect(() =>
      applyScalarEdits('tag: "1.4.2"\n', [
        { scalar, value: '1.4.3' },
        { scalar: { ...scalar, start: 6 }, value: '1.4.4' },
      ]),
    ).toThrowError('overlapping scalar edits');
  });
});

describe('bump engine: marker comments', () => {
  const markerOf = (comment: string) => findMarkerSites(`tag: 1.4.2 #${comment}\n`, 'm.yaml').map((s) => [s.image, s.policy]);

  it('reads the marker that ends the comment, with space around it', () => {
    expect(markerOf(' pinned; hoist:  {"image": "ghcr.io/octo-org/api", "policy": "semver:^1"}  ')).toEqual([['ghcr.io/octo-org/api', 'semver:^1']]);
  });

  it('ignores a marker that does not end the comment', () => {
    expect(markerOf(' hoist: {"image": "ghcr.io/octo-org/api"} until Friday')).toEqual([]);
  });

  it('takes everything from the first hoist: on the line, so two markers on one line are refused', () => {
    expect(() => markerOf(' hoist: {"image": "a"} hoist: {"image": "b"}')).toThrowError(/^m\.yaml: hoist marker is not valid JSON/);
  });

  it('reads a long comment line full of hoist: once', LARGE, () => {
    const text = `image: ghcr.io/octo-org/api:1.4.2 # ${'hoist: {'.repeat(200_000)}\n`;
    expect(findMarkerSites(text, 'markers.yaml')).toEqual([]);
  });
});

/** A values file with `keys` top-level keys before its image block, as a generated or hostile file may have. */
const wideValues = (keys: number, extra = ''): string => {
  const lines = Array.from({ length: keys }, (_, i) => `key${i}: value-${i}`);
  return `${lines.join('\n')}\n${extra}image:\n  repository: ghcr.io/octo-org/api\n  tag: 1.4.2 # pinned\n`;
};
const HELM: EditSpec = { kind: 'helm', tagPath: 'image.tag', repositoryPath: 'image.repository' };

/** The message of the ValidationError that refuses `text`, if one does. */
const refusal = (text: string, file = 'v.yaml'): string | undefined => {
  try {
    findImageSites(text, file, HELM, 'ghcr.io/octo-org/api');
  } catch (error) {
    return error instanceof ValidationError ? error.message : `not a ValidationError: ${String(error)}`;
  }
  return undefined;
};

describe('bump engine: files of any size', () => {
  for (const keys of [10_000, 80_000]) {
    it(`bumps the tag in a values file with ${keys.toLocaleString('en-US')} keys, touching nothing else`, LARGE, () => {
      const before = wideValues(keys);
      const sites = findImageSites(before, 'values.yaml', HELM, 'ghcr.io/octo-org/api');
      expect(sites).toHaveLength(1);
      const after = applyScalarEdits(
        before,
        sites.flatMap((site) => editsForSite(site, { tag: '1.4.3', digestMode: 'none' })),
      );
      expect(after).toBe(before.replace('tag: 1.4.2 # pinned', 'tag: 1.4.3 # pinned'));
    });

    it(`refuses a duplicate key among ${keys.toLocaleString('en-US')} keys, naming the file, the key and both lines`, LARGE, () => {
      expect(refusal(wideValues(keys, 'key7: again\n'), 'apps/api/values.yaml')).toBe(
        `apps/api/values.yaml: not valid YAML: duplicate key 'key7' at line ${keys + 1} (first at line 8)`,
      );
    });
  }
});

describe('bump engine: duplicate keys', () => {
  it('refuses twins in a nested block mapping, where a bump could land in either', () => {
    expect(refusal('image:\n  tag: 1.4.2\n  repository: x\n  tag: 1.4.1\n')).toBe("v.yaml: not valid YAML: duplicate key 'tag' at line 4 (first at line 2)");
  });

  it('refuses twins in a flow mapping and in a later document', () => {
    expect(refusal('image: { tag: 1.4.2, tag: 1.4.1 }\n')).toBe("v.yaml: not valid YAML: duplicate key 'tag' at line 1 (first at line 1)");
    expect(refusal('a: 1\n---\nb: 1\nb: 2\n')).toBe("v.yaml: not valid YAML: duplicate key 'b' at line 4 (first at line 3)");
  });

  it('refuses twins inside a sequence of mappings', () => {
    expect(refusal('containers:\n  - name: api\n    image: a\n    image: b\n')).toBe(
      "v.yaml: not valid YAML: duplicate key 'image' at line 4 (first at line 3)",
    );
  });

  it('compares keys by value as YAML does: 1 and 1.0 are one key, 1 and "1" two', () => {
    expect(refusal('1: a\n1.0: b\n')).toBe("v.yaml: not valid YAML: duplicate key '1' at line 2 (first at line 1)");
    expect(refusal('1: a\n"1": b\nimage: { tag: 1.4.2 }\n')).toBeUndefined();
  });

  it('accepts the same key in different mappings and in one-pair mappings of a flow sequence', () => {
    expect(refusal('a: { tag: 1 }\nb: { tag: 2 }\nc: [tag: 1, tag: 2]\n')).toBeUndefined();
  });
});
