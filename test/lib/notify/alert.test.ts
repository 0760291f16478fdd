import { describe, expect, it } from 'vitest';
import { decideNotify, describeAlert, serviceLinks } from '../../../lib/notify/alert.ts';
import { listFixtures } from '../../support/fixtures.ts';
import { inputFrom, type RawEvent } from './support.ts';

const PAYMENTS_ARN =
  'arn:aws:apprunner:us-east-1:111122223333:service/payments-api/8fe1e10304f84fd2b0df550fe98a71fa';

/** Every App Runner failure fixture: who reports it, and how bad it is when alerted directly. */
const APP_RUNNER_FAILURES = [
  {
    fixture: 'apprunner-operation/deployment-failed',
    owner: 'rollback',
    severity: 'critical',
    status: 'DeploymentFailed',
  },
  {
    fixture: 'apprunner-operation/update-service-failed',
    owner: 'rollback',
    severity: 'critical',
    status: 'UpdateServiceFailed',
  },
  {
    fixture: 'apprunner-operation/create-service-failed',
    owner: 'cleanup',
    severity: 'critical',
    status: 'CreateServiceFailed',
  },
  {
    fixture: 'apprunner-status/create-failed',
    owner: 'cleanup',
    severity: 'critical',
    status: 'CREATE_FAILED',
  },
  {
    fixture: 'apprunner-status/delete-failed',
    owner: 'cleanup',
    severity: 'critical',
    status: 'DELETE_FAILED',
  },
  {
    fixture: 'apprunner-camel/deployment-failed',
    owner: 'rollback',
    severity: 'critical',
    status: 'DeploymentFailed',
  },
  {
    fixture: 'apprunner-camel/update-service-failed',
    owner: 'rollback',
    severity: 'critical',
    status: 'UpdateServiceFailed',
  },
  {
    fixture: 'apprunner-camel/create-failed',
    owner: 'cleanup',
    severity: 'critical',
    status: 'CREATE_FAILED',
  },
  {
    fixture: 'apprunner-camel/delete-failed',
    owner: 'cleanup',
    severity: 'critical',
    status: 'DELETE_FAILED',
  },
  {
    fixture: 'apprunner-operation/delete-service-failed',
    owner: undefined,
    severity: 'critical',
    status: 'DeleteServiceFailed',
  },
  {
    fixture: 'apprunner-operation/resume-service-failed',
    owner: undefined,
    severity: 'critical',
    status: 'ResumeServiceFailed',
  },
  {
    fixture: 'apprunner-operation/pause-service-failed',
    owner: undefined,
    severity: 'warning',
    status: 'PauseServiceFailed',
  },
] as const;

describe('App Runner failures', () => {
  it('covers every failure fixture there is', () => {
    const failures = listFixtures()
      .filter((f) => f.startsWith('apprunner-'))
      .filter((f) => /failed/.test(f));
    expect(failures.sort()).toEqual(APP_RUNNER_FAILURES.map((c) => c.fixture).sort());
  });

  it.each(APP_RUNNER_FAILURES)(
    '$fixture: owner $owner, severity $severity',
    ({ fixture, owner, severity, status }) => {
      const input = inputFrom(fixture);
      const decision = decideNotify(input);
      if (owner) {
        expect(decision).toEqual({ notify: false, reason: `reported with the ${owner} outcome` });
      } else {
        expect(decision).toEqual({ notify: true });
      }
      const alert = describeAlert(input);
      expect(alert.severity).toBe(severity);
      expect(alert.status).toBe(status);
      expect(alert.job).toBe('apprunner');
      expect(alert.messageId).toBe(input.eventId);
      expect(alert.time).toBe(input.time);
      expect(alert.title).toContain(alert.service!.name);
      expect(alert.summary).toContain(status);
      expect(alert.facts).toContainEqual({ label: 'Status', value: status });
      expect(alert.links.map((l) => l.label)).toEqual([
        'Open in App Runner',
        'Application logs',
        'Service logs',
      ]);
      expect(alert.dedupKey).toBe(`${alert.service!.arn}|${status}|${severity}`);
      expect(alert.actionTaken.length).toBeGreaterThan(0);
    },
  );

  it('carries App Runner message text into the summary', () => {
    const input = inputFrom('apprunner-operation/resume-service-failed');
    const alert = describeAlert(input);
    expect(input.kind !== 'guard' && input.message).toBeTruthy();
    expect(alert.summary).toContain(input.kind !== 'guard' ? input.message : '');
    expect(alert.title).toMatch(/^Resume failed: /);
    expect(alert.actionTaken).toMatch(/stays paused/);
  });

  it('does not alert on App Runner events that are not failures', () => {
    expect(decideNotify(inputFrom('apprunner-operation/deployment-completed-successfully'))).toMatchObject({
      notify: false,
    });
    expect(decideNotify(inputFrom('apprunner-status/running'))).toMatchObject({ notify: false });
  });
});

/** Every guard fixture: whether it is alerted and how severe it is. */
const GUARD_EVENTS = [
  { fixture: 'guard/rollback-completed', notify: true, severity: 'info', action: /^Done: pin-image/ },
  { fixture: 'guard/rollback-skipped', notify: true, severity: 'warning', action: /^Nothing done: skipped/ },
  {
    fixture: 'guard/rollback-failed',
    notify: true,
    severity: 'critical',
    action: /^Failed while attempting pin-image/,
  },
  { fixture: 'guard/release-recorded', notify: false, severity: 'info', action: /^Done/ },
  { fixture: 'guard/deletion-scheduled', notify: true, severity: 'info', action: /^Done: schedule-deletion/ },
  { fixture: 'guard/service-deleted', notify: true, severity: 'info', action: /^Done: delete-service/ },
  { fixture: 'guard/service-kept', notify: true, severity: 'info', action: /^Nothing to do/ },
  {
    fixture: 'guard/cleanup-failed',
    notify: true,
    severity: 'critical',
    action: /^Failed while attempting delete-service/,
  },
  { fixture: 'guard/schedule-run-completed', notify: true, severity: 'info', action: /^Done: pause/ },
  {
    fixture: 'guard/schedule-action-failed',
    notify: true,
    severity: 'critical',
    action: /^Failed while attempting pause/,
  },
  { fixture: 'guard/quota-warning', notify: true, severity: 'warning', action: /^Done: warn-quota/ },
  { fixture: 'guard/release-promoted', notify: true, severity: 'info', action: /^Done: promote-release/ },
  {
    fixture: 'guard/release-not-promoted',
    notify: true,
    severity: 'warning',
    action: /^Nothing done: skipped/,
  },
  {
    fixture: 'guard/bake-alarm-already-firing',
    notify: true,
    severity: 'warning',
    action: /^Nothing done: skipped/,
  },
  { fixture: 'guard/rollback-completed-alarm', notify: true, severity: 'info', action: /^Done: pin-image/ },
  { fixture: 'guard/bake-alarm-retired', notify: true, severity: 'info', action: /^Done: delete-alarm/ },
  {
    fixture: 'guard/rollback-skipped-alarm-after-promotion',
    notify: true,
    severity: 'warning',
    action: /^Nothing done: skipped/,
  },
] as const;

describe('guard events', () => {
  it('covers every guard fixture there is', () => {
    expect(listFixtures('guard').sort()).toEqual(GUARD_EVENTS.map((c) => c.fixture).sort());
  });

  it.each(GUARD_EVENTS)(
    '$fixture: notify $notify, severity $severity',
    ({ fixture, notify, severity, action }) => {
      const input = inputFrom(fixture);
      if (input.kind !== 'guard') throw new Error('not a guard fixture');
      expect(decideNotify(input).notify).toBe(notify);
      const alert = describeAlert(input);
      expect(alert.severity).toBe(severity);
      expect(alert.title.startsWith(input.detailType)).toBe(true);
      expect(alert.summary.startsWith(input.detail.reason)).toBe(true);
      expect(alert.actionTaken).toMatch(action);
      expect(alert.status).toBe(input.detail.outcome);
      expect(alert.job).toBe(input.detail.job);
      expect(alert.facts).toContainEqual({ label: 'Trigger', value: input.detail.trigger });
      if (input.detail.service) {
        expect(alert.title).toContain(input.detail.service.name);
        expect(alert.links[0]!.url).toContain(encodeURIComponent(input.detail.service.arn));
        expect(alert.links).toHaveLength(3);
      } else {
        expect(alert.links).toEqual([]);
        expect(alert.service).toBeUndefined();
      }
    },
  );

  it('carries the rollback outcome: from, to and failed digest', () => {
    const alert = describeAlert(inputFrom('guard/rollback-completed'));
    expect(alert.facts).toEqual(
      expect.arrayContaining([
        { label: 'From image', value: '111122223333.dkr.ecr.us-east-1.amazonaws.com/payments:latest' },
        { label: 'To image', value: expect.stringContaining('payments@sha256:aaaa') },
        { label: 'Failed digest', value: expect.stringContaining('sha256:bbbb') },
      ]),
    );
  });

  it('says plainly what a pin does to deployments of the tag it replaced, and how the pin ends', () => {
    const alert = describeAlert(
      inputFrom('guard/rollback-completed', (raw) => {
        const details = raw.detail.details as Record<string, unknown>;
        details.pinnedFromTag = '111122223333.dkr.ecr.us-east-1.amazonaws.com/payments:latest';
        details.autoDeployments = 'off while pinned';
      }),
    );
    expect(alert.summary).toContain(
      'While it is pinned, pushes to 111122223333.dkr.ecr.us-east-1.amazonaws.com/payments:latest do not deploy.',
    );
    expect(alert.summary).toContain('apprunner-guard:fix-forward=off');
    expect(alert.summary).toContain('`guard unpin payments-api`');
    expect(alert.facts).toContainEqual({ label: 'Automatic deployments', value: 'off while pinned' });
    // A skipped rollback pinned nothing: no pin note.
    expect(describeAlert(inputFrom('guard/rollback-skipped')).summary).not.toContain('guard unpin');
  });

  it('a bake rollback says which alarm fired, why, in which window, what was pinned and what pushes do now', () => {
    const alert = describeAlert(inputFrom('guard/rollback-completed-alarm'));
    expect(alert.summary).toMatch(
      /^Alarm apprunner-guard-dev-bake-payments-api-\S+ went to ALARM at .*12 minutes into the bake/,
    );
    expect(alert.summary).toContain(
      'While it is pinned, pushes to 111122223333.dkr.ecr.us-east-1.amazonaws.com/payments:latest do not deploy.',
    );
    const labels = alert.facts.map((f) => f.label);
    expect(labels.slice(labels.indexOf('Alarm'), labels.indexOf('Alarm') + 5)).toEqual([
      'Alarm',
      'Alarm reason',
      'Alarm at',
      'Bake window',
      'Candidate digest',
    ]);
    expect(alert.facts).toContainEqual({ label: 'Quarantined digest', value: `sha256:${'c'.repeat(64)}` });
  });

  it('a promotion says the release is now the rollback target; a release not promoted says what is left to a human', () => {
    const promoted = describeAlert(inputFrom('guard/release-promoted'));
    expect(promoted.summary).toContain('promoted to known-good');
    expect(promoted.facts).toContainEqual({ label: 'Release state', value: 'known-good' });
    const notPromoted = describeAlert(inputFrom('guard/release-not-promoted'));
    expect(notPromoted.summary).toContain('A human should look');
    expect(notPromoted.facts).toEqual(
      expect.arrayContaining([
        { label: 'Alarms in ALARM', value: expect.stringContaining('apprunner-guard-dev-bake-payments-api') },
        { label: 'Release state', value: 'candidate' },
      ]),
    );
    // Alarms after the bake: alerted, with how to roll back by hand.
    expect(describeAlert(inputFrom('guard/rollback-skipped-alarm-after-promotion')).summary).toContain(
      '`guard rollback payments-api`',
    );
  });

  it('names the schedule of a fleet summary and shows its counts', () => {
    const alert = describeAlert(inputFrom('guard/schedule-run-completed'));
    expect(alert.title).toBe('Schedule Run Completed: office-hours-berlin');
    expect(alert.facts).toContainEqual({
      label: 'Counts',
      value: 'paused 3, resumed 0, skipped 1, failed 0',
    });
    expect(alert.dedupKey).toBe('fleet:office-hours-berlin|Schedule Run Completed|info');
  });

  it('titles the quota warning without inventing a subject', () => {
    const alert = describeAlert(inputFrom('guard/quota-warning'));
    expect(alert.title).toBe('Service Quota Warning');
    expect(alert.dedupKey).toBe('fleet:cleanup|Service Quota Warning|warning');
  });

  it('marks dry-run actions clearly, at info severity', () => {
    const alert = describeAlert(
      inputFrom('guard/rollback-completed', (raw) => {
        raw.detail.dryRun = true;
      }),
    );
    expect(alert.severity).toBe('info');
    expect(alert.title).toMatch(/^DRY RUN Rollback Completed: payments-api$/);
    expect(alert.actionTaken).toBe('DRY RUN: would have done pin-image; nothing was changed.');
    expect(alert.facts).toContainEqual({ label: 'Dry run', value: 'yes: nothing was changed' });
    expect(alert.dryRun).toBe(true);
  });

  it('warns when a rollback gave up waiting (deferred): the failed deployment is still unhandled', () => {
    const input = inputFrom('guard/rollback-skipped', (raw) => {
      raw.detail.outcome = 'deferred';
      raw.detail.details = { code: 'gave-up', failureStatus: 'DeploymentFailed', attempts: 3 };
    });
    const alert = describeAlert(input);
    expect(alert.severity).toBe('warning');
    expect(alert.summary).toMatch(/\nApp Runner reported DeploymentFailed\.$/);
    expect(alert.facts).toContainEqual({ label: 'Attempts', value: '3' });
  });

  it('lets any job ask for attention, and keeps other skips at info', () => {
    const skippedPause = inputFrom('guard/schedule-action-failed', (raw) => {
      raw.detail.outcome = 'skipped';
    });
    expect(describeAlert(skippedPause).severity).toBe('info');
    const attention = inputFrom('guard/schedule-action-failed', (raw) => {
      raw.detail.outcome = 'skipped';
      raw.detail.details = { attention: true };
    });
    expect(describeAlert(attention).severity).toBe('warning');
  });

  it('never alerts on the notifier’s own failures (that would loop)', () => {
    const input = inputFrom('guard/rollback-failed', (raw) => {
      raw['detail-type'] = 'Notification Failed';
      raw.detail.job = 'notify';
    });
    expect(decideNotify(input)).toMatchObject({ notify: false });
  });
});

describe('links', () => {
  it('point at the App Runner console and both CloudWatch log groups', () => {
    const links = serviceLinks({
      arn: PAYMENTS_ARN,
      name: 'payments-api',
      region: 'us-east-1',
      account: '111122223333',
    });
    expect(links).toEqual([
      {
        label: 'Open in App Runner',
        url:
          'https://us-east-1.console.aws.amazon.com/apprunner/home?region=us-east-1#/services/dashboard?service_arn=' +
          'arn%3Aaws%3Aapprunner%3Aus-east-1%3A111122223333%3Aservice%2Fpayments-api%2F8fe1e10304f84fd2b0df550fe98a71fa',
      },
      {
        label: 'Application logs',
        url:
          'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:log-groups/log-group/' +
          '$252Faws$252Fapprunner$252Fpayments-api$252F8fe1e10304f84fd2b0df550fe98a71fa$252Fapplication',
      },
      {
        label: 'Service logs',
        url:
          'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:log-groups/log-group/' +
          '$252Faws$252Fapprunner$252Fpayments-api$252F8fe1e10304f84fd2b0df550fe98a71fa$252Fservice',
      },
    ]);
  });
});

describe('actionsOf: the buttons an alert offers', () => {
  const ids = (name: string, change?: (raw: RawEvent) => void) =>
    (describeAlert(inputFrom(name, change)).actions ?? []).map((a) => a.id);

  it('offers Keep this service on a deletion scheduled, Release pin on a pin, Roll back now on a skipped or failed rollback', () => {
    expect(ids('guard/deletion-scheduled')).toEqual(['keep-service']);
    expect(ids('guard/rollback-completed')).toEqual(['release-pin']);
    expect(ids('guard/rollback-skipped')).toEqual(['rollback']);
    expect(ids('guard/rollback-failed')).toEqual(['rollback']);
    expect(ids('guard/service-deleted')).toEqual([]);
  });

  it('offers nothing in dry-run: nothing happened to answer', () => {
    expect(
      ids('guard/deletion-scheduled', (raw) => {
        raw.detail.dryRun = true;
      }),
    ).toEqual([]);
  });

  it('a pause heads-up offers Keep running until… per listed service', () => {
    const arn = 'arn:aws:apprunner:us-east-1:111122223333:service/web-shop/0123456789abcdef0123456789abcdef';
    const alert = describeAlert(
      inputFrom('guard/schedule-run-completed', (raw) => {
        (raw as Record<string, unknown>)['detail-type'] = 'Pause Heads-up';
        raw.detail.action = 'heads-up';
        raw.detail.details = {
          services: [{ name: 'web-shop', arn }],
          pauseAt: '2026-11-20T19:00:00Z',
          keepRunningUntil: '2026-11-20T23:00:00Z',
        };
      }),
    );
    expect(alert.actions).toEqual([
      expect.objectContaining({ id: 'keep-running', service: arn, until: '2026-11-20T23:00:00Z' }),
    ]);
  });
});

describe('alerts name where (many accounts and regions)', () => {
  it("names a spoke service's account and region, and links to its region's console", () => {
    const spokeArn = PAYMENTS_ARN.replace('us-east-1:111122223333', 'eu-west-1:222233334444');
    const alert = describeAlert(
      inputFrom('guard/rollback-completed', (raw) => {
        raw.detail.service = {
          arn: spokeArn,
          name: 'payments-api',
          region: 'eu-west-1',
          account: '222233334444',
        };
        raw.detail.where = { account: '222233334444', region: 'eu-west-1' };
      }),
    );
    expect(alert.facts).toContainEqual({ label: 'Account', value: '222233334444' });
    expect(alert.facts).toContainEqual({ label: 'Region', value: 'eu-west-1' });
    expect(alert.links[0]!.url).toContain('https://eu-west-1.console.aws.amazon.com/apprunner/');
  });

  it('names the target of a fleet event without a service, and keeps targets apart in storms', () => {
    const forTarget = (account: string) =>
      describeAlert(
        inputFrom('guard/schedule-action-failed', (raw) => {
          delete raw.detail.service;
          raw.detail.where = { account, region: 'eu-west-1' };
        }),
      );
    const a = forTarget('222233334444');
    expect(a.facts).toContainEqual({ label: 'Account', value: '222233334444' });
    expect(a.dedupKey).not.toBe(forTarget('333344445555').dedupKey);
  });
});
