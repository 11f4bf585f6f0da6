/**
 * Which workspace files belong with a trust list. A workspace often holds several clusters' downloads side by
 * side, one folder each; the certificates that describe a trust list's cluster are those in its own folder,
 * in a folder above it, or in a folder below it — not those in a sibling cluster's folder.
 */
import * as path from 'node:path';

function contains(dir: string, other: string): boolean {
  const rel = path.relative(dir, other);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The items in the same folder as `fromPath`, above it or below it. All items when `fromPath` is unknown. */
export function inScopeOf<T>(fromPath: string | undefined, items: T[], pathOf: (item: T) => string | undefined): T[] {
  if (!fromPath) return items;
  const from = path.dirname(fromPath);
  return items.filter((item) => {
    const p = pathOf(item);
    if (!p) return false;
    const dir = path.dirname(p);
    return contains(from, dir) || contains(dir, from);
  });
}

/** In-scope items first, then the others (stable). */
export function scopeFirst<T>(fromPath: string | undefined, items: T[], pathOf: (item: T) => string | undefined): T[] {
  const near = new Set(inScopeOf(fromPath, items, pathOf));
  return [...items.filter((i) => near.has(i)), ...items.filter((i) => !near.has(i))];
}
