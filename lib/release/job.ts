import { promoteRelease } from '../bake/promote.ts';
import { reconcileServiceAlarms, retireOrphanAlarms } from '../bake/reconcile.ts';
import { defineJob } from '../core/define-job.ts';
import type { Parsed } from '../core/handler-stack.ts';
import type { TargetCheck } from '../core/ports/targets.ts';
import { APP_RUNNER_SOURCE, type AppRunnerEvent, parseServiceArn } from '../events/app-runner.ts';
import { appRunnerTrigger } from '../events/parse-trigger.ts';
import {
  againOf,
  parseSchedulerPayload,
  type RecordReleasePayload,
  recordReleasePayloadSchema,
} from '../events/scheduler.ts';
import { parseTagChange, TAG_SOURCE, type TagChangeEvent } from '../events/tag-change.ts';
import { createFailureReporter, type FailureSubject } from '../report-failure.ts';
import { type RecordReleasePorts, type RecordReleaseSettings, recordRelease } from './record-release.ts';

/** What the record-release job runs with (built once per container by its function file). */
export interface RecordReleaseJobDeps {
  /** The guard's targets: events from elsewhere are rejected. */
  targets: TargetCheck;
  ports: RecordReleasePorts;
  settings: RecordReleaseSettings;
}

type RecordReleaseInput = AppRunnerEvent | TagChangeEvent | RecordReleasePayload;

/** What a terminal failure is about, for the `Release Recording Failed` alert. */
function subjectOf(input: RecordReleaseInput): FailureSubject {
  if ('eventId' in input) return { service: input.service, trigger: input.eventId };
  const trigger = `${input.action}@${input.scheduledTime}`;
  const service = input.action === 'promote' ? parseServiceArn(input.serviceArn) : undefined;
  return service ? { service, trigger } : { trigger };
}

/** The operation event of a completed deletion: the service's bake and the guard's alarm end. */
const DELETED = 'DeleteServiceCompletedSuccessfully';

/**
 * Record-release: a successful deployment → a release in the ledger (known-good, or a candidate
 * that bakes); a bake's end (a wake-up) → the candidate promoted; a service's bake tags changed or
 * the service deleted, and the hourly backstop pass → the guard's default alarms kept in step
 * (docs/architecture.md, "Bake window").
 */
export const recordReleaseJob = defineJob<RecordReleaseInput, RecordReleaseJobDeps>({
  job: 'record-release',
  parse: (raw, deps): Parsed<RecordReleaseInput> => {
    const source = (raw as { source?: unknown } | null)?.source;
    if (source === APP_RUNNER_SOURCE) return appRunnerTrigger(deps.targets)(raw);
    if (source === TAG_SOURCE) {
      const event = parseTagChange(raw, { targets: deps.targets });
      return {
        key: event.eventId,
        input: event,
        logKeys: { serviceArn: event.service.arn, changedTagKeys: event.changedKeys },
      };
    }
    const payload = parseSchedulerPayload(recordReleasePayloadSchema, raw);
    if (payload.action === 'retire-alarms') {
      return {
        key: `retire-alarms#${payload.scheduledTime}`,
        input: payload,
        again: againOf(raw, payload),
        logKeys: { action: 'retire-alarms' },
      };
    }
    return {
      key: `promote#${payload.serviceArn}#${payload.bake}#${payload.scheduledTime}`,
      input: payload,
      again: againOf(raw, payload),
      logKeys: { serviceArn: payload.serviceArn, action: 'promote', digest: payload.digest },
    };
  },
  run: async (input, deps, ctx) => {
    if (!('eventId' in input)) {
      return input.action === 'promote'
        ? promoteRelease(input, deps.ports)
        : retireOrphanAlarms(
            input,
            { targets: deps.targets, ports: deps.ports, settings: deps.settings.bake },
            ctx,
          );
    }
    if (input.kind === 'tag-change') {
      return reconcileServiceAlarms(
        input.service,
        input.eventId,
        'tag-change',
        deps.ports,
        deps.settings.bake,
      );
    }
    if (input.kind === 'operation' && input.status === DELETED) {
      return reconcileServiceAlarms(
        input.service,
        input.eventId,
        'service-deleted',
        deps.ports,
        deps.settings.bake,
      );
    }
    return input.kind === 'operation'
      ? recordRelease(input, deps.ports, deps.settings, ctx)
      : { outcome: 'skipped', reason: 'A service status change is not a successful deployment.' };
  },
  reportFailure: (input, error, deps) =>
    createFailureReporter(deps.ports.publisher, 'record-release', false, subjectOf)(input, error),
});

/** Builds the record-release Lambda handler from its dependencies. */
export const createHandler = recordReleaseJob.createHandler;
