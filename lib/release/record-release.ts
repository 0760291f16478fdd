import { readBakeOptIn } from '../bake/opt-in.ts';
import {
  type BakePorts,
  type BakeSettings,
  type BakeStarted,
  beginBake,
  endBakeOptIn,
  planBake,
} from '../bake/start.ts';
import { buildGuardEvent, GUARD_DETAIL_TYPES, type GuardEventPublisher } from '../core/guard-event.ts';
import type { JobResult, RunContext } from '../core/handler-stack.ts';
import type { AppRunnerPort, OperationView, ServiceView } from '../core/ports/app-runner.ts';
import type { DigestResolution, ImageDigestResolver } from '../core/ports/image-registry.ts';
import type { LedgerPort, QuarantineRecord, ReleaseRecord } from '../core/ports/release-ledger.ts';
import type { OperationStatusEvent } from '../events/app-runner.ts';
import { pinnedImage } from './image.ts';

/** The operation statuses that mean "the configured image now runs". */
export const SUCCESS_STATUSES = [
  'DeploymentCompletedSuccessfully',
  'UpdateServiceCompletedSuccessfully',
  'CreateServiceCompletedSuccessfully',
] as const;

/** `ListOperations` types that deploy the configured source. */
export const DEPLOYING_OPERATION_TYPES = new Set(['START_DEPLOYMENT', 'UPDATE_SERVICE', 'CREATE_SERVICE']);

/** What record-release observed. */
export interface ObservedRelease {
  event: OperationStatusEvent;
  service: ServiceView | undefined;
  /** Newest first. */
  operations: OperationView[];
  resolution?: DigestResolution;
  quarantined: QuarantineRecord[];
}

/** What to do with a success event. */
export type ReleasePlan =
  | { action: 'record'; release: ReleaseRecord; liftQuarantine: boolean; reason: string }
  | { action: 'none'; outcome: 'skipped'; code: string; reason: string };

const ms = (t: string | undefined) => (t === undefined ? Number.NaN : Date.parse(t));

const skip = (code: string, reason: string): ReleasePlan => ({
  action: 'none',
  outcome: 'skipped',
  code,
  reason,
});

/**
 * Decides whether a success event proves an image good. Pure. Records only what can be attributed
 * to the success: a RUNNING image-based service whose newest deploying operation succeeded, whose
 * image resolves to a digest, and whose tag was not re-pushed after the success.
 */
export function planRecordRelease(o: ObservedRelease): ReleasePlan {
  const { event, service } = o;
  if (!(SUCCESS_STATUSES as readonly string[]).includes(event.status)) {
    return skip('not-a-success', `${event.status} does not mean an image deployed successfully.`);
  }
  if (!service || service.status === 'DELETED') {
    return skip('deleted', 'The service no longer exists: there is no release to record.');
  }
  if (service.sourceType === 'code') {
    return skip(
      'code-based',
      'Code-based service: App Runner deploys the newest commit of a branch and the API cannot pin a commit, so there is no image digest to record.',
    );
  }
  if (service.status !== 'RUNNING') {
    return skip(
      'not-running',
      `The service is ${service.status} now, so its configured image may not be the one that succeeded; the next success event records it.`,
    );
  }
  const newest = o.operations.find((op) => DEPLOYING_OPERATION_TYPES.has(op.type));
  if (newest && newest.status !== 'SUCCEEDED') {
    return skip(
      'superseded',
      `A later ${newest.type} ended ${newest.status}: the configured image is not necessarily the one that succeeded.`,
    );
  }
  const image = service.imageIdentifier;
  const resolution = o.resolution;
  if (!image || !resolution) return skip('no-image', 'The service has no configured image.');
  if (resolution.kind === 'unresolvable') {
    return skip('unresolvable', `Cannot resolve ${image} to a digest: ${resolution.reason}.`);
  }
  if (resolution.pushedAt && ms(resolution.pushedAt) > ms(event.time)) {
    return skip(
      'tag-moved',
      `${image} now names an image pushed at ${resolution.pushedAt}, after the deployment succeeded at ${event.time}: cannot tell which digest was deployed.`,
    );
  }
  const quarantine = o.quarantined.find((q) => q.digest === resolution.digest);
  if (quarantine && ms(quarantine.time) > ms(event.time)) {
    return skip(
      'quarantined-later',
      `${resolution.digest} was quarantined at ${quarantine.time}, after this success at ${event.time} (${quarantine.reason}).`,
    );
  }
  return {
    action: 'record',
    release: {
      serviceArn: service.arn,
      imageIdentifier: image,
      repository: resolution.repository,
      digest: resolution.digest,
      time: event.time,
      eventId: event.eventId,
    },
    liftQuarantine: quarantine !== undefined,
    reason: quarantine
      ? `${event.status}: ${image} (${resolution.digest}) deployed successfully after it was quarantined; recorded it as known-good and lifted the quarantine.`
      : `${event.status}: recorded ${image} (${resolution.digest}) as a known-good release.`,
  };
}

/** Ports record-release uses (the bake window's among them). */
export interface RecordReleasePorts extends BakePorts {
  appRunner: AppRunnerPort;
  images: ImageDigestResolver;
  ledger: LedgerPort;
  publisher: GuardEventPublisher;
}

/** Record-release settings (from `config.ledger` and `config.bake`). */
export interface RecordReleaseSettings {
  historyLimit: number;
  bake: BakeSettings;
}

/**
 * The record-release use case: observe (describe the service live, its operations, resolve its
 * image) → {@link planRecordRelease} → with a bake window ({@link planBake}), start the bake and
 * record the release as a candidate, else as known-good → publish `Release Recorded` (and `Bake
 * Alarm Already Firing` when an alarm of the bake was in ALARM before the deployment started).
 * Skips and "already recorded" publish nothing: no action was taken.
 */
export async function recordRelease(
  event: OperationStatusEvent,
  ports: RecordReleasePorts,
  settings: RecordReleaseSettings,
  ctx?: Pick<RunContext, 'logger'>,
): Promise<JobResult> {
  const arn = event.service.arn;
  const service = await ports.appRunner.describeService(arn);
  const observable = service && service.sourceType === 'image' && service.status === 'RUNNING';
  const [operations, resolution, quarantined] = observable
    ? await Promise.all([
        ports.appRunner.listOperations(arn, 20),
        service.imageIdentifier
          ? ports.images.resolve(service.imageIdentifier, service.imageRepositoryType)
          : Promise.resolve(undefined),
        ports.ledger.listQuarantined(arn),
      ])
    : [[], undefined, []];
  const plan = planRecordRelease({
    event,
    service,
    operations,
    ...(resolution ? { resolution } : {}),
    quarantined,
  });
  if (plan.action === 'none') return { outcome: plan.outcome, reason: plan.reason, code: plan.code };

  // Bake first (each step idempotent), the release last: a retry after a crash redoes the bake.
  const [tags, releases] = await Promise.all([ports.appRunner.listTags(arn), ports.ledger.listReleases(arn)]);
  const optIn = readBakeOptIn(tags, service!, settings.bake.alarmPrefix);
  const decision = planBake(optIn, plan.release, releases);
  let baking: BakeStarted | undefined;
  let alarmDeleted: string | undefined;
  if (decision.kind === 'bake') {
    const started = operations.find((op) => DEPLOYING_OPERATION_TYPES.has(op.type))?.startedAt;
    const startedAt = started && ms(started) <= ms(event.time) ? started : event.time;
    baking = await beginBake(service!, plan.release, decision, startedAt, ports, settings.bake);
  } else if (optIn.kind !== 'on') {
    alarmDeleted = await endBakeOptIn(arn, ports, settings.bake.dryRun);
  }
  const release: ReleaseRecord = baking ? { ...plan.release, state: 'candidate' } : plan.release;
  const written = await ports.ledger.recordRelease(release, settings);
  const lifted = plan.liftQuarantine ? await ports.ledger.liftQuarantine(arn, release.digest) : false;
  if (written.status === 'unchanged' && !lifted) {
    return {
      outcome: 'noop',
      reason: `${release.digest} is already recorded (${release.state ?? 'known-good'}) at this time or later.`,
      code: 'already-recorded',
      digest: release.digest,
    };
  }
  const bakeDetails = baking
    ? {
        state: 'candidate',
        bakeUntil: baking.bake.bakeUntil,
        bakeMinutes: baking.bake.bakeMinutes,
        alarms: baking.bake.alarms,
        ...(baking.bake.ownAlarm ? { defaultAlarm: baking.bake.ownAlarm } : {}),
        ...(baking.firing.length > 0 ? { alarmsFiringAtStart: baking.firing.map((a) => a.name) } : {}),
        ...(baking.missing.length > 0 ? { alarmsMissing: baking.missing } : {}),
      }
    : { state: 'known-good' };
  const details = {
    image: pinnedImage(release.repository, release.digest),
    imageIdentifier: release.imageIdentifier,
    repository: release.repository,
    digest: release.digest,
    operationStatus: event.status,
    ledger: written.status,
    pruned: written.pruned,
    quarantineLifted: lifted,
    ...bakeDetails,
    ...(alarmDeleted ? { defaultAlarmDeleted: alarmDeleted } : {}),
  };
  const reason = baking
    ? `${plan.reason.replace(/ as a known-good release\.$/, '')} as a candidate: it bakes ${baking.bake.bakeMinutes} minutes (until ${baking.bake.bakeUntil}) watched by ${baking.bake.alarms.join(', ')}, then becomes known-good if no alarm fires.${baking.missing.length > 0 ? ` Alarm${baking.missing.length === 1 ? '' : 's'} ${baking.missing.join(', ')} ${baking.missing.length === 1 ? 'does' : 'do'} not exist.` : ''}`
    : `${plan.reason}${decision.kind === 'none' && decision.note ? ` ${decision.note}` : ''}${alarmDeleted ? ` The bake opt-in was removed: ${settings.bake.dryRun ? 'dry run, would delete' : 'deleted'} the guard's alarm ${alarmDeleted}.` : ''}`;
  const entries = [
    buildGuardEvent(GUARD_DETAIL_TYPES.releaseRecorded, {
      job: 'record-release',
      outcome: 'acted',
      action: 'record-release',
      reason,
      service: event.service,
      trigger: event.eventId,
      dryRun: false,
      details,
    }),
  ];
  if (baking && baking.firing.length > 0) {
    entries.push(alreadyFiring(event, baking));
  }
  await ports.publisher.publish(entries);
  ctx?.logger.info('release recorded', details);
  return { outcome: 'acted', reason, code: 'recorded', ...details };
}

/** The alert when a bake starts with an alarm already in ALARM: not blamed, not rolled back on. */
function alreadyFiring(event: OperationStatusEvent, baking: BakeStarted) {
  const { bake, firing } = baking;
  const names = firing.map(
    (a) => `${a.name} (in ALARM since ${a.stateUpdatedAt ?? 'before the deployment'})`,
  );
  return buildGuardEvent(GUARD_DETAIL_TYPES.bakeAlarmAlreadyFiring, {
    job: 'record-release',
    outcome: 'skipped',
    action: 'none',
    reason: `${names.join('; ')} was already in ALARM when the deployment of ${bake.imageIdentifier} (${bake.digest.slice(0, 19)}…) started at ${bake.deploymentStartedAt}: the guard does not blame the deployment and will not roll it back on that alarm. The release stays a candidate; it is promoted at ${bake.bakeUntil} only if no alarm is in ALARM then. A human should look at the alarm.`,
    service: event.service,
    trigger: event.eventId,
    dryRun: false,
    details: {
      attention: true,
      code: 'alarm-before-deployment',
      alarmsFiringAtStart: firing.map((a) => a.name),
      alarmReason: firing[0]?.stateReason,
      bakeWindow: `${bake.deploymentStartedAt} – ${bake.bakeUntil} (${bake.bakeMinutes} minutes)`,
      candidateDigest: bake.digest,
    },
  });
}
