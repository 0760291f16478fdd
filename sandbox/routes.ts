import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { queueRoutes } from '../infra/routes.ts';
import { compilePattern, validatePattern } from './event-pattern.ts';

/** One EventBridge rule of the stack: which function (through its queue) a pattern file feeds. */
export interface Route {
  functionName: string;
  patternFile: string;
  pattern: Record<string, unknown>;
  matches(event: unknown): boolean;
}

/**
 * Reads the EventBridge rules exactly as deployed: the routing table of `infra/routes.ts` (which
 * the template is generated from), with each pattern read from `infra/patterns/` under `rootDir`,
 * so the pattern files stay the single source of routing.
 */
export function loadRoutes(rootDir: string): Route[] {
  const routes: Route[] = [];
  for (const { functionName, patterns } of queueRoutes()) {
    for (const file of patterns) {
      const patternFile = join('infra', 'patterns', file);
      const pattern = JSON.parse(readFileSync(join(rootDir, patternFile), 'utf8')) as Record<string, unknown>;
      validatePattern(pattern);
      routes.push({ functionName, patternFile, pattern, matches: compilePattern(pattern) });
    }
  }
  return routes;
}

/** Names of the functions the event triggers, each once, in routing-table order. */
export function routeEvent(routes: readonly Route[], event: unknown): string[] {
  const out: string[] = [];
  for (const r of routes) if (!out.includes(r.functionName) && r.matches(event)) out.push(r.functionName);
  return out;
}
