import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const EVENTS_DIR = fileURLToPath(new URL('../../events/', import.meta.url));

/** Fixture names (path under `events/` without `.json`), optionally under a folder. */
export function listFixtures(folder = ''): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.json')) out.push(relative(EVENTS_DIR, path).slice(0, -'.json'.length));
    }
  };
  walk(join(EVENTS_DIR, folder));
  return out.sort();
}

/** Loads a fixture by name, e.g. `apprunner/operation/deployment-failed`. A fresh copy each call. */
export function loadFixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(join(EVENTS_DIR, `${name}.json`), 'utf8')) as T;
}
