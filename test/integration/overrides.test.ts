import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeSandbox } from '../../sandbox/environment.ts';
import { loadScenario, ROOT, runScenario, type SandboxReport } from '../../sandbox/run.ts';

// The sandbox's servers are started once per test file: stop them when it is done.
afterAll(closeSandbox);

const scenario = (name: string) => loadScenario(join(ROOT, 'sandbox/scenarios', `${name}.yml`));
const MINUTE = 60_000;

/** When the guard (or anyone) asked App Runner to pause staging-web. */
const pauseCalls = (report: SandboxReport) =>
  report.apiCalls
    .filter((c) => c.api === 'apprunner' && c.operation === 'PauseService' && c.status < 400)
    .map((c) => Date.parse(c.time));

/** The override ended at 22:00 Berlin (21:00 UTC) while the schedule wants the service paused. */
function expectPausedWithinFiveMinutesOfOverrideEnd(report: SandboxReport) {
  expect(report.expectations.failures).toEqual([]);
  const end = Date.parse('2026-11-19T21:00:00Z');
  const after = pauseCalls(report).filter((t) => t >= end);
  expect(after).toHaveLength(1);
  expect(after[0]! - end).toBeLessThanOrEqual(5 * MINUTE);
  expect(report.fleet.find((s) => s.name === 'staging-web')!.status).toBe('PAUSED');
  expect(report.failedInvocations).toEqual([]);
  // One wake-up at the end, deleted after it ran: nothing of it is left.
  const wakes = report.schedules.log.filter((e) => e.name.includes('override-end'));
  expect(wakes.map((e) => e.kind)).toEqual(['created', 'fired', 'deleted']);
  expect(report.schedules.remaining.filter((s) => s.name.includes('override-end'))).toEqual([]);
}

describe('an override that ends while the schedule wants the service paused', () => {
  it('seen by the 20:00 pause run: paused within five minutes of its end', async () => {
    expectPausedWithinFiveMinutesOfOverrideEnd(await runScenario(scenario('override-ends-seen-by-run')));
  });

  it('set by `guard resume --until`: paused within five minutes of its end', async () => {
    expectPausedWithinFiveMinutesOfOverrideEnd(
      await runScenario(scenario('override-ends-after-resume-until')),
    );
  });

  it('set by `guard resume --until` after a resume by hand in the console: paused within five minutes of its end', async () => {
    expectPausedWithinFiveMinutesOfOverrideEnd(
      await runScenario(scenario('override-ends-after-resume-by-hand')),
    );
  });

  it('resumed by hand without --until: running through the night and the morning resume fire, paused again at the next pause fire (what `guard resume` warns)', async () => {
    const report = await runScenario(scenario('resume-by-hand-while-paused'));
    expect(report.expectations.failures).toEqual([]);
    expect(report.expectations.passed).toBe(true);
    const byHand = Date.parse('2026-11-19T19:30:00Z');
    const nextPauseFire = Date.parse('2026-11-20T19:00:00Z'); // Friday 20:00 Berlin
    const later = pauseCalls(report).filter((t) => t > byHand);
    expect(later).toHaveLength(1);
    expect(later[0]!).toBeGreaterThanOrEqual(nextPauseFire);
    expect(later[0]! - nextPauseFire).toBeLessThanOrEqual(5 * MINUTE);
    expect(report.fleet.find((s) => s.name === 'staging-web')!.status).toBe('PAUSED');
    expect(report.failedInvocations).toEqual([]);
  });
});
