import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { createWakeUps, type OneTimeSchedule, type SchedulerPort } from '../../../lib/aws/scheduler.ts';
import { RetryableError, TerminalError } from '../../../lib/core/errors.ts';
import type { GuardEventEntry, GuardEventPublisher } from '../../../lib/core/guard-event.ts';
import type { TargetRouter } from '../../../lib/core/ports/targets.ts';
import { SCHEDULED_TIME } from '../../../lib/core/ports/wake-ups.ts';
import type { PauseResumePayload } from '../../../lib/events/scheduler.ts';
import {
  followUpName,
  type PauseResumeSettings,
  runSchedule,
} from '../../../lib/pause-resume/run-schedule.ts';
import { TAGS } from '../../../lib/tags.ts';
import {
  FAKE_ACCOUNT,
  fakeArnOf,
  type InMemoryService,
  inMemoryAppRunner,
} from '../../support/app-runner.ts';

const ACCOUNT = FAKE_ACCOUNT;
const arnOf = (name: string) => fakeArnOf(name);

function fakeScheduler() {
  const created: OneTimeSchedule[] = [];
  const port: SchedulerPort = {
    createOneTime: async (s) => {
      created.push(s);
      return { created: true };
    },
    get: async () => undefined,
    list: async function* () {},
    delete: async () => {},
  };
  // The real wake-up adapter over it: what Scheduler would be asked to create. Its clock is the
  // run's scheduled time (the tests' times are in the past).
  const wakeUps = createWakeUps(port, { targets: { 'pause-resume': FUNCTION_ARN }, now: () => 0 });
  return { port, wakeUps, created };
}

const FUNCTION_ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:guard-pause-resume`;

const definition = {
  timezone: 'Europe/Berlin',
  pause: 'cron(0 20 * * ? *)',
  resume: 'cron(0 7 * * ? *)',
  skipDates: [],
};
const PAUSE_AT = '2026-01-13T19:00:00Z';
const RESUME_AT = '2026-01-14T06:00:00Z';
const payload = (over: Partial<PauseResumePayload> = {}): PauseResumePayload => ({
  action: 'pause',
  schedule: 'nightly',
  scheduledTime: PAUSE_AT,
  definition,
  ...over,
});
const settings = (over: Partial<PauseResumeSettings> = {}): PauseResumeSettings => ({
  dryRun: false,
  maxConcurrency: 3,
  maxRetries: 2,
  retryMinutes: 10,
  sleep: async () => {},
  ...over,
});
const ctx = { logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }), remainingMs: () => 60_000 };
const onSchedule = (extra: Record<string, string> = {}) => ({ [TAGS.schedule]: 'nightly', ...extra });

/** `n` running services following the schedule: svc-000, svc-001, … */
const runningFleet = (n: number): InMemoryService[] =>
  Array.from({ length: n }, (_, i) => ({
    name: `svc-${String(i).padStart(3, '0')}`,
    status: 'RUNNING',
    tags: onSchedule(),
  }));

/** The run's ports over one in-memory App Runner: its router, its ledger markers. */
function portsOver(
  ar: ReturnType<typeof inMemoryAppRunner>,
  wakeUps = fakeScheduler().wakeUps,
  publish: GuardEventPublisher['publish'] = async () => {},
) {
  return { appRunner: ar.port, targets: ar.router, markers: ar.markers, wakeUps, publisher: { publish } };
}

async function run(services: InMemoryService[], p = payload(), s = settings(), faults = {}) {
  const ar = inMemoryAppRunner(services, faults);
  const sch = fakeScheduler();
  const events: GuardEventEntry[] = [];
  const result = await runSchedule(
    p,
    portsOver(ar, sch.wakeUps, async (e) => void events.push(...e)),
    s,
    ctx,
  );
  return {
    result,
    calls: ar.calls,
    created: sch.created,
    events,
    maxInFlight: ar.maxInFlight,
    services,
    markerOf: ar.markerOf,
  };
}

describe('runSchedule', () => {
  it('on a holiday morning, resumes nothing and re-pauses no service a human resumed overnight', async () => {
    const holiday = { ...definition, skipDates: ['2026-01-14'] };
    const fleet: InMemoryService[] = [
      {
        name: 'web',
        status: 'PAUSED',
        tags: onSchedule({ [TAGS.pausedBy]: 'schedule/nightly@2026-01-13T19:00:00.000Z' }),
      },
      { name: 'hotfix', status: 'RUNNING', tags: onSchedule() },
    ];
    const { result, calls, services } = await run(
      fleet,
      payload({ action: 'resume', scheduledTime: RESUME_AT, definition: holiday }),
    );
    expect(calls.filter((c) => !c.startsWith('tags '))).toEqual([]);
    expect(services.map((s) => s.status)).toEqual(['PAUSED', 'RUNNING']);
    expect(result).toMatchObject({ counts: { paused: 0, resumed: 0 } });
  });

  it('pauses the tagged running services, marking them (in the ledger) before pausing, and leaves the rest alone', async () => {
    const fleet: InMemoryService[] = [
      { name: 'web', status: 'RUNNING', tags: onSchedule() },
      { name: 'prod-api', status: 'RUNNING', tags: {} },
      { name: 'other', status: 'RUNNING', tags: { [TAGS.schedule]: 'weekend' } },
      { name: 'idle', status: 'PAUSED', tags: onSchedule() },
    ];
    const { result, calls, events, services, markerOf } = await run(fleet);
    // One App Runner call per paused service: the tags came in bulk, the marker goes to the ledger.
    expect(calls).toEqual(['tags (bulk)', 'mark web', 'pause web']);
    expect(markerOf('web')).toBe('schedule/nightly@2026-01-13T19:00:00.000Z');
    expect(services[0]!.tags[TAGS.pausedBy]).toBeUndefined();
    expect(services[1]!.status).toBe('RUNNING');
    expect(result).toMatchObject({
      outcome: 'acted',
      counts: { paused: 1, resumed: 0, unchanged: 1, skipped: 0, deferred: 0, failed: 0 },
    });
    expect(events).toHaveLength(1);
    expect(events[0]!.detailType).toBe('Schedule Run Completed');
    expect(events[0]!.detail).toMatchObject({
      job: 'pause-resume',
      outcome: 'acted',
      action: 'pause',
      trigger: `nightly@${PAUSE_AT}`,
      dryRun: false,
    });
    expect(events[0]!.detail.reason).toContain('at 2026-01-13 20:00 Europe/Berlin: desired paused');
    expect(events[0]!.detail.details.services).toEqual([
      expect.objectContaining({ name: 'web', action: 'pause', outcome: 'acted' }),
      expect.objectContaining({ name: 'idle', action: 'none', outcome: 'noop' }),
    ]);
  });

  it('resumes only what this schedule paused and removes the marker', async () => {
    const fleet: InMemoryService[] = [
      {
        name: 'web',
        status: 'PAUSED',
        tags: onSchedule({ [TAGS.pausedBy]: 'schedule/nightly@2026-01-13T19:00:00.000Z' }),
      },
      { name: 'by-hand', status: 'PAUSED', tags: onSchedule() },
    ];
    const { result, services, events } = await run(
      fleet,
      payload({ action: 'resume', scheduledTime: RESUME_AT }),
    );
    expect(services.map((s) => s.status)).toEqual(['RUNNING', 'PAUSED']);
    // A marker from before the ledger kept it (a tag) is honoured, then removed.
    expect(services[0]!.tags[TAGS.pausedBy]).toBeUndefined();
    expect(result).toMatchObject({ outcome: 'acted', counts: { resumed: 1, skipped: 1 } });
    expect(events.map((e) => e.detailType)).toEqual(['Schedule Run Completed']);
  });

  it('has nothing to do when every service is already where the schedule wants it', async () => {
    const { result, calls, events } = await run([{ name: 'web', status: 'PAUSED', tags: onSchedule() }]);
    expect(result.outcome).toBe('noop');
    expect(calls).toEqual(['tags (bulk)']);
    expect(events[0]!.detail.outcome).toBe('noop');
  });

  it('converges to the schedule, not the action: a resume fire on a skip date pauses nothing and resumes nothing', async () => {
    const fleet: InMemoryService[] = [
      {
        name: 'web',
        status: 'PAUSED',
        tags: onSchedule({ [TAGS.pausedBy]: 'schedule/nightly@2026-12-24T19:00:00.000Z' }),
      },
    ];
    const p = payload({
      action: 'resume',
      scheduledTime: '2026-12-25T06:00:00Z',
      definition: { ...definition, skipDates: ['2026-12-25'] },
    });
    const { result, services } = await run(fleet, p);
    expect(services[0]!.status).toBe('PAUSED');
    expect(result.reason).toContain('2026-12-25 is a skip date in Europe/Berlin');
  });

  it('defers a service caught mid-operation with a follow-up one-time schedule', async () => {
    const fleet: InMemoryService[] = [
      { name: 'deploying', status: 'OPERATION_IN_PROGRESS', tags: onSchedule() },
      { name: 'web', status: 'RUNNING', tags: onSchedule() },
    ];
    const { result, created, events } = await run(fleet);
    expect(result).toMatchObject({ outcome: 'acted', counts: { paused: 1, deferred: 1 } });
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({
      name: followUpName('nightly', PAUSE_AT, 1),
      at: new Date('2026-01-13T19:10:00Z'),
      targetArn: FUNCTION_ARN,
      input: {
        action: 'converge',
        schedule: 'nightly',
        scheduledTime: SCHEDULED_TIME,
        attempt: 1,
        services: [arnOf('deploying')],
        definition,
      },
    });
    expect(created[0]!.name).toMatch(/^[0-9A-Za-z_.-]{1,64}$/);
    expect(events[0]!.detail.details.followUp).toEqual({
      name: created[0]!.name,
      at: '2026-01-13T19:10:00.000Z',
      services: 1,
    });
  });

  it('a follow-up converges only its pending services, and pauses once the deployment ended', async () => {
    const fleet: InMemoryService[] = [
      { name: 'deploying', status: 'RUNNING', tags: onSchedule() },
      { name: 'web', status: 'RUNNING', tags: onSchedule() },
    ];
    const p = payload({
      action: 'converge',
      scheduledTime: '2026-01-13T19:10:00.000Z',
      attempt: 1,
      services: [arnOf('deploying')],
    });
    const { services, created } = await run(fleet, p);
    expect(services.map((s) => s.status)).toEqual(['PAUSED', 'RUNNING']);
    expect(created).toEqual([]);
  });

  it('gives up after maxRetries follow-ups and reports one Schedule Action Failed per service', async () => {
    const fleet: InMemoryService[] = [{ name: 'stuck', status: 'OPERATION_IN_PROGRESS', tags: onSchedule() }];
    const p = payload({ action: 'converge', attempt: 2, services: [arnOf('stuck')] });
    const { result, created, events } = await run(fleet, p);
    expect(created).toEqual([]);
    expect(result).toMatchObject({ outcome: 'failed', counts: { failed: 1, deferred: 0 } });
    expect(events.map((e) => e.detailType)).toEqual(['Schedule Run Completed', 'Schedule Action Failed']);
    expect(events[1]!.detail).toMatchObject({
      outcome: 'failed',
      service: { name: 'stuck', account: ACCOUNT },
    });
    expect(events[1]!.detail.reason).toContain('still busy after 3 attempts');
  });

  it('treats InvalidStateException on pause as busy and takes the marker back', async () => {
    const fleet: InMemoryService[] = [{ name: 'racy', status: 'RUNNING', tags: onSchedule() }];
    const { result, markerOf, created } = await run(fleet, payload(), settings(), {
      busy: new Set(['racy']),
    });
    expect(result).toMatchObject({ counts: { deferred: 1, failed: 0 } });
    expect(markerOf('racy')).toBeUndefined();
    expect(created).toHaveLength(1);
  });

  it('rides out throttling with backoff', async () => {
    const fleet: InMemoryService[] = [{ name: 'web', status: 'RUNNING', tags: onSchedule() }];
    const { result, services } = await run(fleet, payload(), settings({ backoffAttempts: 5 }), {
      throttleFirst: 3,
    });
    expect(result).toMatchObject({ counts: { paused: 1 } });
    expect(services[0]!.status).toBe('PAUSED');
  });

  it('dry-run plans and reports but changes nothing and schedules no follow-up', async () => {
    const fleet: InMemoryService[] = [
      { name: 'web', status: 'RUNNING', tags: onSchedule() },
      { name: 'busy', status: 'OPERATION_IN_PROGRESS', tags: onSchedule() },
    ];
    const { result, calls, created, events, services } = await run(
      fleet,
      payload(),
      settings({ dryRun: true }),
    );
    expect(calls.every((c) => c.startsWith('tags '))).toBe(true);
    expect(services[0]!.status).toBe('RUNNING');
    expect(created).toEqual([]);
    expect(result.reason).toContain('would have paused 1');
    expect(events[0]!.detail).toMatchObject({ dryRun: true, action: 'pause' });
    expect(events[0]!.detail.details.services).toEqual([
      expect.objectContaining({ name: 'web', action: 'pause' }),
      expect.objectContaining({
        name: 'busy',
        action: 'retry',
        reason: expect.stringContaining('would retry at 2026-01-13T19:10:00.000Z'),
      }),
    ]);
  });

  it('works through a large fleet with bounded concurrency and one summary event, capped', async () => {
    const fleet: InMemoryService[] = runningFleet(150);
    const { result, events, maxInFlight } = await run(fleet, payload(), settings({ maxConcurrency: 4 }));
    expect(result).toMatchObject({ counts: { paused: 150 } });
    // The 4 workers, and the listing reading its next page beside them.
    expect(maxInFlight()).toBeLessThanOrEqual(5);
    expect(maxInFlight()).toBeGreaterThan(1);
    expect(events).toHaveLength(1);
    expect(events[0]!.detail.details.services).toHaveLength(100);
    expect(events[0]!.detail.details.servicesOmitted).toBe(50);
  });

  it('paces its App Runner calls at the configured rate per target, throttled or not, still pausing every service once', async () => {
    const fleet = (): InMemoryService[] => runningFleet(30);
    const paceOf = async (faults: { throttleFirst?: number }) => {
      const clock = { t: 0 };
      const ar = inMemoryAppRunner(fleet(), faults);
      const sent: number[] = [];
      const pauseService = ar.port.pauseService;
      ar.port.pauseService = (arn) => {
        sent.push(clock.t);
        return pauseService(arn);
      };
      const result = await runSchedule(
        payload(),
        portsOver(ar),
        settings({
          maxConcurrency: 5,
          ratePerSecond: 10,
          now: () => clock.t,
          sleep: async (ms) => {
            clock.t += ms;
          },
        }),
        ctx,
      );
      const mostInOneSecond = Math.max(...sent.map((t) => sent.filter((u) => u >= t && u < t + 1000).length));
      return { result, sent, mostInOneSecond };
    };
    const smooth = await paceOf({});
    expect(smooth.result).toMatchObject({ counts: { paused: 30 } });
    expect(smooth.mostInOneSecond).toBeLessThanOrEqual(10);
    const throttled = await paceOf({ throttleFirst: 3 });
    expect(throttled.result).toMatchObject({ counts: { paused: 30, failed: 0 } });
    expect(throttled.mostInOneSecond).toBeLessThanOrEqual(10);
    // The two ListServices pages count too: 8 pauses go at once, then 10 per 1.1 s.
    expect(smooth.sent.filter((t) => t === smooth.sent[0])).toHaveLength(8);
  });

  it('starts pausing the first page of services while it still lists the rest, each marker in the ledger before its pause', async () => {
    const fleet: InMemoryService[] = runningFleet(45);
    const ar = inMemoryAppRunner(fleet);
    // Each page takes a while to come back (a few turns of the event loop, where a pause takes one).
    const listPage = ar.port.listServicesPage;
    const pausedWhenListed: number[] = [];
    ar.port.listServicesPage = async (token) => {
      for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
      pausedWhenListed.push(ar.calls.filter((c) => c.startsWith('pause ')).length);
      return listPage(token);
    };
    const result = await runSchedule(payload(), portsOver(ar), settings({ maxConcurrency: 5 }), ctx);
    expect(result).toMatchObject({ counts: { paused: 45, failed: 0 } });
    // The last page came back after pauses of the first had gone out.
    expect(pausedWhenListed).toHaveLength(3);
    expect(pausedWhenListed[0]).toBe(0);
    expect(pausedWhenListed[2]).toBeGreaterThan(0);
    // Every pause went out after a bulk write that held its marker (one per page).
    const marks = ar.calls.filter((c) => c.startsWith('mark '));
    expect(marks).toHaveLength(3);
    for (const [i, c] of ar.calls.entries()) {
      if (!c.startsWith('pause ')) continue;
      const name = c.slice('pause '.length);
      const marked = ar.calls.findIndex((m) => m.startsWith('mark ') && m.slice(5).split(',').includes(name));
      expect(marked, name).toBeGreaterThanOrEqual(0);
      expect(marked, name).toBeLessThan(i);
    }
  });

  it('keeps what it did in a target whose listing failed part-way, and says so in the alert', async () => {
    const fleet: InMemoryService[] = runningFleet(25);
    let pages = 0;
    const { result, events, services } = await run(fleet, payload(), settings(), {
      fail: (operation: string) =>
        operation === 'list-services' && ++pages === 2 ? new TerminalError('access denied') : undefined,
    });
    expect(result).toMatchObject({ outcome: 'failed', counts: { paused: 20 } });
    expect(services.filter((s) => s.status === 'PAUSED')).toHaveLength(20);
    const alert = events.find((e) => e.detailType === 'Schedule Action Failed');
    expect(alert!.detail.reason).toContain('access denied');
    expect(alert!.detail.reason).toContain('Only the 20 service(s) read before that were handled there');
  });

  it('reports a service deleted before a follow-up as skipped', async () => {
    const p = payload({ action: 'converge', attempt: 1, services: [arnOf('gone')] });
    const { result } = await run([], p);
    expect(result).toMatchObject({ outcome: 'skipped', counts: { skipped: 1 } });
  });

  it('defers what it cannot finish before the Lambda times out', async () => {
    const ar = inMemoryAppRunner([{ name: 'web', status: 'RUNNING', tags: onSchedule() }]);
    const sch = fakeScheduler();
    const result = await runSchedule(payload(), portsOver(ar, sch.wakeUps), settings(), {
      ...ctx,
      remainingMs: () => 1_000,
    });
    expect(result).toMatchObject({ counts: { deferred: 1, paused: 0 } });
    expect(sch.created).toHaveLength(1);
  });

  describe('an override that ends while the schedule wants the service paused', () => {
    const END = '2026-01-13T21:00:00.000Z'; // 22:00 Berlin: paused since 20:00
    const kept = () => [
      { name: 'web-app', status: 'RUNNING', tags: onSchedule({ [TAGS.overrideUntil]: END }) },
      { name: 'api-svc', status: 'RUNNING', tags: onSchedule() },
    ];

    it('leaves the service running and asks for one wake-up at the end, converging that service', async () => {
      const { result, created, services, events } = await run(kept());
      expect(services.map((s) => s.status)).toEqual(['RUNNING', 'PAUSED']);
      expect(created).toHaveLength(1);
      expect(created[0]).toMatchObject({
        at: new Date(END),
        targetArn: FUNCTION_ARN,
        input: {
          action: 'converge',
          schedule: 'nightly',
          scheduledTime: SCHEDULED_TIME,
          services: [arnOf('web-app')],
          definition,
        },
      });
      expect(result).toMatchObject({
        overrideEnds: [{ service: 'web-app', at: END, schedule: created[0]!.name }],
      });
      expect(events[0]!.detail.details.services).toEqual([
        expect.objectContaining({
          name: 'web-app',
          outcome: 'skipped',
          reason: expect.stringContaining(`the guard wakes at ${END} to pause it`),
        }),
        expect.objectContaining({ name: 'api-svc', action: 'pause' }),
      ]);
    });

    it('every run that sees the same override asks for the same schedule', async () => {
      const first = await run(kept());
      const second = await run(
        kept(),
        payload({ action: 'converge', scheduledTime: '2026-01-13T19:30:00Z' }),
      );
      expect(second.created[0]!.name).toBe(first.created[0]!.name);
    });

    it('the wake-up pauses the service once the override has ended', async () => {
      const fleet = kept();
      const { created } = await run(fleet);
      const wake = { ...(created[0]!.input as PauseResumePayload), scheduledTime: END };
      const { services, result } = await run(fleet, wake);
      // api was paused by the first run; the wake-up paused web.
      expect(services.map((s) => s.status)).toEqual(['PAUSED', 'PAUSED']);
      expect(result).toMatchObject({ counts: { paused: 1 } });
    });

    it('no wake-up when the schedule wants the service running at the end (the next pause fire applies)', async () => {
      const fleet = [
        {
          name: 'web-app',
          status: 'RUNNING',
          tags: onSchedule({ [TAGS.overrideUntil]: '2026-01-14T08:00:00Z' }),
        },
      ];
      const { created, result } = await run(fleet);
      expect(created).toEqual([]);
      expect(result).not.toHaveProperty('overrideEnds');
    });

    it('dry-run says it would wake, and schedules nothing', async () => {
      const { created, events } = await run(kept(), payload(), settings({ dryRun: true }));
      expect(created).toEqual([]);
      expect(events[0]!.detail.reason).toContain('would wake at the end of 1 override(s)');
    });
  });
});

describe('runSchedule across targets', () => {
  const SPOKE = { account: '222233334444', region: 'eu-west-1' };
  const DENIED = { account: '333344445555', region: 'eu-west-1' };
  const denied = new TerminalError(
    'cannot act in 333344445555/eu-west-1: assuming arn:aws:iam::333344445555:role/guard-spoke-eu-west-1 was refused (AccessDenied: not authorized)',
  );

  /** The hub's fake, a spoke's fake (services named `spoke-*`), and a spoke whose role refuses. */
  function targets(extra: { throttled?: boolean } = {}) {
    const hub = inMemoryAppRunner([{ name: 'hub-web', status: 'RUNNING', tags: onSchedule() }]);
    const spokeServices: InMemoryService[] = [
      {
        name: 'spoke-web',
        status: 'RUNNING',
        tags: onSchedule(),
        arn: `arn:aws:apprunner:eu-west-1:${SPOKE.account}:service/spoke-web/${'b'.repeat(32)}`,
      },
    ];
    const spoke = inMemoryAppRunner(spokeServices);
    const all = [hub.router.hub, SPOKE, DENIED];
    const key = (t: { account: string; region: string }) => `${t.account}/${t.region}`;
    const refuse = () => {
      throw extra.throttled ? new RetryableError('Rate exceeded', { reason: 'throttling' }) : denied;
    };
    const router: TargetRouter = {
      hub: hub.router.hub,
      isTarget: (a, r) => all.some((t) => t.account === a && t.region === r),
      listTargets: () => all,
      appRunnerIn: (t) => (key(t) === key(SPOKE) ? spoke.port : hub.port),
      fleetAppRunnerIn: (t) => (key(t) === key(SPOKE) ? spoke.port : hub.port),
      serviceTagsIn: (t) =>
        key(t) === key(DENIED)
          ? { listServicesTagged: async () => refuse() }
          : key(t) === key(SPOKE)
            ? spoke.router.serviceTagsIn(t)
            : hub.router.serviceTagsIn(t),
    };
    // Calls naming a service go where its ARN says, as lib/aws/targets.ts routes them.
    const routed = new Proxy(hub.port, {
      get:
        (target, prop) =>
        (arn: string, ...rest: unknown[]) =>
          (arn.includes(SPOKE.account) ? spoke.port : target)[prop as 'pauseService'](arn, ...(rest as [])),
    });
    return { hub, spoke, router, routed };
  }

  it('pauses in every reachable target, and reports a target whose role refuses once, by account and region', async () => {
    const t = targets();
    const events: GuardEventEntry[] = [];
    const sch = fakeScheduler();
    const result = await runSchedule(
      payload(),
      {
        appRunner: t.routed,
        targets: t.router,
        markers: t.hub.markers,
        wakeUps: sch.wakeUps,
        publisher: { publish: async (e) => void events.push(...e) },
      },
      settings(),
      ctx,
    );
    expect(t.hub.services[0]!.status).toBe('PAUSED');
    expect(t.spoke.services[0]!.status).toBe('PAUSED');
    expect(result).toMatchObject({
      outcome: 'failed',
      counts: { paused: 2 },
      failedTargets: [
        { account: DENIED.account, region: 'eu-west-1', error: expect.stringContaining('AccessDenied') },
      ],
    });
    // Terminal for the target: no follow-up retries it.
    expect(sch.created).toEqual([]);
    expect(events.map((e) => e.detailType)).toEqual(['Schedule Run Completed', 'Schedule Action Failed']);
    expect(events[1]!.detail).toMatchObject({
      where: DENIED,
      reason: expect.stringContaining('333344445555/eu-west-1'),
    });
    expect(events[0]!.detail.details.services).toEqual([
      expect.objectContaining({ name: 'hub-web', account: FAKE_ACCOUNT, region: 'us-east-1' }),
      expect.objectContaining({ name: 'spoke-web', account: SPOKE.account, region: 'eu-west-1' }),
    ]);
  });

  it('runs a target that failed for a passing reason again, whole, in the follow-up', async () => {
    const t = targets({ throttled: true });
    const sch = fakeScheduler();
    const result = await runSchedule(
      payload(),
      {
        appRunner: t.routed,
        targets: t.router,
        markers: t.hub.markers,
        wakeUps: sch.wakeUps,
        publisher: { publish: async () => {} },
      },
      settings({ backoffAttempts: 1 }),
      ctx,
    );
    expect(result).toMatchObject({ counts: { paused: 2 } });
    expect(sch.created).toHaveLength(1);
    expect(sch.created[0]!.input).not.toHaveProperty('services');
    expect(result.reason).toContain('to retry whole: 333344445555/eu-west-1');
  });
});
