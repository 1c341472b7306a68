import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';

/*
 * `helm template` for the charts this repository ships, which Helm itself
 * cannot run here. It follows Helm's documented behaviour for the subset of
 * the Go template language those charts use, and throws on anything else, so
 * a template that strays outside the subset fails instead of rendering wrong:
 *
 * - actions `{{ pipeline }}`, with `{{-` and `-}}` trimming the whitespace
 *   (newlines included) before and after them (text/template "Text and spaces");
 * - `if` / `else if` / `else` / `end`, where false, 0, "", nil and empty
 *   lists and maps are false (text/template "Actions");
 * - pipelines `a | f b`, the previous value passed as the last argument;
 * - fields `.Values.x.y`, `.Release.Name`, `.Release.Namespace`, `.Chart.Name`;
 *   unlike Helm, a missing value throws (the charts define every value);
 * - functions `not`, `and`, `or`, and Helm's `toYaml` (no trailing newline),
 *   `nindent`, `indent` and `quote`;
 * - values: the chart's values.yaml, then each values file in order, merged
 *   as Helm merges them (maps key by key, anything else replaced, null
 *   removes the key).
 */

type Node =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'action'; readonly pipeline: string }
  | { readonly kind: 'if'; readonly branches: Array<{ readonly condition: string | undefined; readonly body: Node[] }> };

interface Token {
  readonly kind: 'text' | 'action';
  text: string;
  readonly trimLeft?: boolean;
  readonly trimRight?: boolean;
}

export interface RenderedChart {
  /** Each template's output, by file name. */
  readonly files: ReadonlyMap<string, string>;
  /** Every non-empty YAML document of every template, parsed. */
  readonly documents: ReadonlyArray<Record<string, unknown>>;
}

export interface ReleaseOptions {
  readonly name: string;
  readonly namespace: string;
}

/** Renders every template of the chart in `chartDir` with these values files, like `helm template <name> <chart> -n <ns> -f …`. */
export function renderHelmChart(chartDir: string, valuesTexts: readonly string[], release: ReleaseOptions): RenderedChart {
  const chart = parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as { name: string };
  let values = parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as unknown;
  for (const text of valuesTexts) values = mergeValues(values, parse(text) ?? {});
  const scope = { Values: values, Release: { Name: release.name, Namespace: release.namespace }, Chart: { Name: chart.name } };
  const files = new Map<string, string>();
  const documents: Array<Record<string, unknown>> = [];
  for (const file of readdirSync(join(chartDir, 'templates')).sort()) {
    if (!file.endsWith('.yaml')) continue;
    const output = renderNodes(parseTemplate(readFileSync(join(chartDir, 'templates', file), 'utf8'), file), scope);
    files.set(file, output);
    for (const document of parseAllDocuments(output)) {
      if (document.errors.length > 0) throw new Error(`${file}: rendered YAML is invalid: ${document.errors[0]?.message}\n${output}`);
      const value = document.toJS() as unknown;
      if (value !== null && value !== undefined) documents.push(value as Record<string, unknown>);
    }
  }
  return { files, documents };
}

/** Helm's coalescing of values files: maps merge key by key; a null removes the key; anything else replaces. */
export function mergeValues(base: unknown, override: unknown): unknown {
  if (!isMap(base) || !isMap(override)) return override;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value === null) delete merged[key];
    else merged[key] = key in base ? mergeValues(base[key], value) : value;
  }
  return merged;
}

const isMap = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function tokenize(template: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\{\{(-\s)?([\s\S]*?)(\s-)?\}\}/g;
  let last = 0;
  for (let match = pattern.exec(template); match !== null; match = pattern.exec(template)) {
    tokens.push({ kind: 'text', text: template.slice(last, match.index) });
    tokens.push({ kind: 'action', text: (match[2] ?? '').trim(), trimLeft: match[1] !== undefined, trimRight: match[3] !== undefined });
    last = match.index + match[0].length;
  }
  tokens.push({ kind: 'text', text: template.slice(last) });
  tokens.forEach((token, i) => {
    if (token.kind !== 'action') return;
    const before = tokens[i - 1];
    const after = tokens[i + 1];
    if (token.trimLeft && before) before.text = before.text.replace(/\s+$/, '');
    if (token.trimRight && after) after.text = after.text.replace(/^\s+/, '');
  });
  return tokens;
}

function parseTemplate(template: string, file: string): Node[] {
  const tokens = tokenize(template);
  let at = 0;
  const block = (inIf: boolean): { nodes: Node[]; end: string | undefined } => {
    const nodes: Node[] = [];
    while (at < tokens.length) {
      const token = tokens[at++] as Token;
      if (token.kind === 'text') {
        if (token.text !== '') nodes.push({ kind: 'text', text: token.text });
        continue;
      }
      const action = token.text;
      if (action.startsWith('/*')) continue;
      if (action === 'end' || action === 'else' || action.startsWith('else if ')) {
        if (!inIf) throw new Error(`${file}: {{ ${action} }} outside an if`);
        return { nodes, end: action };
      }
      if (action.startsWith('if ')) {
        const branches: Array<{ condition: string | undefined; body: Node[] }> = [];
        let condition: string | undefined = action.slice(3);
        for (;;) {
          const { nodes: body, end } = block(true);
          branches.push({ condition, body });
          if (end === undefined) throw new Error(`${file}: an if without end`);
          if (end === 'end') break;
          condition = end === 'else' ? undefined : end.slice('else if '.length);
        }
        nodes.push({ kind: 'if', branches });
        continue;
      }
      if (/^(range|with|define|template|block)\b/.test(action)) throw new Error(`${file}: {{ ${action} }} is outside the supported subset`);
      nodes.push({ kind: 'action', pipeline: action });
    }
    return { nodes, end: undefined };
  };
  const { nodes, end } = block(false);
  if (end !== undefined) throw new Error(`${file}: unexpected {{ ${end} }}`);
  return nodes;
}

function renderNodes(nodes: readonly Node[], scope: Record<string, unknown>): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') out += node.text;
    else if (node.kind === 'action') out += printValue(evaluatePipeline(node.pipeline, scope), node.pipeline);
    else {
      const branch = node.branches.find((b) => b.condition === undefined || truthy(evaluatePipeline(b.condition, scope)));
      if (branch) out += renderNodes(branch.body, scope);
    }
  }
  return out;
}

function truthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isMap(value)) return Object.keys(value).length > 0;
  return true;
}

function printValue(value: unknown, pipeline: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`{{ ${pipeline} }} printed ${JSON.stringify(value)}: only scalars print as they are`);
}

const FUNCTIONS: Record<string, (...args: unknown[]) => unknown> = {
  not: (value) => !truthy(value),
  and: (...values) => values.find((v) => !truthy(v)) ?? values.at(-1),
  or: (...values) => values.find((v) => truthy(v)) ?? values.at(-1),
  toYaml: (value) => stringify(value, { lineWidth: 0 }).replace(/\n$/, ''),
  indent: (spaces, text) => indentLines(String(text), Number(spaces)),
  nindent: (spaces, text) => `\n${indentLines(String(text), Number(spaces))}`,
  quote: (value) => JSON.stringify(String(value)),
};

const indentLines = (text: string, spaces: number): string =>
  text
    .split('\n')
    .map((line) => ' '.repeat(spaces) + line)
    .join('\n');

function evaluatePipeline(pipeline: string, scope: Record<string, unknown>): unknown {
  let value: unknown;
  splitTopLevel(pipeline, '|').forEach((command, i) => {
    const args = splitTopLevel(command.trim(), ' ').filter((part) => part !== '');
    value = evaluateCommand(args, scope, pipeline, i === 0 ? [] : [value]);
  });
  return value;
}

function evaluateCommand(parts: readonly string[], scope: Record<string, unknown>, pipeline: string, piped: readonly unknown[]): unknown {
  const [head, ...rest] = parts;
  if (head === undefined) throw new Error(`{{ ${pipeline} }}: empty command`);
  const fn = FUNCTIONS[head];
  if (fn) return fn(...rest.map((arg) => evaluateOperand(arg, scope, pipeline)), ...piped);
  if (rest.length > 0 || piped.length > 0) throw new Error(`{{ ${pipeline} }}: ${head} is not a supported function`);
  return evaluateOperand(head, scope, pipeline);
}

function evaluateOperand(operand: string, scope: Record<string, unknown>, pipeline: string): unknown {
  if (operand.startsWith('(') && operand.endsWith(')')) return evaluatePipeline(operand.slice(1, -1), scope);
  if (/^-?\d+$/.test(operand)) return Number(operand);
  if (/^"[^"]*"$/.test(operand)) return operand.slice(1, -1);
  if (!operand.startsWith('.')) throw new Error(`{{ ${pipeline} }}: ${operand} is outside the supported subset`);
  let value: unknown = scope;
  for (const key of operand.slice(1).split('.')) {
    if (!isMap(value) || !(key in value)) throw new Error(`{{ ${pipeline} }}: ${operand} is not set`);
    value = value[key];
  }
  return value;
}

/** Splits on `separator` outside parentheses and double quotes. */
function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && char === '(') depth += 1;
    else if (!quoted && char === ')') depth -= 1;
    if (char === separator && depth === 0 && !quoted) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts;
}
