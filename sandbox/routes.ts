import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { compilePattern, validatePattern } from './event-pattern.ts';

/** One EventBridge rule of `serverless.yml`: which function a pattern file triggers. */
export interface Route {
  functionName: string;
  patternFile: string;
  pattern: Record<string, unknown>;
  matches(event: unknown): boolean;
}

const FILE_REF = /^\$\{file\((\.\/)?([^)]+\.json)\)\}$/;

/**
 * Reads the EventBridge rules exactly as deployed: each function's `eventBridge.pattern` in
 * `serverless.yml`, which must be a `${file(...)}` reference into `infra/patterns/`, so the
 * pattern files stay the single source of routing.
 */
export function loadRoutes(rootDir: string): Route[] {
  const doc = parse(readFileSync(join(rootDir, 'serverless.yml'), 'utf8')) as {
    functions?: Record<string, { events?: Array<Record<string, unknown>> }>;
  };
  const routes: Route[] = [];
  for (const [functionName, fn] of Object.entries(doc.functions ?? {})) {
    for (const event of fn.events ?? []) {
      const eb = event.eventBridge as { pattern?: unknown } | undefined;
      if (!eb) continue;
      const ref = typeof eb.pattern === 'string' ? FILE_REF.exec(eb.pattern) : null;
      if (!ref) {
        throw new Error(
          `serverless.yml: function ${functionName} has an eventBridge pattern that is not a \${file(...)} reference`,
        );
      }
      const patternFile = ref[2]!;
      const pattern = JSON.parse(readFileSync(join(rootDir, patternFile), 'utf8')) as Record<string, unknown>;
      validatePattern(pattern);
      routes.push({ functionName, patternFile, pattern, matches: compilePattern(pattern) });
    }
  }
  return routes;
}

/** Names of the functions the event triggers, each once, in `serverless.yml` order. */
export function routeEvent(routes: readonly Route[], event: unknown): string[] {
  const out: string[] = [];
  for (const r of routes) if (!out.includes(r.functionName) && r.matches(event)) out.push(r.functionName);
  return out;
}
