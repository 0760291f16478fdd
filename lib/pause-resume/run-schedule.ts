import { createHash } from 'node:crypto';
import type { GuardConfig } from '../config.ts';
import { mapWithConcurrency } from '../core/concurrency.ts';
import { describeError } from '../core/errors.ts';
import {
  buildGuardEvent,
  GUARD_DETAIL_TYPES,
  type GuardEventEntry,
  type GuardEventPublisher,
  guardServiceOf,
} from '../core/guard-event.ts';
import type { JobResult, RunContext } from '../core/handler-stack.ts';
import type { GuardEventOutcome as Outcome } from '../core/outcomes.ts';
import type { AppRunnerPort } from '../core/ports/app-runner.ts';
import type { PauseMarkerStore } from '../core/ports/pause-markers.ts';
import { type Target, type TargetRouter, targetLabel } from '../core/ports/targets.ts';
import { SCHEDULED_TIME, type WakeUps, wakeUpName } from '../core/ports/wake-ups.ts';
import { parseServiceArn } from '../events/app-runner.ts';
import type { PauseResumePayload } from '../events/scheduler.ts';
import { formatPausedBy, TAGS } from '../tags.ts';
import { type DesiredState, desiredStateAt, formatLocal } from './desired-state.ts';
import { createWorkPool, isBusy, isGone, isThrottling, realSleep, withBackoff } from './fleet.ts';
import { overrideEndWake } from './override-end.ts';
import { createPacer, type Pacer, pacedBy } from './pacer.ts';
import { followsSchedule, type ObservedService, planService, type ServiceDecision } from './plan.ts';
import { MAX_INPUT_CHARS } from './schedule-spec.ts';

/** The ports a schedule run talks to. */
export interface PauseResumePorts {
  /** App Runner, each call sent to the account and region its service ARN names. */
  appRunner: AppRunnerPort;
  /**
   * Wakes the job at a time (docs/architecture.md, "Time"): the follow-up run for busy services,
   * and a service's override end when the schedule wants it paused then.
   */
  wakeUps: WakeUps;
  /** The targets, and App Runner and bulk tag reads in each (listing a target's fleet). */
  targets: TargetRouter;
  /** The guard's pause markers (the ledger). */
  markers: PauseMarkerStore;
  publisher: GuardEventPublisher;
}

/** Settings of a schedule run (from `config.pauseResume` and `config.scheduler`). */
export interface PauseResumeSettings {
  dryRun: boolean;
  /** Calls in flight per target (App Runner's rate is per account and region). */
  maxConcurrency: number;
  maxRetries: number;
  retryMinutes: number;
  /** Injected in tests; real timers otherwise. */
  sleep: (ms: number) => Promise<void>;
  /**
   * Tries per App Runner call while throttled (default 12): in the pacer's turns when paced,
   * else with backoff of at most 2 s. The fleet clients leave throttling to these.
   */
  backoffAttempts?: number;
  /**
   * App Runner calls per second per target (account × region) the run starts at and never
   * exceeds; it halves after a throttle and creeps back ({@link createPacer}). Unset: unpaced.
   */
  ratePerSecond?: number;
  /** The clock the pacer reads with `sleep` (`Date.now` unless injected). */
  now?: () => number;
}

/** What happened to one service in a run. */
export interface ServiceResult extends Omit<ServiceDecision, 'outcome'> {
  outcome: Outcome;
}

/** Outcome counts of a run. */
export interface RunCounts {
  paused: number;
  resumed: number;
  unchanged: number;
  skipped: number;
  deferred: number;
  failed: number;
}

/** Per-service entries kept in the summary event and the result. */
export const MAX_REPORTED_SERVICES = 100;
/**
 * Tries per App Runner call while throttled (the fleet clients do not retry throttling). A fleet
 * run shares the account's App Runner request rate among its workers: a throttle means "wait", and a call that
 * gives up too early turns a slow run into deferred or lost services.
 */
const BACKOFF_ATTEMPTS = 12;
/** Below this much Lambda time left, remaining services are deferred to the follow-up. */
const MIN_REMAINING_MS = 8_000;

/** One target's part of a run: what it saw, what it did, and why it stopped if it did. */
interface TargetRun {
  target: Target;
  services: ObservedService[];
  gone: string[];
  acted: ServiceResult[];
  /**
   * The target could not be read (its role refused, its API failed): `acted` holds what was done
   * there before (nothing, unless a later listing page failed).
   */
  error?: unknown;
}

/** One pacer per target and run: App Runner's rate is per account and region. */
function pacerOf(settings: PauseResumeSettings): Pacer | undefined {
  if (settings.ratePerSecond === undefined) return undefined;
  return createPacer({
    ratePerSecond: settings.ratePerSecond,
    now: settings.now ?? Date.now,
    sleep: settings.sleep,
  });
}

const backoffOf = (settings: PauseResumeSettings) => ({
  attempts: settings.backoffAttempts ?? BACKOFF_ATTEMPTS,
  baseMs: 250,
  sleep: settings.sleep,
});

/** What acting in one target needs besides the decision. */
interface TargetWork {
  /** App Runner in the target, for paced work (a throttle is not retried by the SDK). */
  appRunner: AppRunnerPort;
  /** Sends one App Runner call at the target's pace, retrying its throttles. */
  call: <T>(fn: () => Promise<T>) => Promise<T>;
  payload: PauseResumePayload;
  at: Date;
  ports: PauseResumePorts;
  settings: PauseResumeSettings;
  ctx: RunContext;
}

/** A planned service on its way to the workers. */
interface Work {
  decision: ServiceDecision;
  /** Its marker is still the old `paused-by` tag (removed when the marker goes). */
  tagMarker: boolean;
  /** A pause whose marker is already in the ledger (written with its listing page's). */
  premarked: boolean;
  index: number;
}

/**
 * One target's run, observing and acting as the services become known: their tags in bulk
 * (Resource Groups Tagging API, outside App Runner's rate), the guard's markers from the ledger
 * and `ListServices` a page (20 services) at a time, the first page alongside the other two — or,
 * for a follow-up, `DescribeService` of its pending services only. Each page's services are
 * planned and handed to the workers while the next page is read, so the target's App Runner rate
 * is spent on pauses from the first second; a pause then costs App Runner one call, plus a page
 * per 20 services. Every App Runner call waits for the target's pacer, which also retries its
 * throttles (the fleet client leaves them to it); unpaced, each call backs off on its own.
 */
async function runTarget(
  target: Target,
  pending: readonly string[] | undefined,
  desired: DesiredState,
  work: Omit<TargetWork, 'appRunner' | 'call'>,
): Promise<TargetRun> {
  const { payload, at, ports, settings, ctx } = work;
  const backoff = backoffOf(settings);
  const pacer = pacerOf(settings);
  const attempts = settings.backoffAttempts ?? BACKOFF_ATTEMPTS;
  const appRunner = ports.targets.fleetAppRunnerIn(target);
  const call = <T>(fn: () => Promise<T>): Promise<T> =>
    pacer ? pacedBy(pacer, fn, isThrottling, attempts)() : withBackoff(fn, backoff);
  const targetWork: TargetWork = { ...work, appRunner, call };
  const run: TargetRun = { target, services: [], gone: [], acted: [] };
  const pool = createWorkPool(settings.maxConcurrency, async (w: Work) => {
    run.acted[w.index] = await act(w.decision, w.tagMarker, w.premarked, targetWork);
  });
  const marker = formatPausedBy(payload.schedule, at);
  const handedOver: Promise<void>[] = [];

  // Plans a batch of observed services and hands it to the workers. Its pauses' markers go to the
  // ledger in one request first, and a pause is sent only after its marker is in: a run that dies
  // in between leaves a running service with a marker (cleared or re-used at the next run), never
  // a guard-paused service without one, which no later run would resume. If the bulk write fails,
  // each pause writes its own marker before it is sent ({@link act}). Only the batch waits for its
  // markers: the listing reads on meanwhile.
  const plan = (batch: ReadonlyArray<{ service: ObservedService; tagMarker: boolean }>) => {
    const first = run.services.length;
    run.services.push(...batch.map((b) => b.service));
    const decisions = batch.map((b) =>
      planService(b.service, desired, { schedule: payload.schedule, at, trigger: payload.action }),
    );
    const pausing = decisions.filter((d) => d.action === 'pause').map((d) => d.arn);
    const premarked =
      !settings.dryRun && pausing.length > 0 && ctx.remainingMs() >= MIN_REMAINING_MS
        ? withBackoff(() => ports.markers.putMany(pausing, marker), backoff).then(
            () => true,
            () => false,
          )
        : Promise.resolve(false);
    handedOver.push(
      premarked.then((marked) =>
        pool.add(
          decisions.map((decision, i) => ({
            decision,
            tagMarker: batch[i]!.tagMarker,
            premarked: marked,
            index: first + i,
          })),
        ),
      ),
    );
  };

  // A fire's listing (not a follow-up's): the first page and the ledger's markers are read
  // alongside the tags, so the first pauses go out one round trip sooner; in a target where no
  // service follows the schedule, that page is one App Runner call spent for nothing.
  const firstPage = pending ? undefined : call(() => appRunner.listServicesPage());
  const markersRead = pending ? undefined : ports.markers.list(target);
  // Awaited when the tags show work there; settled before the run ends either way.
  const started = [firstPage, markersRead].map((p) => p?.catch(() => undefined));
  try {
    const tagged = await withBackoff(
      () => ports.targets.serviceTagsIn(target).listServicesTagged(TAGS.schedule),
      backoff,
    );
    const tagsOf = new Map(tagged.map((t) => [t.arn, t.tags]));
    const ofSchedule = (s: { arn: string }) => followsSchedule(tagsOf.get(s.arn) ?? {}, payload.schedule);
    // The ledger's marker, else the old `paused-by` tag, as the planner's tags.
    const observe = (
      candidates: ReadonlyArray<{ arn: string; name: string; status: string }>,
      markers: Map<string, string>,
    ) =>
      candidates.map((c) => {
        const { [TAGS.pausedBy]: tagMarker, ...tags } = tagsOf.get(c.arn) ?? {};
        const marker = markers.get(c.arn) ?? tagMarker;
        return {
          service: { ...c, tags: marker === undefined ? tags : { ...tags, [TAGS.pausedBy]: marker } },
          tagMarker: tagMarker !== undefined,
        };
      });
    if (pending) {
      const described = await mapWithConcurrency(pending, settings.maxConcurrency, (arn) =>
        call(() => appRunner.describeService(arn)),
      );
      const candidates: Array<{ arn: string; name: string; status: string }> = [];
      described.forEach((s, i) => {
        if (s) candidates.push({ arn: s.arn, name: s.name, status: s.status });
        else run.gone.push(pending[i]!);
      });
      const ours = candidates.filter(ofSchedule);
      if (ours.length > 0) plan(observe(ours, await ports.markers.list(target)));
    } else if (firstPage && markersRead && tagged.some((t) => followsSchedule(t.tags, payload.schedule))) {
      let page = await firstPage;
      for (;;) {
        const ours = page.services.filter((s) => s.status !== 'DELETED' && ofSchedule(s));
        if (ours.length > 0) plan(observe(ours, await markersRead));
        const token = page.nextToken;
        if (!token) break;
        page = await call(() => appRunner.listServicesPage(token));
      }
    }
  } catch (error) {
    run.error = error;
  }
  await Promise.all(started);
  await Promise.all(handedOver);
  await pool.drain();
  return run;
}

/** Acts on one decision: idempotent calls, marker before pause, marker removal after resume. */
async function act(
  d: ServiceDecision,
  tagMarker: boolean,
  premarked: boolean,
  work: TargetWork,
): Promise<ServiceResult> {
  const { appRunner: ar, call, payload, at, ports, settings, ctx } = work;
  const backoff = backoffOf(settings);
  const marker = formatPausedBy(payload.schedule, at);
  // The marker lives in the ledger; a service paused before that still carries it as a tag.
  const removeMarker = async () => {
    await withBackoff(() => ports.markers.remove(d.arn), backoff);
    if (tagMarker) await call(() => ar.untagService(d.arn, [TAGS.pausedBy]));
  };
  if (d.action === 'none' || d.action === 'retry' || settings.dryRun) return d;
  if (ctx.remainingMs() < MIN_REMAINING_MS) {
    return {
      ...d,
      action: 'retry',
      outcome: 'deferred',
      reason: `out of time in this invocation; ${d.reason}`,
    };
  }
  try {
    if (d.action === 'pause') {
      // The marker is in first (see runTarget): here unless its batch's bulk write got it in.
      if (!premarked) await withBackoff(() => ports.markers.put(d.arn, marker), backoff);
      try {
        await call(() => ar.pauseService(d.arn));
      } catch (error) {
        // Not paused after all: take the marker back so a later hand pause is not mistaken for ours.
        await ports.markers.remove(d.arn).catch(() => undefined);
        throw error;
      }
      return { ...d, reason: `paused: ${d.reason}` };
    }
    if (d.action === 'resume') {
      await call(() => ar.resumeService(d.arn));
      await removeMarker();
      return { ...d, reason: `resumed: ${d.reason}` };
    }
    await removeMarker();
    return d;
  } catch (error) {
    if (isGone(error))
      return { ...d, action: 'none', outcome: 'skipped', reason: 'the service no longer exists' };
    if (isBusy(error)) {
      return {
        ...d,
        action: 'retry',
        outcome: 'deferred',
        reason: `busy (${describeError(error)}); ${d.reason}`,
      };
    }
    return { ...d, outcome: 'failed', reason: `could not ${d.action}: ${describeError(error)}` };
  }
}

function countOf(results: readonly ServiceResult[]): RunCounts {
  const c: RunCounts = { paused: 0, resumed: 0, unchanged: 0, skipped: 0, deferred: 0, failed: 0 };
  for (const r of results) {
    if (r.outcome === 'acted' && r.action === 'pause') c.paused++;
    else if (r.outcome === 'acted' && r.action === 'resume') c.resumed++;
    else if (r.outcome === 'skipped') c.skipped++;
    else if (r.outcome === 'deferred') c.deferred++;
    else if (r.outcome === 'failed') c.failed++;
    else c.unchanged++;
  }
  return c;
}

/** The follow-up's wake-up key: deterministic, so a duplicate run asks for the same schedule. */
export function followUpKey(schedule: string, scheduledTime: string, attempt: number): string {
  const hash = createHash('sha256')
    .update(`${schedule}\n${scheduledTime}\n${attempt}`)
    .digest('hex')
    .slice(0, 24);
  return `retry-${hash}-${attempt}`;
}

/** Name of the follow-up one-time schedule (`pause-resume-retry-<hash>-<attempt>`). */
export function followUpName(schedule: string, scheduledTime: string, attempt: number): string {
  return wakeUpName('pause-resume', followUpKey(schedule, scheduledTime, attempt));
}

/**
 * The follow-up payload; lists the pending services when that fits Scheduler's input limit
 * (`all`: a target is run again whole). Its scheduled time is the one Scheduler fills in when it
 * fires.
 */
export function followUpPayload(
  payload: PauseResumePayload,
  pending: readonly string[] | 'all',
): PauseResumePayload {
  const base: PauseResumePayload = {
    action: 'converge',
    schedule: payload.schedule,
    scheduledTime: SCHEDULED_TIME,
    attempt: (payload.attempt ?? 0) + 1,
    definition: payload.definition,
  };
  if (pending === 'all') return base;
  const withServices = { ...base, services: [...pending] };
  // Too many to list: converge the whole schedule again (re-planning a settled service is a no-op).
  return pending.length <= 500 && JSON.stringify(withServices).length <= MAX_INPUT_CHARS
    ? withServices
    : base;
}

function summaryOutcome(c: RunCounts): Outcome {
  if (c.failed > 0) return 'failed';
  if (c.paused + c.resumed > 0) return 'acted';
  if (c.deferred > 0) return 'deferred';
  if (c.skipped > 0 && c.unchanged === 0) return 'skipped';
  return 'noop';
}

function countsText(c: RunCounts, dryRun: boolean): string {
  const w = dryRun ? 'would have ' : '';
  return `${w}paused ${c.paused}, ${w}resumed ${c.resumed}, unchanged ${c.unchanged}, skipped ${c.skipped}, deferred ${c.deferred}, failed ${c.failed}`;
}

/**
 * A run's settings from the guard's configuration; real timers unless `clock` is given (the
 * function passes the invocation's, which the sandbox simulates).
 */
export function settingsFromConfig(
  config: Pick<GuardConfig, 'pauseResume'>,
  clock: { sleep: (ms: number) => Promise<void>; now: () => number } = { sleep: realSleep, now: Date.now },
): PauseResumeSettings {
  return {
    dryRun: config.pauseResume.dryRun,
    maxConcurrency: config.pauseResume.maxConcurrency,
    maxRetries: config.pauseResume.maxRetries,
    retryMinutes: config.pauseResume.retryMinutes,
    ratePerSecond: config.pauseResume.ratePerSecond,
    sleep: clock.sleep,
    now: clock.now,
  };
}

/**
 * One run of a pause/resume schedule (a Scheduler fire, or a follow-up `converge`): observe the
 * services tagged for the schedule → compute the desired state at the scheduled time in the
 * schedule's zone → plan each service (pure) → act with bounded concurrency → retry busy services
 * with a follow-up one-time schedule (bounded by `maxRetries`) → publish ONE `Schedule Run
 * Completed` summary plus one `Schedule Action Failed` per failure.
 *
 * "Now" is the payload's `scheduledTime`, never the wall clock.
 */
export async function runSchedule(
  payload: PauseResumePayload,
  ports: PauseResumePorts,
  settings: PauseResumeSettings,
  ctx: RunContext,
): Promise<JobResult> {
  const at = new Date(payload.scheduledTime);
  const attempt = payload.attempt ?? 0;
  const desired: DesiredState = desiredStateAt(payload.definition, at);

  // Every target in parallel, each with its own workers: App Runner's rate is per account and
  // region, so the partitions do not slow each other down.
  const pendingByTarget = new Map<string, string[]>();
  for (const arn of payload.services ?? []) {
    const ref = parseServiceArn(arn);
    if (!ref) continue;
    const key = targetLabel(ref);
    pendingByTarget.set(key, [...(pendingByTarget.get(key) ?? []), arn]);
  }
  const targets = payload.services
    ? ports.targets.listTargets().filter((t) => pendingByTarget.has(targetLabel(t)))
    : ports.targets.listTargets();
  const outsideTargets = (payload.services ?? []).filter((arn) => {
    const ref = parseServiceArn(arn);
    return !ref || !ports.targets.isTarget(ref.account, ref.region);
  });
  const partitions = await Promise.all(
    targets.map((target) =>
      runTarget(target, payload.services ? pendingByTarget.get(targetLabel(target)) : undefined, desired, {
        payload,
        at,
        ports,
        settings,
        ctx,
      }),
    ),
  );
  const services = partitions.flatMap((p) => p.services);
  const gone = [...partitions.flatMap((p) => p.gone), ...outsideTargets];
  const unreadable = partitions.filter((p) => p.error !== undefined);
  // A target that failed for a reason that may pass (throttling, an outage) is run again whole.
  const retryTargets = unreadable.filter((o) => isBusy(o.error));
  const failedTargets = unreadable.filter((o) => !isBusy(o.error));

  const results: ServiceResult[] = [
    ...partitions.flatMap((p) => p.acted),
    ...gone.map((arn) => ({
      arn,
      name: parseServiceArn(arn)?.name ?? arn,
      status: 'DELETED',
      action: 'none' as const,
      outcome: 'skipped' as const,
      reason: outsideTargets.includes(arn)
        ? "not in one of the guard's targets"
        : 'the service no longer exists',
      notes: [],
    })),
  ];

  const backoff = {
    attempts: settings.backoffAttempts ?? BACKOFF_ATTEMPTS,
    baseMs: 250,
    sleep: settings.sleep,
  };
  // Busy services: a follow-up run later (a wake-up), or a failure once the attempts are used up.
  let followUp: { name: string; at: string; services: number } | undefined;
  const pending = results.filter((r) => r.outcome === 'deferred');
  if ((pending.length > 0 || retryTargets.length > 0) && attempt >= settings.maxRetries) {
    for (const r of pending) {
      r.outcome = 'failed';
      r.reason = `still busy after ${attempt + 1} attempts, giving up: ${r.reason}`;
    }
    failedTargets.push(...retryTargets.splice(0));
  } else if (pending.length > 0 || retryTargets.length > 0) {
    const retryAt = new Date(at.getTime() + settings.retryMinutes * 60_000);
    followUp = {
      name: followUpName(payload.schedule, payload.scheduledTime, attempt + 1),
      at: retryAt.toISOString(),
      services: pending.length,
    };
    if (!settings.dryRun) {
      const wake = await withBackoff(
        () =>
          ports.wakeUps.wakeAt({
            job: 'pause-resume',
            key: followUpKey(payload.schedule, payload.scheduledTime, attempt + 1),
            at: retryAt,
            now: at,
            // A target run again whole: the follow-up converges the whole schedule (settled services are no-ops).
            payload: followUpPayload(payload, retryTargets.length > 0 ? 'all' : pending.map((r) => r.arn)),
            description: `apprunner-guard: retry ${pending.length} busy service(s) of schedule ${payload.schedule} (attempt ${attempt + 1})`,
          }),
        backoff,
      );
      followUp = { ...followUp, name: wake.name, at: wake.at.toISOString() };
    }
    for (const r of pending)
      r.reason = `${r.reason}; ${settings.dryRun ? 'would retry' : 'retry'} at ${followUp.at}`;
  }

  // Overrides that end while the schedule wants the service paused: a wake-up at each end.
  const overrideEnds = await wakeAtOverrideEnds(results, payload, at, ports, settings, backoff);

  const counts = countOf(results);
  const outcome = failedTargets.length > 0 ? 'failed' : summaryOutcome(counts);
  const targetsText = (list: TargetRun[]) =>
    list.map((o) => `${targetLabel(o.target)} (${describeError(o.error)})`).join('; ');
  const trigger = `${payload.schedule}@${payload.scheduledTime}`;
  const when = formatLocal(at, payload.definition.timezone);
  const reason =
    `Schedule ${payload.schedule} ${payload.action}${attempt ? ` (attempt ${attempt + 1})` : ''} at ${when}: ` +
    `desired ${desired.state} (${desired.reason}); ${services.length + gone.length} service(s): ${countsText(counts, settings.dryRun)}` +
    (targets.length > 1 ? ` in ${targets.length} target(s)` : '') +
    (failedTargets.length > 0 ? `; not reached: ${targetsText(failedTargets)}` : '') +
    (retryTargets.length > 0 ? `; to retry whole: ${targetsText(retryTargets)}` : '') +
    (followUp ? `; follow-up at ${followUp.at}` : '') +
    (overrideEnds.length > 0
      ? `; ${settings.dryRun ? 'would wake' : 'wakes'} at the end of ${overrideEnds.length} override(s)`
      : '');
  const reported = results.slice(0, MAX_REPORTED_SERVICES).map((r) => ({
    name: r.name,
    arn: r.arn,
    account: parseServiceArn(r.arn)?.account,
    region: parseServiceArn(r.arn)?.region,
    status: r.status,
    action: r.action,
    outcome: r.outcome,
    reason: r.reason,
  }));

  const serviceRef = (arn: string) => {
    const ref = parseServiceArn(arn);
    return ref ? guardServiceOf(ref) : undefined;
  };
  const entries: GuardEventEntry[] = [
    buildGuardEvent(GUARD_DETAIL_TYPES.scheduleRunCompleted, {
      job: 'pause-resume',
      outcome,
      action: payload.action,
      reason,
      trigger,
      dryRun: settings.dryRun,
      details: {
        schedule: payload.schedule,
        scheduledTime: payload.scheduledTime,
        timezone: payload.definition.timezone,
        attempt,
        desired: desired.state,
        desiredReason: desired.reason,
        counts,
        services: reported,
        servicesOmitted: Math.max(0, results.length - reported.length),
        followUp,
        overrideEnds: overrideEnds.length > 0 ? overrideEnds.length : undefined,
        targets: partitions.map((p) => ({
          account: p.target.account,
          region: p.target.region,
          services: p.services.length,
          ...(p.error === undefined ? {} : { error: describeError(p.error) }),
        })),
      },
    }),
    // A target the run could not reach, once per run: its role is missing or refuses (terminal),
    // or it kept failing past the last follow-up. The other targets' results stand.
    ...failedTargets.map((o) =>
      buildGuardEvent(GUARD_DETAIL_TYPES.scheduleActionFailed, {
        job: 'pause-resume',
        outcome: 'failed',
        action: payload.action,
        reason: `${targetLabel(o.target)}: schedule ${payload.schedule} could not read or act on the services there: ${describeError(o.error)}. ${o.acted.length > 0 ? `Only the ${o.acted.length} service(s) read before that were handled there (see the run's summary)` : `Nothing was done in ${targetLabel(o.target)}`}; the other targets were handled.`,
        where: o.target,
        trigger,
        dryRun: settings.dryRun,
        details: {
          schedule: payload.schedule,
          scheduledTime: payload.scheduledTime,
          account: o.target.account,
          region: o.target.region,
        },
      }),
    ),
    ...results
      .filter((r) => r.outcome === 'failed')
      .map((r) =>
        buildGuardEvent(GUARD_DETAIL_TYPES.scheduleActionFailed, {
          job: 'pause-resume',
          outcome: 'failed',
          action: r.action,
          reason: `${r.name}: ${r.reason}`,
          service: serviceRef(r.arn),
          trigger,
          dryRun: settings.dryRun,
          details: { schedule: payload.schedule, scheduledTime: payload.scheduledTime, status: r.status },
        }),
      ),
  ];
  await ports.publisher.publish(entries);

  ctx.logger.info('schedule run', {
    schedule: payload.schedule,
    desired: desired.state,
    counts,
    followUp,
    overrideEnds,
  });
  return {
    outcome,
    reason,
    counts,
    desired: desired.state,
    services: reported,
    ...(failedTargets.length > 0
      ? { failedTargets: failedTargets.map((o) => ({ ...o.target, error: describeError(o.error) })) }
      : {}),
    ...(followUp ? { followUp } : {}),
    ...(overrideEnds.length > 0 ? { overrideEnds } : {}),
  };
}

/**
 * For each service an override kept out of this run: when the schedule wants it paused at the
 * override's end, a wake-up then ({@link overrideEndWake}), so it is paused within minutes of the
 * end rather than at the next pause fire. Every run that sees the same override asks for the same
 * schedule, so it exists once. Dry-run says what it would schedule.
 */
async function wakeAtOverrideEnds(
  results: ServiceResult[],
  payload: PauseResumePayload,
  at: Date,
  ports: PauseResumePorts,
  settings: PauseResumeSettings,
  backoff: { attempts: number; baseMs: number; sleep: (ms: number) => Promise<void> },
): Promise<Array<{ service: string; at: string; schedule?: string }>> {
  const wanted = results.flatMap((r) => {
    if (!r.overrideUntil) return [];
    const request = overrideEndWake({
      service: { arn: r.arn, name: r.name },
      schedule: payload.schedule,
      definition: payload.definition,
      until: r.overrideUntil,
      now: at,
    });
    return request ? [{ r, request }] : [];
  });
  return mapWithConcurrency(wanted, settings.maxConcurrency, async ({ r, request }) => {
    if (settings.dryRun) {
      r.reason = `${r.reason}; would wake at ${request.at.toISOString()} to pause it`;
      return { service: r.name, at: request.at.toISOString() };
    }
    const wake = await withBackoff(() => ports.wakeUps.wakeAt(request), backoff);
    r.reason = `${r.reason}; the guard wakes at ${wake.at.toISOString()} to pause it (schedule ${wake.name})`;
    return { service: r.name, at: wake.at.toISOString(), schedule: wake.name };
  });
}
