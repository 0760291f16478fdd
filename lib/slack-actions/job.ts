/**
 * The slack-actions job (docs/architecture.md, "Slack actions"): takes one verified, authorised
 * Slack action handed over by the endpoint, through the same ports and planners as the other jobs,
 * idempotent per click (action ts + user + action id), and audits it as a guard event naming the
 * Slack user.
 */
import { defineJob } from '../core/define-job.ts';
import { describeError } from '../core/errors.ts';
import { buildGuardEvent, GUARD_DETAIL_TYPES } from '../core/guard-event.ts';
import type { RunContext } from '../core/handler-stack.ts';
import type { GuardEventOutcome, JobResult } from '../core/outcomes.ts';
import type { AppRunnerPort } from '../core/ports/app-runner.ts';
import type { PauseMarkerStore } from '../core/ports/pause-markers.ts';
import type { SchedulerPort } from '../core/ports/scheduler.ts';
import type { Targets } from '../core/ports/targets.ts';
import type { WakeUps } from '../core/ports/wake-ups.ts';
import { releasePin } from '../fix-forward/release.ts';
import { readDeployedSchedule } from '../pause-resume/deployed-schedule.ts';
import { applyManualStep, withLedgerMarker } from '../pause-resume/manual-steps.ts';
import { type RollbackPorts, rollbackService } from '../rollback/rollback.ts';
import { TAGS, type Tags } from '../tags.ts';
import { slackActionKey } from './payload.ts';
import { type ActionPlan, type ObservedForAction, planKeepRunning, planKeepService } from './plan.ts';
import { parseSlackActionRequested, type SlackActionRequested } from './requested.ts';

/** What the job runs with (built once per container by its function file). */
export interface SlackActionsJobDeps {
  /** The guard's targets: a service elsewhere is refused. */
  targets: Targets;
  /** The rollback's ports: App Runner, images, ledger, and the guard-event publisher. */
  ports: RollbackPorts;
  /** Dry-run of the rollback job also holds for *Roll back now*. */
  rollback: { dryRun: boolean };
  /** Dry-run of fix forward also holds for *Release pin* (the same release as `guard unpin`). */
  fixForward: { dryRun: boolean };
  /** The schedules' pause markers: a service *Keep running until…* resumes loses its marker. */
  markers: PauseMarkerStore;
  /** The stack's recurring pause/resume schedules, read back for a schedule's definition. */
  deployedSchedules: Pick<SchedulerPort, 'get'>;
  /** The wake-up at the end of a *Keep running until…* that resumed a paused service. */
  wakeUps: WakeUps;
  now(): Date;
}

/** *Release pin* on a service the guard has not pinned: nothing to release. */
export const NOT_PINNED = (name: string) =>
  `${name} is not pinned by the guard (no pin record); nothing changed. \`guard status ${name}\` shows what it runs.`;

/**
 * The loop guard stops automation, not a human: a rollback someone asked for reads no loop
 * settings (as `guard rollback` does).
 */
const MANUAL_LOOP_SETTINGS = { loopLimit: Number.POSITIVE_INFINITY, loopWindowMinutes: 0 };

async function observe(appRunner: AppRunnerPort, arn: string, name: string): Promise<ObservedForAction> {
  const service = await appRunner.describeService(arn);
  if (!service || service.status === 'DELETED') return { arn, name, status: service?.status, tags: {} };
  return { arn, name, status: service.status, tags: (await appRunner.listTags(arn)) as Tags };
}

/** Makes the plan's calls; a pause marker kept in the ledger is removed there. */
async function apply(
  ports: { appRunner: AppRunnerPort; markers: PauseMarkerStore | undefined },
  arn: string,
  plan: ActionPlan,
  ledgerMarker?: string,
): Promise<void> {
  for (const step of plan.steps) await applyManualStep(step, arn, ports, ledgerMarker);
}

/**
 * *Keep running until…*: a paused service is seen with its ledger marker and its schedule's
 * deployed definition, and the wake-up at the override's end is asked for before the resume, so a
 * failure leaves the service paused and the click's retry does it all.
 */
async function keepRunning(request: SlackActionRequested, deps: SlackActionsJobDeps, now: Date) {
  const { appRunner } = deps.ports;
  const { service, user } = request;
  const until = new Date(request.until ?? Number.NaN);
  const live = await observe(appRunner, service.arn, service.name);
  if (live.status !== 'PAUSED') {
    const plan = planKeepRunning(live, until, user.id, now);
    await apply({ appRunner, markers: undefined }, service.arn, plan);
    return plan;
  }
  const { service: observed, ledgerMarker } = await withLedgerMarker(live, deps.markers);
  const schedule = observed.tags[TAGS.schedule]?.trim();
  const deployed = schedule ? await readDeployedSchedule(deps.deployedSchedules, schedule) : undefined;
  const plan = planKeepRunning(observed, until, user.id, now, deployed ? [deployed] : []);
  if (plan.outcome === 'acted' && plan.wake) await deps.wakeUps.wakeAt(plan.wake);
  await apply({ appRunner, markers: deps.markers }, service.arn, plan, ledgerMarker);
  return plan;
}

/** Takes the action; returns what happened (the rollback publishes its own outcome event too). */
async function takeAction(request: SlackActionRequested, deps: SlackActionsJobDeps): Promise<JobResult> {
  const now = deps.now();
  const { appRunner } = deps.ports;
  const { service, user } = request;
  switch (request.action) {
    case 'keep-service': {
      const plan = planKeepService(await observe(appRunner, service.arn, service.name), user.id, now);
      await apply({ appRunner, markers: undefined }, service.arn, plan);
      return { outcome: plan.outcome, reason: plan.reason };
    }
    case 'keep-running': {
      const plan = await keepRunning(request, deps, now);
      return { outcome: plan.outcome, reason: plan.reason };
    }
    case 'rollback': {
      const result = await rollbackService(
        service,
        { kind: 'manual', id: `slack:${user.id}@${request.actionTs}`, time: now.toISOString(), force: false },
        deps.ports,
        { dryRun: deps.rollback.dryRun, ...MANUAL_LOOP_SETTINGS },
      );
      return { outcome: result.outcome, reason: result.reason, code: result.code };
    }
    case 'release-pin': {
      // The release `guard unpin` runs: the same planner and checks as fix forward.
      const pin = await deps.ports.ledger.getPin(service.arn);
      if (!pin) return { outcome: 'noop', reason: NOT_PINNED(service.name) };
      const result = await releasePin(
        pin,
        { kind: 'manual', id: `slack:${user.id}@${request.actionTs}`, time: now.toISOString() },
        deps.ports,
        { dryRun: deps.fixForward.dryRun },
      );
      return { outcome: result.outcome, reason: result.reason, code: result.code };
    }
  }
}

const auditOutcome = (o: JobResult['outcome']): GuardEventOutcome =>
  o === 'acted' || o === 'noop' || o === 'deferred' || o === 'failed' ? o : 'skipped';

/** What every audit event of a request carries: who, how they were admitted, which click. */
function auditDetails(request: SlackActionRequested): Record<string, unknown> {
  return {
    slackUser: request.user.id,
    slackUserName: request.user.name,
    slackTeam: request.user.teamId,
    authorizedVia: request.authorizedVia,
    actionTs: request.actionTs,
    channel: request.channelId,
    messageTs: request.messageTs,
    until: request.until,
    requestedAt: request.requestedAt,
  };
}

/** Slack actions: one authorised click → one action, audited (docs/architecture.md, "Slack actions"). */
export const slackActionsJob = defineJob<SlackActionRequested, SlackActionsJobDeps>({
  job: 'slack-actions',
  queue: 'slack-actions-job',
  parse: (raw, deps) => {
    const request = parseSlackActionRequested(raw, deps.targets);
    return {
      key: slackActionKey(request),
      input: request,
      logKeys: { serviceArn: request.service.arn, slackAction: request.action, slackUser: request.user.id },
    };
  },
  run: async (request: SlackActionRequested, deps: SlackActionsJobDeps, _ctx: RunContext) => {
    const result = await takeAction(request, deps);
    await deps.ports.publisher.publish([
      buildGuardEvent(GUARD_DETAIL_TYPES.slackActionTaken, {
        job: 'slack-actions',
        outcome: auditOutcome(result.outcome),
        action: request.action,
        reason: `${request.user.name ?? request.user.id} (Slack ${request.user.id}) asked to ${request.action} ${request.service.name}: ${result.reason}`,
        service: request.service,
        trigger: slackActionKey(request),
        dryRun:
          (request.action === 'rollback' && deps.rollback.dryRun) ||
          (request.action === 'release-pin' && deps.fixForward.dryRun),
        details: auditDetails(request),
      }),
    ]);
    return { ...result, action: request.action, slackUser: request.user.id };
  },
  reportFailure: async (request, error, deps) => {
    await deps.ports.publisher.publish([
      buildGuardEvent(GUARD_DETAIL_TYPES.slackActionFailed, {
        job: 'slack-actions',
        outcome: 'failed',
        action: request.action,
        reason: `${request.user.name ?? request.user.id} (Slack ${request.user.id}) asked to ${request.action} ${request.service.name}, and it failed: ${describeError(error)}. Nothing more from the guard: act by hand.`,
        service: request.service,
        trigger: slackActionKey(request),
        dryRun: false,
        details: auditDetails(request),
      }),
    ]);
  },
});

/** Builds the slack-actions job's Lambda handler from its dependencies. */
export const createHandler = slackActionsJob.createHandler;
