import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Flow } from './flows.ts';
import type { SeenEvent, Target } from './target.ts';

/** How one flow went. */
export interface FlowResult {
  flow: string;
  passed: boolean;
  /** Real milliseconds, cleanup included. */
  ms: number;
  error?: string;
  /** What cleanup could not delete (a human must). */
  leftovers: string[];
  /** Files the App Runner events were recorded to. */
  recorded: string[];
  /** What the check of the recorded events found (the guard would misread or miss them). */
  eventProblems: string[];
}

/** Options of {@link runFlows}. */
export interface RunFlowsOptions {
  /** A fresh target per flow. */
  targetFor(flow: Flow): Target;
  /** Where each flow's App Runner events are written as fixtures (`<dir>/<flow>/NN-<status>.json`). */
  recordDir: string;
  /** Receives one line per flow, then the summary. */
  print(line: string): void;
  /** Checks the App Runner events a flow saw; one sentence per problem (see `check-recorded.ts`). */
  checkEvents?(events: SeenEvent[]): string[];
}

/**
 * Runs each flow on its own target, one after another, and always cleans up: the target's
 * `cleanup` runs in `finally`, whether the flow passed, failed or threw. The App Runner events the
 * flow saw are then recorded as fixtures and checked. Prints one line per flow
 * (pass/fail, duration, and why it failed) and a summary; never throws for a failed flow.
 */
export async function runFlows(flows: readonly Flow[], options: RunFlowsOptions): Promise<FlowResult[]> {
  const results: FlowResult[] = [];
  for (const flow of flows) {
    const started = performance.now();
    const target = options.targetFor(flow);
    let error: string | undefined;
    let leftovers: string[] = [];
    let recorded: string[] = [];
    let eventProblems: string[] = [];
    try {
      await flow.run(target);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    } finally {
      try {
        leftovers = await target.cleanup();
      } catch (e) {
        leftovers = [`cleanup did not finish: ${e instanceof Error ? e.message : String(e)}`];
      }
      const events = target.recordedEvents();
      recorded = recordEvents(events, join(options.recordDir, flow.name));
      eventProblems = options.checkEvents?.(events) ?? [];
    }
    const result: FlowResult = {
      flow: flow.name,
      passed: error === undefined && leftovers.length === 0 && eventProblems.length === 0,
      ms: Math.round(performance.now() - started),
      ...(error === undefined ? {} : { error }),
      leftovers,
      recorded,
      eventProblems,
    };
    results.push(result);
    options.print(formatResult(result, flow));
  }
  const passed = results.filter((r) => r.passed).length;
  options.print(`${passed} passed, ${results.length - passed} failed`);
  return results;
}

/** `PASS  rollback-mutable-tag  12.3 s  a bad deployment …` plus the reason and leftovers when it failed. */
export function formatResult(r: FlowResult, flow: Flow): string {
  const head = `${r.passed ? 'PASS' : 'FAIL'}  ${r.flow}  ${(r.ms / 1000).toFixed(1)} s  ${flow.description}`;
  const lines = [head];
  if (r.error) lines.push(`      ${r.error}`);
  for (const l of r.leftovers) lines.push(`      left behind: ${l}`);
  for (const p of r.eventProblems) lines.push(`      recorded ${p}`);
  return lines.join('\n');
}

/** Writes App Runner events as fixtures, one file each, named by order and status. */
export function recordEvents(events: readonly SeenEvent[], dir: string): string[] {
  if (events.length === 0) return [];
  mkdirSync(dir, { recursive: true });
  return events.map((e, i) => {
    const status =
      e.detail.Status ?? e.detail.operationStatus ?? e.detail.CurrentStatus ?? e.detail.currentServiceStatus;
    const slug = String(status ?? e['detail-type'])
      .replace(/([a-z])([A-Z])/g, '$1-$2')
      .replace(/[^A-Za-z0-9]+/g, '-')
      .toLowerCase();
    const file = join(dir, `${String(i + 1).padStart(2, '0')}-${slug}.json`);
    writeFileSync(file, `${JSON.stringify(e, null, 2)}\n`);
    return file;
  });
}
