import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const GLOB_CHARS = /[*?[]/;

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function walk(dir: string, out: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else out.push(path);
  }
}

/**
 * Expands CLI path arguments: plain files as given, directories to the `.json` files under them,
 * and quoted globs (`'events/**\/*.json'`) relative to the working directory, so the result does
 * not depend on the user's shell having globstar.
 */
export function expandPaths(args: readonly string[], cwd = process.cwd()): string[] {
  const out: string[] = [];
  for (const arg of args) {
    if (GLOB_CHARS.test(arg) && !existsSync(arg)) {
      const re = globToRegExp(arg.replace(/^\.\//, ''));
      const root = arg.split('/').findIndex((part) => GLOB_CHARS.test(part));
      const base = join(cwd, ...arg.split('/').slice(0, Math.max(root, 0)));
      if (!existsSync(base)) continue;
      const files: string[] = [];
      walk(base, files);
      out.push(
        ...files
          .map((f) => relative(cwd, f).split(sep).join('/'))
          .filter((f) => re.test(f))
          .sort(),
      );
    } else if (existsSync(arg) && statSync(arg).isDirectory()) {
      const files: string[] = [];
      walk(arg, files);
      out.push(...files.filter((f) => f.endsWith('.json')).sort());
    } else {
      out.push(arg);
    }
  }
  return out;
}
