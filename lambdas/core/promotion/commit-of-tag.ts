import type { TriggerSource } from '../config/promotion-config';

/** Shorter prefixes than this name no commit reliably, and hosts refuse them. */
const MIN_SHA_LENGTH = 4;

/** The tag template of a `from` source, with its default for the kind of event. */
export const tagTemplateOf = (source: TriggerSource): string => source.tag ?? (source.on === 'tag.pushed' ? '{tag}' : '{sha}');

/**
 * The commit (or its prefix) a tag was built from, read back through the tag
 * template that made it: `sha-{sha:7}` on `sha-eac743d` gives `eac743d`.
 * Undefined when the tag does not fit the template, or the template holds
 * anything but {sha} and {sha:N} (a branch or Git tag name cannot be read
 * back into a commit).
 */
export function commitOfTag(template: string, tag: string): string | undefined {
  if (/\{(branch|tag|tag#v)\}/.test(template)) return undefined;
  const lengths: number[] = [];
  const pattern = template.replace(/\{sha(?::(\d{1,2}))?\}|[^{]+/g, (part, length: string | undefined) => {
    if (!part.startsWith('{')) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    lengths.push(length === undefined ? 40 : Number(length));
    // {sha} is the whole commit id: 40 hex digits, or 64 in a SHA-256 repository.
    return length === undefined ? '([0-9a-f]{40}|[0-9a-f]{64})' : `([0-9a-f]{${length}})`;
  });
  if (lengths.length === 0) return undefined;
  const match = new RegExp(`^${pattern}$`).exec(tag);
  if (match === null) return undefined;
  const parts = match.slice(1).filter((p): p is string => p !== undefined);
  // Every placeholder is a prefix of the same commit: keep the longest, and only when they agree.
  const longest = parts.reduce((a, b) => (b.length > a.length ? b : a), '');
  if (longest.length < MIN_SHA_LENGTH || !parts.every((p) => longest.startsWith(p))) return undefined;
  return longest;
}
