import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PAUSE, RESUME, SCHEDULE_PLAN } from '../../cli/commands.ts';
import { manualCommand } from '../../cli/pause-resume.ts';
import { schedulePlanCommand } from '../../cli/schedule.ts';
import { TerminalError } from '../../lib/core/errors.ts';
import type { WakeUpRequest, WakeUps } from '../../lib/core/ports/wake-ups.ts';
import { TAGS } from '../../lib/tags.ts';
import { inMemoryAppRunner } from '../support/app-runner.ts';
import { runGuard, runWith } from './support.ts';

const plan = (...args: string[]) => runGuard(['schedule', 'plan', ...args], { AWS_REGION: 'eu-west-1' });

const dir = mkdtempSync(join(tmpdir(), 'guard-cli-'));
const fleetFile = join(dir, 'fleet.json');
writeFileSync(
  fleetFile,
  JSON.stringify([
    { name: 'checkout-web', status: 'RUNNING', tags: { [TAGS.schedule]: 'office-hours-berlin' } },
    { name: 'prod-api', status: 'RUNNING', tags: {} },
  ]),
);

describe('guard schedule plan', () => {
  it('prints each decision and why, offline from a fleet file', async () => {
    // Friday 2026-11-20 20:00 Berlin.
    const { code, out } = await plan('--at', '2026-11-20T19:00:00Z', '--fleet', fleetFile);
    expect(code).toBe(0);
    expect(out).toContain('Schedule office-hours-berlin (Europe/Berlin) at 2026-11-20 20:00 Europe/Berlin');
    // Offline services have no ARN: no account or region to name.
    expect(out).toMatch(/checkout-web\s+-\s+RUNNING\s+pause\s+acted/);
    expect(out).not.toContain('prod-api');
  });

  it('on a configured skip date, explains that services stay paused', async () => {
    const { code, out } = await plan('--at', '2026-12-24T10:00:00Z', '--fleet', fleetFile);
    expect(code).toBe(0);
    expect(out).toContain('2026-12-24 is a skip date in Europe/Berlin');
  });

  it('rejects a bad --at, an unknown schedule and an unknown subcommand', async () => {
    const badTime = await plan('--at', 'soon', '--fleet', fleetFile);
    expect(badTime.code).toBe(2);
    expect(badTime.err).toContain('"soon" is not an ISO-8601 time');
    const badSchedule = await plan('--schedule', 'nope', '--fleet', fleetFile);
    expect(badSchedule.code).toBe(2);
    expect(badSchedule.err).toContain('no schedule "nope" (configured: office-hours-berlin)');
    const badSub = await runGuard(['schedule', 'list']);
    expect(badSub.code).toBe(2);
    expect(badSub.err).toContain('unknown subcommand "list"');
  });
});

describe('guard schedule plan across accounts and regions', () => {
  const HUB = '111122223333';
  const SPOKE = '222233334444';
  const OU_ACCOUNT = '444455556666';
  const arnIn = (account: string, region: string, name: string) =>
    `arn:aws:apprunner:${region}:${account}:service/${name}/${'0'.repeat(32)}`;
  const tagged = { [TAGS.schedule]: 'office-hours-berlin' };
  /** One service per place, named after it; `refuse` places throw as a refused spoke role does. */
  function places(refuse: string[] = []) {
    const asked: string[] = [];
    const portsAt = (place: { account?: string | undefined; region: string }) => {
      const account = place.account ?? HUB;
      const where = `${account}/${place.region}`;
      asked.push(place.account === undefined ? `own ${place.region}` : where);
      const app = inMemoryAppRunner([
        {
          name: `web-${account.slice(0, 4)}`,
          status: 'RUNNING',
          tags: tagged,
          arn: arnIn(account, place.region, `web-${account.slice(0, 4)}`),
        },
      ]);
      if (refuse.includes(where)) {
        return {
          where,
          appRunner: {
            ...app.port,
            listServices: () => {
              throw new TerminalError(`cannot act in ${where}: assuming the spoke role was refused`);
            },
          },
        };
      }
      return { where, appRunner: app.port };
    };
    return { asked, portsAt };
  }
  const AT = ['--at', '2026-11-20T19:00:00Z'];
  const ENV = {
    AWS_REGION: 'us-east-1',
    GUARD_ACCOUNT_ID: HUB,
    GUARD_TARGETS: `${SPOKE}:eu-west-1; ou-ab12-platform1:eu-west-1`,
  };
  const organization = { listActiveAccounts: async () => [OU_ACCOUNT, SPOKE] };

  it('plans every target by default (the hub with your own credentials, an OU through Organizations), naming account and region', async () => {
    const { asked, portsAt } = places();
    const run = await runWith(SCHEDULE_PLAN, schedulePlanCommand({ portsAt, organization }), AT, ENV);
    expect(run.code).toBe(0);
    expect(asked).toEqual(['own us-east-1', `${SPOKE}/eu-west-1`, `${OU_ACCOUNT}/eu-west-1`]);
    expect(run.out).toContain(
      `Read the services of ${HUB}/us-east-1, ${SPOKE}/eu-west-1, ${OU_ACCOUNT}/eu-west-1`,
    );
    expect(run.out).toMatch(new RegExp(`web-1111\\s+${HUB}/us-east-1\\s+RUNNING\\s+pause\\s+acted`));
    expect(run.out).toMatch(new RegExp(`web-2222\\s+${SPOKE}/eu-west-1\\s+RUNNING\\s+pause`));
    expect(run.out).toMatch(new RegExp(`web-4444\\s+${OU_ACCOUNT}/eu-west-1\\s+RUNNING\\s+pause`));
  });

  it('plans only the place --account and --region name', async () => {
    const { asked, portsAt } = places();
    const run = await runWith(
      SCHEDULE_PLAN,
      schedulePlanCommand({ portsAt, organization }),
      [...AT, '--account', SPOKE, '--region', 'eu-west-1', '--json'],
      ENV,
    );
    expect(run.code).toBe(0);
    expect(asked).toEqual([`${SPOKE}/eu-west-1`]);
    const plan = JSON.parse(run.out) as {
      read: string[];
      plans: Array<{ decisions: Array<{ arn: string }> }>;
    };
    expect(plan.read).toEqual([`${SPOKE}/eu-west-1`]);
    expect(plan.plans[0]!.decisions.map((d) => d.arn)).toEqual([arnIn(SPOKE, 'eu-west-1', 'web-2222')]);
  });

  it('plans the others when a target cannot be read, and says which one (exit 1)', async () => {
    const { portsAt } = places([`${SPOKE}/eu-west-1`]);
    const run = await runWith(SCHEDULE_PLAN, schedulePlanCommand({ portsAt, organization }), AT, ENV);
    expect(run.code).toBe(1);
    expect(run.err).toContain(
      `could not read ${SPOKE}/eu-west-1: TerminalError: cannot act in ${SPOKE}/eu-west-1`,
    );
    expect(run.out).toContain('web-1111');
    expect(run.out).toContain('web-4444');
    expect(run.out).not.toContain('web-2222');
  });

  it('needs the hub account to plan across the targets, and refuses --account with --fleet', async () => {
    const { portsAt } = places();
    const noHub = await runWith(SCHEDULE_PLAN, schedulePlanCommand({ portsAt }), AT, {
      ...ENV,
      GUARD_ACCOUNT_ID: undefined,
    });
    expect(noHub.code).toBe(2);
    expect(noHub.err).toContain('planning across GUARD_TARGETS needs GUARD_ACCOUNT_ID');
    const offline = await plan('--fleet', fleetFile, '--account', SPOKE);
    expect(offline.code).toBe(2);
    expect(offline.err).toContain('--fleet plans offline: it takes no --account or --region');
  });

  it('documents --account and --region in its help', async () => {
    const help = await runGuard(['schedule', 'plan', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('--account <account id>');
    expect(help.out).toContain('--region <region>');
    expect(help.out).toContain('GUARD_TARGETS');
  });
});

describe('guard pause|resume', () => {
  /** One service `web`; the calls that change it, in words (reads are not listed). */
  function port(status: string, tags: Record<string, string>) {
    const app = inMemoryAppRunner([{ name: 'web', status, tags }]);
    return {
      p: app.port,
      calls: () =>
        app.calls
          .filter((c) => !c.startsWith('tags ') && !c.startsWith('describe '))
          .map((c) => c.replace(/^(pause|resume|tag|untag) web ?/, '$1 ').trim()),
    };
  }

  it('resumes a hand-paused service when asked, with a warning', async () => {
    const { p, calls } = port('PAUSED', {});
    const { code, err } = await runWith(RESUME, manualCommand('resume', { appRunner: p }), ['web']);
    expect(code).toBe(0);
    expect(calls()).toEqual(['resume', `tag ${TAGS.lastAction}`]);
    expect(err).toContain('was not paused by the guard');
  });

  it('resumes a service a schedule paused (its marker in the ledger) without a warning, and removes the marker', async () => {
    const app = inMemoryAppRunner([{ name: 'web-shop', status: 'PAUSED', tags: {} }]);
    app.setMarker('web-shop', 'schedule/nightly@2026-01-13T19:00:00.000Z');
    const { code, err } = await runWith(
      RESUME,
      manualCommand('resume', { appRunner: app.port, markers: app.markers }),
      ['web-shop'],
    );
    expect(code).toBe(0);
    expect(err).not.toContain('was not paused by the guard');
    expect(app.calls).toContain('resume web-shop');
    expect(app.calls).toContain('unmark web-shop');
    expect(app.calls.filter((c) => c.startsWith('untag'))).toEqual([]);
    expect(app.markerOf('web-shop')).toBeUndefined();
  });

  it('--dry-run prints the calls and changes nothing', async () => {
    const { p, calls } = port('RUNNING', {});
    const { code, out } = await runWith(PAUSE, manualCommand('pause', { appRunner: p }), [
      'web',
      '--dry-run',
    ]);
    expect(code).toBe(0);
    expect(calls()).toEqual([]);
    expect(out).toContain('[dry-run] would pause service on web');
  });

  it('refuses a service with an operation in progress, and an unknown service', async () => {
    const busy = await runWith(
      PAUSE,
      manualCommand('pause', { appRunner: port('OPERATION_IN_PROGRESS', {}).p }),
      ['web'],
    );
    expect(busy.code).toBe(1);
    expect(busy.err).toContain('refused');
    const missing = await runWith(PAUSE, manualCommand('pause', { appRunner: port('RUNNING', {}).p }), [
      'other',
    ]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('no service "other"');
  });

  describe('resume --until wakes the guard at the override end (the schedule wants it paused then)', () => {
    const NOW = new Date('2026-11-19T19:30:00Z'); // Thursday 20:30 Berlin: paused since 20:00
    const UNTIL = '2026-11-19T21:00:00Z';
    const onOfficeHours = { [TAGS.schedule]: 'office-hours-berlin' };
    function wakeUps() {
      const asked: WakeUpRequest[] = [];
      const port: WakeUps = {
        wakeAt: async (r) => {
          asked.push(r);
          return { name: `pause-resume-${r.key}`, at: r.at, created: true, clamped: false };
        },
      };
      return { port, asked };
    }

    it('a paused service: override, resume, then one wake-up at the end', async () => {
      const { p, calls } = port('PAUSED', onOfficeHours);
      const w = wakeUps();
      const run = manualCommand('resume', { appRunner: p, wakeUps: w.port, now: () => NOW });
      const { code, out } = await runWith(RESUME, run, ['web', '--until', UNTIL]);
      expect(code).toBe(0);
      expect(calls()).toEqual([`tag ${TAGS.overrideUntil}`, 'resume', `tag ${TAGS.lastAction}`]);
      expect(w.asked).toEqual([
        expect.objectContaining({
          job: 'pause-resume',
          at: new Date(UNTIL),
          payload: expect.objectContaining({ action: 'converge', schedule: 'office-hours-berlin' }),
        }),
      ]);
      expect(out).toContain('the guard wakes then and pauses it');
    });

    it('a service already resumed by hand: --until sets the override and the wake-up', async () => {
      const { p, calls } = port('RUNNING', onOfficeHours);
      const w = wakeUps();
      const run = manualCommand('resume', { appRunner: p, wakeUps: w.port, now: () => NOW });
      const { code, out } = await runWith(RESUME, run, ['web', '--until', UNTIL]);
      expect(code).toBe(0);
      expect(calls()).toEqual([`tag ${TAGS.overrideUntil},${TAGS.lastAction}`]);
      expect(w.asked).toHaveLength(1);
      expect(out).toContain(`keep web running until ${new Date(UNTIL).toISOString()}: done`);
    });

    it('--dry-run says it would wake the guard, and asks for nothing', async () => {
      const { p, calls } = port('PAUSED', onOfficeHours);
      const w = wakeUps();
      const run = manualCommand('resume', { appRunner: p, wakeUps: w.port, now: () => NOW });
      const { code, out } = await runWith(RESUME, run, ['web', '--until', UNTIL, '--dry-run']);
      expect(code).toBe(0);
      expect(calls()).toEqual([]);
      expect(w.asked).toEqual([]);
      expect(out).toContain(`[dry-run] would wake the guard at ${new Date(UNTIL).toISOString()}`);
    });

    it("without the stack's Scheduler settings it stops before changing anything (exit 2, naming them)", async () => {
      const { p, calls } = port('PAUSED', onOfficeHours);
      const run = manualCommand('resume', { appRunner: p, now: () => NOW });
      const { code, err } = await runWith(RESUME, run, ['web', '--until', UNTIL], {
        AWS_REGION: 'eu-west-1',
      });
      expect(code).toBe(2);
      expect(err).toContain('SCHEDULER_ROLE_ARN is required');
      expect(calls()).toEqual([]);
    });
  });
});
