import { readFileSync } from 'node:fs';
import { loadRoutes, routeEvent } from '../sandbox/routes.ts';
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
