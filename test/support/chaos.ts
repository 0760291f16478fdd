import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeSandbox } from '../../sandbox/environment.ts';
import { loadScenario, ROOT, runScenario, type SandboxReport } from '../../sandbox/run.ts';
import type { Scenario } from '../../sandbox/scenario.ts';

/**
 * The chaos test (issue 12): the demo (every job) under everything that goes wrong at once in AWS —
 * App Runner throttling and 5xx, Scheduler throttling, SNS 5xx, Slack 429s, events delivered twice
 * and out of order — in one spelling of App Runner's event details. Whatever the seed, on-call
 * must see the same end: the same services in the same state on the same images, the same alerts
 * in each channel, and nothing waiting in any DLQ.
 *
 * One test file per spelling (`test/integration/chaos-*.test.ts`), so the two run in parallel.
 * `CHAOS_SEEDS` (default 20) sets how many seeds each runs. A run takes a few seconds: injected
 * faults are retried without the SDK's real-time backoff (see `setRetryBackoff`), and the
 * sandbox's servers are shared by the runs of a file and stopped after it.
 */
export const SEEDS = Number(process.env.CHAOS_SEEDS ?? 20);

const demo = () => loadScenario(join(ROOT, 'sandbox/scenarios/demo.yml'));

/** The demo under faults, for one seed and spelling. */
export function chaos(seed: number, spelling: Scenario['settings']['eventSpelling']): Scenario {
  const s = demo();
  s.seed = seed;
  s.settings.eventSpelling = spelling;
  // The demo's own expectations count invocations of a calm day; here the end state is compared.
  s.expect = {};
  s.faults = {
    ...s.faults,
    apprunner: { throttle: 0.15, serverError: 0.05 },
    scheduler: { throttle: 0.15 },
    sns: { serverError: 0.15 },
    slack: { rateLimited: 0.3 },
    delivery: { duplicate: 0.3, shuffleSeconds: 20 },
  } as Scenario['faults'];
  return s;
}

/** The first line of an alert, without the severity emoji: what on-call reads in the channel. */
const headline = (text: string) =>
  text
    .split('\n')[0]!
    .replace(/:[a-z_]+:\s*/g, '')
    .replace(/\*/g, '')
    .trim();

/** What a user would notice at the end, independent of how many tries it took. */
export function endState(report: SandboxReport) {
  return {
    services: Object.fromEntries(
      report.fleet.map((s) => [s.name, { status: s.status, image: s.configured }] as const).sort(),
    ),
    sns: [...new Set(report.snsMessages.map((m) => m.subject ?? ''))].sort(),
    slack: [...new Set(report.slackMessages.map((m) => headline(m.text)))].sort(),
  };
}

/** Declares the chaos suite for one spelling: the calm reference, then one test per seed. */
export function describeChaos(spelling: Scenario['settings']['eventSpelling']): void {
  afterAll(closeSandbox);

  describe(`chaos, ${spelling} details: the demo under faults reaches the same end state`, () => {
    let reference: ReturnType<typeof endState>;

    beforeAll(async () => {
      const calm = demo();
      calm.settings.eventSpelling = spelling;
      const report = await runScenario(calm);
      expect(report.expectations.failures).toEqual([]);
      reference = endState(report);
      // The reference is not empty: the demo pins, deletes, pauses and resumes, and alerts on each.
      expect(reference.sns.length).toBeGreaterThan(0);
      expect(reference.slack.length).toBeGreaterThan(0);
    }, 120_000);

    it.each(Array.from({ length: SEEDS }, (_, i) => i + 1))(
      'seed %i',
      async (seed) => {
        const report = await runScenario(chaos(seed, spelling));
        // Faults were injected for real (not a calm run by accident).
        expect(report.apiCalls.some((c) => c.fault)).toBe(true);
        expect(endState(report)).toEqual(reference);
        expect(report.failedInvocations).toEqual([]);
      },
      120_000,
    );
  });
}
