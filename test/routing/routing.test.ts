import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { routeFiles } from '../../cli/route.ts';
import { ownerOfOperation, ownerOfStatus } from '../../lib/core/app-runner-facts.ts';
import { InvalidEventError } from '../../lib/core/errors.ts';
import { parseAppRunnerEvent, toCamelCaseEvent } from '../../lib/events/app-runner.ts';
import { CLOUDWATCH_SOURCE, parseAlarmStateChange } from '../../lib/events/cloudwatch.ts';
import { ECR_SOURCE, parseImagePushEvent } from '../../lib/events/ecr.ts';
import { GUARD_SOURCE, parseGuardEvent } from '../../lib/events/guard.ts';
import { checkEventLimits } from '../../lib/events/limits.ts';
import { parseTagChange, TAG_SOURCE } from '../../lib/events/tag-change.ts';
import { compilePattern } from '../../sandbox/event-pattern.ts';
import { loadRoutes, routeEvent } from '../../sandbox/routes.ts';
import { ACCOUNT_ID, hubTargets } from '../support/env.ts';
import { listFixtures, loadFixture } from '../support/fixtures.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const routes = loadRoutes(ROOT);

const RELEASE = ['record-release'];
const ROLLBACK_AND_ALERT = ['rollback', 'notify'];
const ALERT = ['notify'];
const ALERT_AND_CLEANUP = ['notify', 'cleanup'];
const NONE: string[] = [];

/** What each fixture must trigger: the contract of infra/patterns, one line per fixture. */
const EXPECTED: Record<string, string[]> = {
  'apprunner-operation/create-service-started': NONE,
  'apprunner-operation/create-service-completed-successfully': RELEASE,
  'apprunner-operation/create-service-failed': ALERT_AND_CLEANUP,
  'apprunner-operation/delete-service-started': NONE,
  // A deleted service's bake ends: record-release deletes the guard's default alarm.
  'apprunner-operation/delete-service-completed-successfully': RELEASE,
  'apprunner-operation/delete-service-failed': ALERT,
  'apprunner-operation/update-service-started': NONE,
  'apprunner-operation/update-service-completed-successfully': RELEASE,
  'apprunner-operation/update-service-failed': ROLLBACK_AND_ALERT,
  'apprunner-operation/deployment-started': NONE,
  'apprunner-operation/deployment-completed-successfully': RELEASE,
  'apprunner-operation/deployment-failed': ROLLBACK_AND_ALERT,
  'apprunner-operation/pause-service-started': NONE,
  'apprunner-operation/pause-service-completed-successfully': NONE,
  'apprunner-operation/pause-service-failed': ALERT,
  'apprunner-operation/resume-service-started': NONE,
  'apprunner-operation/resume-service-completed-successfully': NONE,
  'apprunner-operation/resume-service-failed': ALERT,
  'apprunner-status/running': NONE,
  'apprunner-status/operation-in-progress': NONE,
  'apprunner-status/paused': NONE,
  'apprunner-status/resuming': NONE,
  'apprunner-status/create-failed': ALERT_AND_CLEANUP,
  'apprunner-status/delete-failed': ALERT_AND_CLEANUP,
  'apprunner-status/deleted': NONE,
  'apprunner-camel/create-failed': ALERT_AND_CLEANUP,
  'apprunner-camel/delete-failed': ALERT_AND_CLEANUP,
  'apprunner-camel/deployment-completed-successfully': RELEASE,
  'apprunner-camel/deployment-failed': ROLLBACK_AND_ALERT,
  'apprunner-camel/docs-mixed-pause-completed': NONE,
  'apprunner-camel/running': NONE,
  'apprunner-camel/update-service-failed': ROLLBACK_AND_ALERT,
  'hostile/mrkdwn-injection': ROLLBACK_AND_ALERT,
  'hostile/long-message': ROLLBACK_AND_ALERT,
  'hostile/control-characters': ROLLBACK_AND_ALERT,
  'hostile/create-failed-odd-text': ALERT_AND_CLEANUP,
  'guard/rollback-completed': ALERT,
  'guard/rollback-skipped': ALERT,
  'guard/rollback-failed': ALERT,
  'guard/release-recorded': NONE,
  'guard/deletion-scheduled': ALERT,
  'guard/service-deleted': ALERT,
  'guard/service-kept': ALERT,
  'guard/cleanup-failed': ALERT,
  'guard/schedule-run-completed': ALERT,
  'guard/schedule-action-failed': ALERT,
  'guard/quota-warning': ALERT,
  'guard/release-promoted': ALERT,
  'guard/release-not-promoted': ALERT,
  'guard/bake-alarm-already-firing': ALERT,
  'guard/bake-alarm-retired': ALERT,
  'guard/rollback-completed-alarm': ALERT,
  'guard/rollback-skipped-alarm-after-promotion': ALERT,
  // ECR's push events: fix forward takes successful pushes of a tag, and nothing else.
  'ecr/image-push': ['fix-forward'],
  'ecr/image-push-failed': NONE,
  'ecr/image-push-untagged': NONE,
  // CloudWatch alarms: the rollback job takes ALARM (a bake's alarm), nothing takes the way back.
  'cloudwatch/alarm-state-change': ['rollback'],
  'cloudwatch/alarm-state-change-user-alarm': ['rollback'],
  'cloudwatch/alarm-state-change-ok': NONE,
  // Tag changes: record-release hears an App Runner service's bake tags changing, nothing else.
  'tag/bake-opt-in-removed': RELEASE,
  'tag/bake-alarms-tag-added': RELEASE,
  'tag/unrelated-tag-change': NONE,
  'tag/other-service-tag-change': NONE,
  // Scheduler invokes its targets directly: no EventBridge rule may pick these up.
  'scheduler/pause': NONE,
  'scheduler/resume': NONE,
  'scheduler/converge-retry': NONE,
  'scheduler/cleanup-sweep': NONE,
  'scheduler/cleanup-delete': NONE,
  'scheduler/release-promote': NONE,
  'scheduler/retire-alarms': NONE,
};

const loadRoutesFrom = (pattern: object) => [{ matches: compilePattern(pattern) }];

/** What every routed function does first: the shared stack's limits, then its parser. */
function parseAsRoutedFunction(raw: unknown): void {
  checkEventLimits(raw);
  const source = (raw as { source?: unknown }).source;
  if (source === GUARD_SOURCE) parseGuardEvent(raw, { accountId: ACCOUNT_ID });
  else if (source === ECR_SOURCE) parseImagePushEvent(raw, { targets: hubTargets() });
  else if (source === CLOUDWATCH_SOURCE) parseAlarmStateChange(raw, { targets: hubTargets() });
  else if (source === TAG_SOURCE) parseTagChange(raw, { targets: hubTargets() });
  else parseAppRunnerEvent(raw, { targets: hubTargets() });
}

describe('routing fixtures through infra/patterns as the routing table (infra/routes.ts) wires them', () => {
  it('has one rule per pattern file of infra/patterns', () => {
    expect(routes.map((r) => r.patternFile).sort()).toEqual(
      [
        'infra/patterns/bake-alarm.json',
        'infra/patterns/bake-service-deleted.json',
        'infra/patterns/bake-tag-change.json',
        'infra/patterns/cleanup-failed-service.json',
        'infra/patterns/fix-forward.json',
        'infra/patterns/notify-guard-actions.json',
        'infra/patterns/notify-operation-failed.json',
        'infra/patterns/notify-service-failed.json',
        'infra/patterns/record-release.json',
        'infra/patterns/rollback.json',
        'infra/patterns/slack-action-requested.json',
      ].sort(),
    );
    // No pattern file is left out of the routing table (it would silently route nothing).
    expect(routes.map((r) => r.patternFile).sort()).toEqual(
      readdirSync(join(ROOT, 'infra/patterns'))
        .map((f) => `infra/patterns/${f}`)
        .sort(),
    );
  });

  it('routes a Slack action hand-off to slack-actions-job only (never to notify), and no guard event to it', () => {
    const handOff = {
      version: '0',
      id: 'a6f1c1d2-0000-4000-8000-000000000001',
      source: 'apprunner-guard.slack',
      'detail-type': 'Slack Action Requested',
      account: ACCOUNT_ID,
      time: '2026-11-30T15:00:00Z',
      region: 'us-east-1',
      resources: [],
      detail: { action: 'keep-service' },
    };
    expect(routeEvent(routes, handOff)).toEqual(['slack-actions-job']);
    expect(routeEvent(routes, { ...handOff, source: 'apprunner-guard' })).not.toContain('slack-actions-job');
  });

  it('lists an expectation for every valid fixture', () => {
    const valid = listFixtures().filter((n) => !n.startsWith('invalid/'));
    expect(valid.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s → %j', (name, functions) => {
    expect(routeEvent(routes, loadFixture(name)).sort()).toEqual([...functions].sort());
  });

  it.each(
    Object.keys(EXPECTED).filter(
      (n) => n.startsWith('apprunner-operation/') || n.startsWith('apprunner-status/'),
    ),
  )('%s: the camelCase twin routes identically', (name) => {
    const raw = loadFixture<{ detail: unknown }>(name);
    expect(routeEvent(routes, toCamelCaseEvent(raw))).toEqual(routeEvent(routes, raw));
  });

  it.each(
    Object.keys(EXPECTED).filter(
      (n) => n.startsWith('apprunner-operation/') || n.startsWith('apprunner-status/'),
    ),
  )('%s reaches the job that owns it (lib/core FAILURE_OWNERS), and no other owner', (name) => {
    const event = parseAppRunnerEvent(loadFixture(name), { targets: hubTargets() });
    const owner =
      event.kind === 'operation' ? ownerOfOperation(event.status) : ownerOfStatus(event.currentStatus);
    const routed = routeEvent(routes, loadFixture(name)).filter((f) => f === 'rollback' || f === 'cleanup');
    expect(routed).toEqual(owner ? [owner] : []);
  });

  it('a pattern on one spelling alone would miss the other (why every pattern uses $or)', () => {
    const camel = toCamelCaseEvent(loadFixture<{ detail: unknown }>('apprunner-operation/deployment-failed'));
    const rollback = routes.find((r) => r.patternFile.endsWith('/rollback.json'))!;
    const pascalBranch = {
      ...rollback.pattern,
      detail: { Status: ['DeploymentFailed', 'UpdateServiceFailed'] },
    };
    const [pascalOnly] = loadRoutesFrom(pascalBranch);
    expect(pascalOnly!.matches(camel)).toBe(false);
    expect(rollback.matches(camel)).toBe(true);
  });

  it('routes every App Runner event a job handles to notify too: notify alone alerts rejected failures', () => {
    const appRunner = listFixtures().filter(
      (n) => loadFixture<{ source?: unknown } | null>(n)?.source === 'aws.apprunner',
    );
    for (const name of appRunner) {
      const raw = loadFixture<{ detail: unknown }>(name);
      for (const event of [raw, toCamelCaseEvent(raw)]) {
        const functions = routeEvent(routes, event);
        if (functions.includes('rollback') || functions.includes('cleanup')) {
          expect(functions, name).toContain('notify');
        }
      }
    }
  });

  it.each(listFixtures('invalid'))('%s triggers nothing or is rejected by parsing', (name) => {
    const raw = loadFixture(name);
    const functions = routeEvent(routes, raw);
    if (functions.length > 0) expect(() => parseAsRoutedFunction(raw)).toThrow(InvalidEventError);
  });
});

describe('guard route', () => {
  it('prints a line per fixture with the functions it triggers', () => {
    const lines = routeFiles(ROOT, [
      `${ROOT}events/apprunner-operation/deployment-failed.json`,
      `${ROOT}events/scheduler`,
    ]);
    expect(lines[0]).toEqual({
      file: `${ROOT}events/apprunner-operation/deployment-failed.json`,
      functions: ['rollback', 'notify'],
    });
    expect(lines.slice(1).every((l) => l.functions.length === 0)).toBe(true);
    expect(lines).toHaveLength(1 + listFixtures('scheduler').length);
  });

  it('expands quoted globs without relying on the shell', () => {
    const cwd = process.cwd();
    process.chdir(ROOT);
    try {
      expect(routeFiles(ROOT, ['events/**/*.json'])).toHaveLength(listFixtures().length);
    } finally {
      process.chdir(cwd);
    }
  });

  it('reports unreadable files instead of failing the whole run', () => {
    const [line] = routeFiles(ROOT, ['/nonexistent/event.json']);
    expect(line?.functions).toEqual([]);
    expect(line?.error).toMatch(/cannot read JSON/);
  });
});
