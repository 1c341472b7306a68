import { findValueSites, type YamlSource } from '../yaml/image-sites';
import type { ScalarEdit } from '../yaml/scalar-splice';
import type { ImageUpdate } from './plan-promotions';
import type { ResolvedTarget } from './targets';

/**
 * Renders a `set` template: {tag} {image} {service} {environment} and
 * {values.KEY}. Throws naming the first value the update does not carry.
 */
export function renderValueTemplate(template: string, target: ResolvedTarget, update: ImageUpdate): string {
  return template.replace(/\{(tag|image|service|environment|values\.([A-Za-z_][A-Za-z0-9_]*))\}/g, (_whole, name: string, key: string | undefined) => {
    if (key !== undefined) {
      const value = update.values?.[key];
      if (value === undefined) throw new Error(`'${template}' needs values.${key}, which ${update.source} did not give`);
      return value;
    }
    switch (name) {
      case 'tag':
        return update.tag;
      case 'image':
        return target.image;
      case 'service':
        return target.service;
      default:
        return target.environment;
    }
  });
}

/**
 * The scalar edits a target's `set` asks for, and whether any value differs
 * from what the file holds. Throws (a failure of the target) when a path has
 * no scalar in the file or a template lacks a value.
 */
export function valueEditsOf(target: ResolvedTarget, update: ImageUpdate, text: string, source?: YamlSource): { edits: ScalarEdit[]; changed: boolean } {
  const paths = Object.keys(target.set);
  if (paths.length === 0) return { edits: [], changed: false };
  const sites = findValueSites(text, target.file, paths, source);
  const edits: ScalarEdit[] = [];
  let changed = false;
  for (const path of paths) {
    const scalar = sites.get(path);
    if (scalar === undefined) throw new Error(`${target.file}: no value at '${path}' to set`);
    const value = renderValueTemplate(target.set[path] ?? '', target, update);
    if (scalar.value !== value) changed = true;
    edits.push({ scalar, value });
  }
  return { edits, changed };
}
