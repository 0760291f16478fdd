/**
 * Keeping the guard's default alarms in step with their services (docs/architecture.md, "Bake
 * window"), both ways, since AWS does not document whether App Runner emits tag change events:
 * promptly on a service's tag change or deletion ({@link reconcileServiceAlarms}), and by the
 * hourly backstop pass over every target's alarms ({@link retireOrphanAlarms}).
 *
 * @module
 */
import { mapWithConcurrency } from '../core/concurrency.ts';
import { describeError, isRetryable, RetryAfterError } from '../core/errors.ts';
import type { GuardEventEntry, GuardEventPublisher } from '../core/guard-event.ts';
import type { JobResult, RunContext } from '../core/handler-stack.ts';
import type { AlarmsFor, AlarmsIn, AlarmView } from '../core/ports/alarms.ts';
import type { AppRunnerPort } from '../core/ports/app-runner.ts';
import type { BakeLedger } from '../core/ports/bake-ledger.ts';
import { type Target, type TargetCheck, targetLabel } from '../core/ports/targets.ts';
import { parseServiceArn, type ServiceRef } from '../events/app-runner.ts';
import { OWNER_VALUE, TAGS, type Tags } from '../tags.ts';
import {
  type ObservedService,
  ownAlarmCandidates,
  ownedAlarms,
  planOwnAlarm,
  planServiceAlarms,
  retireWithEvent,
} from './retire.ts';

/** Alarms the backstop pass checks at once in one target. */
const ALARMS_AT_ONCE = 5;

/** The ports keeping the guard's alarms in step. */
export interface BakeAlarmPorts {
  appRunner: AppRunnerPort;
  alarmsFor: AlarmsFor;
  alarmsIn: AlarmsIn;
  bakes: BakeLedger;
  publisher: GuardEventPublisher;
}

/** Settings (from `config.bake`). */
export interface BakeAlarmSettings {
  alarmPrefix: string;
  thresholdPercent: number;
  /** Report the alarms that would be deleted; delete nothing. */
  dryRun: boolean;
}

/**
 * How long a backstop pass that met retryable errors waits before it runs again: well inside the
 * hourly schedule.
 */
export const BACKSTOP_RETRY_SECONDS = 15 * 60;

/** A service as it is now: gone (or DELETED) services have no tags to read. */
async function observeService(appRunner: AppRunnerPort, arn: string): Promise<ObservedService> {
  const live = await appRunner.describeService(arn);
  const tags: Tags = live && live.status !== 'DELETED' ? await appRunner.listTags(arn) : {};
  return { live, tags };
}

/**
 * A service's tags changed, or it was deleted: observe it live (its tags as they are now, whatever
 * order events came in), its bake record and the guard's alarms of it → {@link planServiceAlarms}
 * → create the default alarm of an opt-in just added; delete each alarm that no longer serves
 * (`Bake Alarm Retired`, info); a deleted service's bake record is closed. Nothing to do is a
 * silent no-op.
 */
export async function reconcileServiceAlarms(
  service: ServiceRef,
  trigger: string,
  foundBy: 'tag-change' | 'service-deleted',
  ports: BakeAlarmPorts,
  settings: BakeAlarmSettings,
): Promise<JobResult> {
  const [observed, bake] = await Promise.all([
    observeService(ports.appRunner, service.arn),
    ports.bakes.getBake(service.arn),
  ]);
  const alarms = ports.alarmsFor(service.arn);
  const owned = await ownedAlarms(alarms, ownAlarmCandidates(service, bake, settings.alarmPrefix));
  const plan = planServiceAlarms({ service, ...observed, owned }, settings.alarmPrefix);

  if (plan.create && observed.live) {
    await alarms.putDefaultAlarm({
      name: plan.create,
      serviceArn: service.arn,
      serviceName: service.name,
      serviceId: service.id,
      thresholdPercent: settings.thresholdPercent,
    });
  }
  const entries: GuardEventEntry[] = [];
  for (const r of plan.retire) {
    entries.push(
      await retireWithEvent(
        service,
        r,
        { alarms, bakes: ports.bakes },
        { trigger, dryRun: settings.dryRun, foundBy },
      ),
    );
  }
  // A deleted service's bake ends with it, whoever's alarms watched it.
  const deleted = !observed.live || observed.live.status === 'DELETED';
  let bakeClosed = false;
  if (deleted && bake && plan.retire.length === 0 && !settings.dryRun) {
    await ports.bakes.removeBake(service.arn);
    bakeClosed = true;
  }
  if (entries.length > 0) await ports.publisher.publish(entries);

  const result = {
    ...(plan.create ? { alarmCreated: plan.create } : {}),
    alarmsRetired: plan.retire.map((r) => r.alarm),
    ...(bakeClosed ? { bakeRecord: 'removed' } : {}),
    dryRun: settings.dryRun,
  };
  if (plan.retire.length > 0) {
    return {
      outcome: 'acted',
      reason: `${settings.dryRun ? 'Dry run: would delete' : 'Deleted'} the guard's alarm(s) of ${service.name}: ${plan.reason}.`,
      code: 'alarm-retired',
      ...result,
    };
  }
  if (plan.create) {
    return {
      outcome: 'acted',
      reason: `Created the guard's default alarm ${plan.create} of ${service.name}: ${plan.reason}.`,
      code: 'alarm-created',
      ...result,
    };
  }
  if (bakeClosed) {
    return {
      outcome: 'acted',
      reason: `${service.name} was deleted: closed its bake record (the guard owns no alarm of it).`,
      code: 'bake-closed',
      ...result,
    };
  }
  return {
    outcome: 'noop',
    reason: `Nothing to do for ${service.name}: ${plan.reason}.`,
    code: 'nothing-to-do',
    ...result,
  };
}

/** One target's part of a backstop pass. */
interface TargetPass {
  target: Target;
  checked: number;
  kept: number;
  retired: string[];
  /** Alarms under the prefix without the guard's owner tag (or naming no service here): left alone. */
  notOwned: number;
  retryable: string[];
  errors: string[];
}

/**
 * The backstop pass (hourly, Scheduler payload `retire-alarms`): in every target in parallel, list
 * the alarms under the guard's prefix; for each that carries the guard's owner tag, observe the
 * service its `apprunner-guard:service` tag names and {@link planOwnAlarm}; retire the orphans
 * (`Bake Alarm Retired` each; in dry-run, reported and kept). One alarm's or target's failure does
 * not stop the others: retryable ones make the pass come back ({@link BACKSTOP_RETRY_SECONDS});
 * terminal ones are counted in the result (an unreachable target is alerted by the cleanup sweep).
 */
export async function retireOrphanAlarms(
  payload: { scheduledTime: string },
  deps: { targets: TargetCheck; ports: BakeAlarmPorts; settings: BakeAlarmSettings },
  ctx: Pick<RunContext, 'logger'>,
): Promise<JobResult> {
  const { ports, settings } = deps;
  const trigger = `retire-alarms@${payload.scheduledTime}`;
  const targets = deps.targets.listTargets();
  const passes = await Promise.all(
    targets.map(async (target): Promise<TargetPass> => {
      const pass: TargetPass = {
        target,
        checked: 0,
        kept: 0,
        retired: [],
        notOwned: 0,
        retryable: [],
        errors: [],
      };
      let alarms: AlarmView[];
      try {
        alarms = await ports.alarmsIn(target).listAlarmsByPrefix(settings.alarmPrefix);
      } catch (error) {
        ctx.logger.error('backstop pass could not list alarms', {
          target: targetLabel(target),
          error: describeError(error),
        });
        (isRetryable(error) ? pass.retryable : pass.errors).push(
          `${targetLabel(target)}: ${describeError(error)}`,
        );
        return pass;
      }
      // A few alarms at once: three reads each (its tags, the service, its tags) keep a large
      // fleet's pass well inside the function's timeout without crowding App Runner's rate.
      await mapWithConcurrency(alarms, ALARMS_AT_ONCE, async (alarm) => {
        try {
          await checkAlarm(alarm, target, pass, trigger, deps);
        } catch (error) {
          ctx.logger.error('backstop pass could not check an alarm', {
            alarm: alarm.name,
            error: describeError(error),
          });
          (isRetryable(error) ? pass.retryable : pass.errors).push(`${alarm.name}: ${describeError(error)}`);
        }
      });
      return pass;
    }),
  );

  const retryable = passes.flatMap((p) => p.retryable);
  if (retryable.length > 0) {
    throw new RetryAfterError(
      `retire-alarms: ${retryable.length} item(s) need another try: ${retryable.join('; ')}`,
      BACKSTOP_RETRY_SECONDS,
    );
  }
  const sum = (f: (p: TargetPass) => number) => passes.reduce((n, p) => n + f(p), 0);
  const retired = passes.flatMap((p) => p.retired);
  const errors = passes.flatMap((p) => p.errors);
  const where = targets.length > 1 ? ` in ${targets.length} target(s)` : '';
  const reason = `Checked ${sum((p) => p.checked)} of the guard's alarm(s)${where}: ${retired.length} ${settings.dryRun ? 'would be deleted (dry run)' : 'deleted'}${retired.length > 0 ? ` (${retired.join(', ')})` : ''}, ${sum((p) => p.kept)} still serve their service${sum((p) => p.notOwned) > 0 ? `, ${sum((p) => p.notOwned)} under the prefix not the guard's (left alone)` : ''}${errors.length > 0 ? `; ${errors.length} error(s): ${errors.join('; ')}` : ''}.`;
  return {
    outcome: errors.length > 0 ? 'failed' : retired.length > 0 ? 'acted' : 'noop',
    reason,
    code: retired.length > 0 ? 'alarms-retired' : 'nothing-to-do',
    retired,
    dryRun: settings.dryRun,
    targets: passes.map((p) => ({
      account: p.target.account,
      region: p.target.region,
      checked: p.checked,
      retired: p.retired.length,
      ...(p.errors.length > 0 ? { errors: p.errors } : {}),
    })),
  };
}

/** Checks one alarm under the guard's prefix in one target, and retires it if it is an orphan. */
async function checkAlarm(
  alarm: AlarmView,
  target: Target,
  pass: TargetPass,
  trigger: string,
  deps: { ports: BakeAlarmPorts; settings: BakeAlarmSettings },
): Promise<void> {
  const { ports, settings } = deps;
  const alarms = ports.alarmsIn(target);
  const tags = await alarms.listAlarmTags(alarm.arn);
  const service = parseServiceArn(tags[TAGS.service] ?? '');
  // Not the guard's (a user's alarm under the prefix), or naming no service of this target: kept.
  if (
    tags[TAGS.owner] !== OWNER_VALUE ||
    !service ||
    service.account !== target.account ||
    service.region !== target.region
  ) {
    pass.notOwned++;
    return;
  }
  pass.checked++;
  const observed = await observeService(ports.appRunner, service.arn);
  const plan = planOwnAlarm(alarm.name, observed, settings.alarmPrefix);
  if (plan.action === 'keep') {
    pass.kept++;
    return;
  }
  const retired = await retireWithEvent(
    service,
    { alarm: alarm.name, code: plan.code, reason: plan.reason },
    { alarms, bakes: ports.bakes },
    { trigger, dryRun: settings.dryRun, foundBy: 'backstop' },
  );
  pass.retired.push(alarm.name);
  await ports.publisher.publish([retired]);
}
