import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadRoutes, routeEvent } from '../sandbox/routes.ts';
import type { CommandRun } from './args.ts';
import type { ROUTE } from './commands.ts';
import { expandPaths } from './glob.ts';

/** One line of `guard route` output. */
export interface RouteLine {
  file: string;
  functions: string[];
  error?: string;
}

/**
 * Routes each event file through the deployed EventBridge patterns (serverless.yml +
 * infra/patterns) and returns, per file, the functions it would trigger.
 */
export function routeFiles(rootDir: string, args: readonly string[]): RouteLine[] {
  const routes = loadRoutes(rootDir);
  return expandPaths(args).map((file) => {
    let event: unknown;
    try {
      event = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      return { file, functions: [], error: `cannot read JSON: ${(error as Error).message}` };
    }
    return { file, functions: routeEvent(routes, event) };
  });
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** `guard route <event.json|dir|'glob'>...`: one JSON line per file; exit 1 if a file could not be read. */
export const runRoute: CommandRun<typeof ROUTE.options> = async ({ positionals }, io) => {
  let status = 0;
  for (const line of routeFiles(ROOT, positionals)) {
    if (line.error) status = 1;
    io.out(`${JSON.stringify(line)}\n`);
  }
  return status;
};
