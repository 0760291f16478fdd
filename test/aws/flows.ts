import {
  alertsAbout,
  describeSnapshot,
  guardEventsAbout,
  type Snapshot,
  serviceNameOf,
  type Target,
} from './target.ts';

/** One core flow of the guard, written once for every target. */
export interface Flow {
  name: string;
  description: string;
  run(target: Target): Promise<void>;
}

const MINUTE = 60_000;

/** A failed expectation of a flow; the runner prints its message. */
export class FlowError extends Error {
  override readonly name = 'FlowError';
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new FlowError(message);
}

async function waitRunningAndRecorded(t: Target, service: string): Promise<Snapshot> {
  return t.waitFor(
    `${service} RUNNING with its release recorded`,
    (s) => s.status(service) === 'RUNNING' && guardEventsAbout(s, service, 'Release Recorded').length > 0,
    30 * MINUTE,
  );
}

/** `cron(M H * * ? *)` firing at the UTC minute of `at`. */
function dailyCronAt(at: Date): string {
  return `cron(${at.getUTCMinutes()} ${at.getUTCHours()} * * ? *)`;
}

/** The first whole minute at least `minutes` after `from`. */
function wholeMinuteAfter(from: Date, minutes: number): Date {
  return new Date(Math.ceil((from.getTime() + minutes * MINUTE) / MINUTE) * MINUTE);
}

/** (a) A bad image pushed to a mutable tag is deployed automatically, fails, and the guard pins the good digest and alerts. */
export const rollbackFlow: Flow = {
  name: 'rollback-mutable-tag',
  description: 'a bad deployment on a mutable tag is pinned to the known-good digest and alerted',
  async run(t) {
    const service = t.name('rollback');
    const repository = await t.createRepository('rollback');
    const good = await t.pushImage(repository, 'latest', 'good');
    await t.createService({ name: service, repository, tag: 'latest', autoDeploy: true });
    await waitRunningAndRecorded(t, service);

    const bad = await t.pushImage(repository, 'latest', 'bad');
    check(bad !== good, 'the bad image has the same digest as the good one');
    const s = await t.waitFor(
      `${service} pinned and alerted`,
      (s) =>
        guardEventsAbout(s, service, 'Rollback Completed').length > 0 &&
        alertsAbout(s, service, 'Rollback Completed').length > 0 &&
        s.status(service) === 'RUNNING',
      60 * MINUTE,
    );
    const failed = s.appRunnerEvents.filter(
      (e) =>
        serviceNameOf(e) === service && (e.detail.Status ?? e.detail.operationStatus) === 'DeploymentFailed',
    );
    check(failed.length >= 1, `App Runner sent no DeploymentFailed for ${service}`);
    const [completed] = guardEventsAbout(s, service, 'Rollback Completed');
    check(
      completed!.detail.outcome === 'acted',
      `Rollback Completed says ${String(completed!.detail.outcome)}`,
    );
    const view = await t.describeService(service);
    check(
      view?.imageIdentifier === `${repository}@${good}`,
      `${service} is configured with ${view?.imageIdentifier ?? '(gone)'}, expected ${repository}@${good}`,
    );
  },
};

/** (b) A service whose creation fails is announced, kept for the grace period, then deleted. */
export const cleanupFlow: Flow = {
  name: 'cleanup-failed-create',
  description: 'a failed create is deleted after a short grace',
  async run(t) {
    const service = t.name('cleanup');
    const repository = await t.createRepository('cleanup');
    await t.pushImage(repository, 'broken', 'bad');
    await t.createService({ name: service, repository, tag: 'broken', autoDeploy: false });
    await t.waitFor(
      `${service} CREATE_FAILED, its deletion scheduled and alerted`,
      (s) =>
        s.status(service) === 'CREATE_FAILED' &&
        guardEventsAbout(s, service, 'Failed Service Deletion Scheduled').length > 0 &&
        alertsAbout(s, service, 'Failed Service Deletion Scheduled').length > 0,
      45 * MINUTE,
    );
    const scheduledAt = t.now().getTime();
    const s = await t.waitFor(
      `${service} deleted after the ${t.graceMinutes}-minute grace`,
      (s) =>
        s.status(service) === 'DELETED' && guardEventsAbout(s, service, 'Failed Service Deleted').length > 0,
      (t.graceMinutes + 30) * MINUTE,
    );
    const waited = (t.now().getTime() - scheduledAt) / MINUTE;
    check(
      waited >= t.graceMinutes - 1,
      `${service} was deleted ${waited.toFixed(1)} min after its deletion was scheduled, before the ${t.graceMinutes}-minute grace: ${describeSnapshot(s, [service])}`,
    );
  },
};

/** (c) A service tagged with a schedule is paused at the schedule's pause time and resumed at its resume time. */
export const pauseResumeFlow: Flow = {
  name: 'pause-resume-schedule',
  description: 'a pause and a resume by schedule',
  async run(t) {
    const service = t.name('office');
    const schedule = t.name('hours');
    const repository = await t.createRepository('office');
    await t.pushImage(repository, 'v1', 'good');
    await t.createService({
      name: service,
      repository,
      tag: 'v1',
      autoDeploy: false,
      tags: { 'apprunner-guard:schedule': schedule },
    });
    await waitRunningAndRecorded(t, service);

    const pauseAt = wholeMinuteAfter(t.now(), 5);
    const resumeAt = wholeMinuteAfter(pauseAt, 15);
    await t.createSchedule({
      name: schedule,
      timezone: 'UTC',
      pause: dailyCronAt(pauseAt),
      resume: dailyCronAt(resumeAt),
    });
    await t.waitFor(`${service} PAUSED by ${schedule}`, (s) => s.status(service) === 'PAUSED', 20 * MINUTE);
    check(
      t.now() >= pauseAt,
      `${service} was paused at ${t.now().toISOString()}, before the schedule's ${pauseAt.toISOString()}`,
    );
    await t.waitFor(
      `${service} RUNNING again after ${schedule}'s resume`,
      (s) => s.status(service) === 'RUNNING',
      resumeAt.getTime() - t.now().getTime() + 20 * MINUTE,
    );
    check(
      t.now() >= resumeAt,
      `${service} was resumed at ${t.now().toISOString()}, before the schedule's ${resumeAt.toISOString()}`,
    );
    const view = await t.describeService(service);
    check(view?.status === 'RUNNING', `${service} ended ${view?.status ?? 'gone'}, expected RUNNING`);
  },
};

/** The suite, in the order it runs. */
export const FLOWS: readonly Flow[] = [rollbackFlow, cleanupFlow, pauseResumeFlow];
