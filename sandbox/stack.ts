/**
 * The deployed stack as the sandbox reads it from the repository: the functions and their
 * schedules in `serverless.yml`, the pause/resume schedules of `infra/schedules.yml`, and the
 * handlers the function files export.
 *
 * @module
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { toHeadsUpJobs } from '../lib/heads-up/schedules.ts';
import {
  loadScheduleConfig,
  parseScheduleDefinitions,
  toSchedulerJobs,
} from '../lib/pause-resume/schedule-config.ts';
import type { LambdaHandler } from './lambda.ts';
import type { Scenario } from './scenario.ts';

/** The repository root (serverless.yml, infra/, functions/). */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface ServerlessFunction {
  handler?: string;
  events?: unknown;
  /** Seconds. */
  timeout?: number;
}
export interface ServerlessDoc {
  params?: { default?: Record<string, unknown> };
  provider?: { timeout?: number };
  functions?: Record<string, ServerlessFunction>;
}

export function readServerless(): ServerlessDoc {
  return parseYaml(readFileSync(join(ROOT, 'serverless.yml'), 'utf8')) as ServerlessDoc;
}

let generation = 0;

/**
 * Imports every function's handler with a fresh module graph for the function files
 * (`functions/<name>.ts?sandbox=<n>`): each handler reads its configuration and creates its
 * clients at import, so a fresh import per scenario is a cold start with that scenario's
 * configuration, while `lib/` modules stay shared.
 */
export async function importHandlers(doc: ServerlessDoc): Promise<Map<string, LambdaHandler>> {
  generation++;
  const handlers = new Map<string, LambdaHandler>();
  for (const [name, fn] of Object.entries(doc.functions ?? {})) {
    const [file, exportName = 'handler'] = (fn.handler ?? `functions/${name}.handler`).split(/\.(?=[^.]+$)/);
    const url = new URL(`../${file}.ts?sandbox=${generation}`, import.meta.url).href;
    const mod = (await import(url)) as Record<string, unknown>;
    const handler = mod[exportName!];
    if (typeof handler !== 'function') throw new Error(`${file}.ts does not export ${exportName}`);
    handlers.set(name, handler as LambdaHandler);
  }
  return handlers;
}

/** Substitutes `${param:x}` references of serverless.yml with the stage's params. */
function resolveParams(value: unknown, params: Record<string, string>): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{param:([A-Za-z0-9_]+)\}/g, (whole, name: string) => params[name] ?? whole);
  }
  if (Array.isArray(value)) return value.map((v) => resolveParams(v, params));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveParams(v, params)]));
  }
  return value;
}

/** The stack's own recurring schedules: `schedule` events in serverless.yml, and the pause/resume schedules. */
export function deployedSchedules(doc: ServerlessDoc, scenario: Scenario) {
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(doc.params?.default ?? {})) params[k] = String(v);
  Object.assign(params, scenario.params);
  const out: Array<{ name: string; fn: string; expression: string; timezone: string; input: unknown }> = [];
  for (const [fn, def] of Object.entries(doc.functions ?? {})) {
    if (!Array.isArray(def.events)) continue;
    let i = 0;
    for (const e of def.events as unknown[]) {
      const schedule = (e as { schedule?: Record<string, unknown> }).schedule;
      if (!schedule) continue;
      i++;
      const resolved = resolveParams(schedule, params) as {
        rate?: unknown;
        timezone?: unknown;
        input?: unknown;
      };
      const rates = Array.isArray(resolved.rate) ? resolved.rate : [resolved.rate];
      rates.forEach((expression, j) => {
        out.push({
          name: `${fn}-schedule-${i}${rates.length > 1 ? `-${j + 1}` : ''}`,
          fn,
          expression: String(expression),
          timezone: typeof resolved.timezone === 'string' ? resolved.timezone : 'UTC',
          input: resolved.input ?? {},
        });
      });
    }
  }
  const definitions = scenario.schedules
    ? parseScheduleDefinitions({ schedules: scenario.schedules }, `scenario ${scenario.name}: schedules`)
    : loadScheduleConfig(join(ROOT, 'infra', 'schedules.yml'));
  const lead = Number(params.pauseHeadsUpMinutes ?? 0);
  for (const job of [...toSchedulerJobs(definitions), ...toHeadsUpJobs(definitions, lead)]) {
    out.push({
      name: job.name,
      fn: 'pause-resume',
      expression: job.expression,
      timezone: job.timezone,
      input: job.input,
    });
  }
  return out;
}
