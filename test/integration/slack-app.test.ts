import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenario, runScenario, type SandboxReport } from '../../sandbox/run.ts';

const scenario = (name: string) =>
  loadScenario(fileURLToPath(new URL(`../../sandbox/scenarios/${name}.yml`, import.meta.url)));

/** The sandbox app's secrets: they must appear nowhere in what the guard produced. */
function expectNoSecrets(report: SandboxReport) {
  const produced = JSON.stringify([
    report.invocations,
    report.snsMessages,
    report.slackCalls,
    report.guardEvents,
  ]);
  expect(produced).not.toContain('sandboxbottoken');
  expect(produced).not.toContain('sandboxsigningsecret');
}

describe('Slack app mode in the sandbox', () => {
  it('a failed deployment, its rollback and the fix are one thread whose parent is updated in place', async () => {
    const report = await runScenario(scenario('slack-incident-thread'));
    expect(report.expectations.failures).toEqual([]);
    const ok = report.slackCalls.filter((c) => c.result === 'ok');
    const parent = ok.find((c) => c.method === 'chat.postMessage' && !c.threadTs)!;
    // Every other call is in that parent's thread or updates the parent itself.
    for (const c of ok.filter((c) => c !== parent)) {
      expect(c.threadTs ?? c.ts).toBe(parent.ts);
    }
    // Nothing went to the webhook in app mode.
    expect(report.slackMessages).toEqual([]);
    expectNoSecrets(report);
  });

  it('forged, stale, replayed and unauthorised clicks change nothing; an authorised Keep this service keeps the service', async () => {
    const report = await runScenario(scenario('slack-keep-service'));
    expect(report.expectations.failures).toEqual([]);
    const tagCalls = report.apiCalls.filter((c) => c.api === 'apprunner' && c.operation === 'TagResource');
    expect(tagCalls).toHaveLength(1);
    expect(report.fleet.find((s) => s.name === 'batch-worker')?.status).toBe('CREATE_FAILED');
    expectNoSecrets(report);
  });
});

describe('heads-up before a pause', () => {
  it('one heads-up per pause lists the services; Keep running until… from Slack keeps one running', async () => {
    const report = await runScenario(scenario('slack-pause-heads-up'));
    expect(report.expectations.failures).toEqual([]);
    expect(report.slackCalls.every((c) => c.channel === 'C0INFO')).toBe(true);
    expectNoSecrets(report);
  });
});

describe('Keep running until… after the pause', () => {
  it('resumes the paused service and pauses it again when the override ends, as its schedule wants', async () => {
    const report = await runScenario(scenario('slack-keep-running-after-pause'));
    expect(report.expectations.failures).toEqual([]);
    const api = report.fleet.find((s) => s.name === 'staging-api')!;
    const pauses = api.operations.filter((o) => o.type === 'PAUSE_SERVICE');
    // The schedule's pause at 19:00 UTC, then the guard's at the override's end (21:00 UTC).
    expect(pauses.map((o) => o.startedAt)).toEqual(['2026-11-19T19:00:00.000Z', '2026-11-19T21:00:00.000Z']);
  });
});

describe('Slack refusing the app', () => {
  it('invalid_auth: the alert reaches SNS, the failure is reported on SNS once, the next alert opens the thread', async () => {
    const report = await runScenario(scenario('slack-app-refused'));
    expect(report.expectations.failures).toEqual([]);
    expect(report.invocations.filter((i) => i.function === 'notify' && i.outcome === 'failed')).toHaveLength(
      1,
    );
    expectNoSecrets(report);
  });
});
