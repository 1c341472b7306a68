/**
 * A values file shaped like a large public chart's (Argo CD's is about 4,000
 * lines): many components, each with an image block, resources, probes,
 * comments and blank lines. `lines` sets its length; component N's image is
 * `ghcr.io/example/component-N` at tag `1.N.0`, 16 lines per component.
 */
export function largeValuesFile(lines: number): string {
  const out: string[] = ['# Generated benchmark values, shaped like a large umbrella chart.', 'global:', '  imageRegistry: ""', ''];
  for (let i = 0; out.length < lines; i += 1) {
    out.push(
      `## Component ${i}`,
      `component${i}:`,
      '  enabled: true',
      '  replicas: 2',
      '  image:',
      `    repository: ghcr.io/example/component-${i}`,
      `    tag: "1.${i}.0"  # pinned`,
      '    pullPolicy: IfNotPresent',
      '  resources:',
      '    requests: { cpu: 100m, memory: 128Mi }',
      '    limits: { memory: 256Mi }',
      '  livenessProbe:',
      '    httpGet: { path: /healthz, port: http }',
      '    initialDelaySeconds: 10',
      '  extraArgs: []',
      '',
    );
  }
  return `${out.slice(0, lines).join('\n')}\n`;
}

/**
 * A values file with `keys` top-level keys and, after them, the image block:
 * the shape that makes a per-key scan of its mapping quadratic.
 */
export function wideValuesFile(keys: number): string {
  const out: string[] = ['# Generated benchmark values: one very wide mapping.'];
  for (let i = 0; i < keys; i += 1) out.push(`key${i}: value-${i}`);
  out.push('image:', '  repository: ghcr.io/example/app', '  tag: 1.0.0', '');
  return out.join('\n');
}
