/**
 * The setting itlLens.trust.deployed: which workspace trust lists phones hold now. Each entry is a path or a
 * glob (`*`, `**`, `?`, `{a,b}`), relative to a workspace folder or absolute; a folder stands for every file
 * below it. Pure: the caller gives the folders and the paths.
 */
import * as path from 'node:path';

const toPosix = (p: string) => p.split(path.sep).join('/');

/** A glob as a regular expression over a `/`-separated path. */
export function globToRegExp(glob: string, ignoreCase = false): RegExp {
  let re = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '{') {
      braces++;
      re += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      re += ')';
    } else if (c === ',' && braces > 0) re += '|';
    else re += c.replace(/[.+^$()|[\]\\{}]/g, '\\$&');
  }
  re += ')'.repeat(braces); // an unclosed `{` closes at the end
  return new RegExp(`^${re}(?:/.*)?$`, ignoreCase ? 'i' : '');
}

/** Whether a file is one of the deployed trust lists, for the entries of the setting and the workspace folders. */
export function deployedMatcher(entries: readonly string[], folders: readonly string[], platform: NodeJS.Platform = process.platform): (file: string) => boolean {
  const ignoreCase = platform === 'win32' || platform === 'darwin';
  const patterns = entries
    .map((e) => e.trim().replace(/\\/g, '/').replace(/\/+$/, ''))
    .filter((e) => e.length > 0)
    .map((e) => ({ absolute: path.isAbsolute(e) || /^[a-z]:\//i.test(e), re: globToRegExp(e.replace(/^\.\//, ''), ignoreCase) }));
  if (!patterns.length) return () => false;
  return (file) => {
    const abs = toPosix(file);
    const rels = folders.map((f) => path.relative(f, file)).filter((r) => r && !r.startsWith('..') && !path.isAbsolute(r)).map(toPosix);
    return patterns.some((p) => (p.absolute ? p.re.test(abs) : rels.some((r) => p.re.test(r))));
  };
}

/** The setting's value as a list of entries: a string or an array of strings; anything else is none. */
export function deployedEntries(raw: unknown): string[] {
  if (typeof raw === 'string') return raw.trim() ? [raw] : [];
  if (Array.isArray(raw)) return raw.filter((x): x is string => typeof x === 'string' && x.trim().length > 0);
  return [];
}
