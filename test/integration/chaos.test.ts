import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadScenario, ROOT, runScenario, type SandboxReport } from '../../sandbox/run.ts';
import type { Scenario } from '../../sandbox/scenario.ts';

/**
 * The demo (all four jobs) under everything that goes wrong at once in AWS: App Runner throttling
 * and 5xx, Scheduler throttling, SNS 5xx, Slack 429s, events delivered twice and out of order, in
 * both spellings of App Runner's event details. Whatever the seed, on-call must see the same end:
 * the same services in the same state on the same images, the same alerts in each channel, and
 * nothing waiting in any DLQ.
 *
 * `CHAOS_SEEDS` (default 20) sets how many seeds run, each in both spellings.
 */
const SEEDS = Number(process.env.CHAOS_SEEDS ?? 20);
const SPELLINGS = ['PascalCase', 'camelCase'] as const;

const demo = () => loadScenario(join(ROOT, 'sandbox/scenarios/demo.yml'));

function chaos(seed: number, spelling: (typeof SPELLINGS)[number]): Scenario {
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
function endState(report: SandboxReport) {
  return {
    services: Object.fromEntries(
      report.fleet.map((s) => [s.name, { status: s.status, image: s.configured }] as const).sort(),
    ),
    sns: [...new Set(report.snsMessages.map((m) => m.subject ?? ''))].sort(),
    slack: [...new Set(report.slackMessages.map((m) => headline(m.text)))].sort(),
  };
}

describe('chaos: the demo under faults reaches the same end state', () => {
  let reference: ReturnType<typeof endState>;

  beforeAll(async () => {
    const report = await runScenario(demo());
    expect(report.expectations.failures).toEqual([]);
    reference = endState(report);
    // The reference is not empty: the demo pins, deletes, pauses and resumes, and alerts on each.
    expect(reference.sns.length).toBeGreaterThan(0);
    expect(reference.slack.length).toBeGreaterThan(0);
  }, 120_000);

  const cases = Array.from({ length: SEEDS }, (_, i) => i + 1).flatMap((seed) =>
    SPELLINGS.map((spelling) => ({ seed, spelling })),
  );
  it.each(cases)(
    'seed $seed, $spelling details',
    async ({ seed, spelling }) => {
      const report = await runScenario(chaos(seed, spelling));
      // Faults were injected for real (not a calm run by accident).
      expect(report.apiCalls.some((c) => c.fault)).toBe(true);
      expect(endState(report)).toEqual(reference);
      expect(report.failedInvocations).toEqual([]);
    },
    120_000,
  );
});
