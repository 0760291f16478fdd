/**
 * The guard's own events (docs/architecture.md, "Guard events"): one detail shape for every job,
 * one schema the notifier parses with, and the one builder every job publishes through.
 *
 * The builder applies the schema's bounds before validating, so a published event can never be
 * rejected downstream: free text (reason, trigger, every string in `details`) is cut to its bound
 * with a visible marker, `details` is bounded in depth, width and size. Identity (job, outcome,
 * detail-type, the service) is strict: a wrong value is a bug and throws at build time.
 */
import * as z from '../zod.ts';
import { GUARD_EVENT_OUTCOMES, type GuardEventOutcome } from './outcomes.ts';
import { cutText, normalizeText } from './text.ts';

/** `source` of the guard's own events. */
export const GUARD_SOURCE = 'apprunner-guard';

export const JOBS = [
  'rollback',
  'record-release',
  'fix-forward',
  'cleanup',
  'pause-resume',
  'notify',
  'slack-actions',
] as const;
export type Job = (typeof JOBS)[number];

/** Detail-types of the guard's events: they read as what happened. */
export const GUARD_DETAIL_TYPES = {
  rollbackCompleted: 'Rollback Completed',
  rollbackSkipped: 'Rollback Skipped',
  rollbackFailed: 'Rollback Failed',
  releaseRecorded: 'Release Recorded',
  releaseRecordingFailed: 'Release Recording Failed',
  /** A candidate baked its window with no alarm: now known-good, a rollback target (info). */
  releasePromoted: 'Release Promoted',
  /** A bake ended with an alarm firing (or the candidate gone): it stays a candidate. */
  releaseNotPromoted: 'Release Not Promoted',
  /** A bake started while one of its alarms was already in ALARM: not blamed on the deployment. */
  bakeAlarmAlreadyFiring: 'Bake Alarm Already Firing',
  /** The guard deleted its default alarm of a service: opt-in removed, replaced, or service gone (info). */
  bakeAlarmRetired: 'Bake Alarm Retired',
  pinReleased: 'Pin Released',
  pinKept: 'Pin Kept',
  fixForwardFailed: 'Fix Forward Failed',
  deletionScheduled: 'Failed Service Deletion Scheduled',
  serviceDeleted: 'Failed Service Deleted',
  serviceKept: 'Failed Service Kept',
  cleanupFailed: 'Cleanup Failed',
  scheduleRunCompleted: 'Schedule Run Completed',
  scheduleActionFailed: 'Schedule Action Failed',
  /** Before a schedule pauses services: which ones, so a human can keep them running. */
  pauseHeadsUp: 'Pause Heads-up',
  quotaWarning: 'Service Quota Warning',
  notificationFailed: 'Notification Failed',
  /** One per Slack action taken (or found already done, or skipped), naming the Slack user. */
  slackActionTaken: 'Slack Action Taken',
  /** A signed request from someone the allowlist does not admit: nothing changed. */
  slackActionRefused: 'Slack Action Refused',
  slackActionFailed: 'Slack Action Failed',
} as const;
export type GuardDetailType = (typeof GUARD_DETAIL_TYPES)[keyof typeof GUARD_DETAIL_TYPES];
export const GUARD_DETAIL_TYPE_VALUES = Object.values(GUARD_DETAIL_TYPES) as [
  GuardDetailType,
  ...GuardDetailType[],
];

/** The detail-type of a job's terminal failure (what the handler stack publishes). */
export const FAILURE_DETAIL_TYPE: Record<Job, GuardDetailType> = {
  rollback: GUARD_DETAIL_TYPES.rollbackFailed,
  'record-release': GUARD_DETAIL_TYPES.releaseRecordingFailed,
  'fix-forward': GUARD_DETAIL_TYPES.fixForwardFailed,
  cleanup: GUARD_DETAIL_TYPES.cleanupFailed,
  'pause-resume': GUARD_DETAIL_TYPES.scheduleActionFailed,
  notify: GUARD_DETAIL_TYPES.notificationFailed,
  'slack-actions': GUARD_DETAIL_TYPES.slackActionFailed,
};

/** The bounds of a guard event's detail; the schema and the builder both use these. */
export const GUARD_EVENT_LIMITS = {
  actionChars: 64,
  reasonChars: 2000,
  triggerChars: 512,
  /** Any string inside `details`. */
  detailStringChars: 1000,
  /** Keys of one object and items of one array inside `details` (a schedule run lists 100 services). */
  detailEntries: 100,
  detailKeyChars: 100,
  /** Nesting below `details` itself (`details.a.b.c` is depth 3). */
  detailDepth: 4,
  /** `JSON.stringify(details)` in UTF-16 code units: well inside EventBridge's 256 KB per entry. */
  detailChars: 64_000,
} as const;

const serviceSchema = z.object({
  arn: z.string().check(z.minLength(1), z.maxLength(2048)),
  name: z.string().check(z.minLength(1), z.maxLength(64)),
  region: z.string().check(z.minLength(1), z.maxLength(32)),
  account: z.string().check(z.regex(/^\d{12}$/)),
});

const whereSchema = z.object({
  account: z.string().check(z.regex(/^\d{12}$/)),
  region: z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/)),
});

/** Depth, width and string bounds of a `details` value (the schema's check and the builder's goal). */
function detailsProblem(value: unknown, depth = 0): string | undefined {
  if (typeof value === 'string') {
    return value.length > GUARD_EVENT_LIMITS.detailStringChars ? 'a string is too long' : undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  if (depth >= GUARD_EVENT_LIMITS.detailDepth) return 'nested too deep';
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  if (entries.length > GUARD_EVENT_LIMITS.detailEntries) return 'too many entries';
  for (const [k, v] of entries) {
    if (k.length > GUARD_EVENT_LIMITS.detailKeyChars) return 'a key is too long';
    const p = detailsProblem(v, depth + 1);
    if (p) return p;
  }
  return undefined;
}

const detailsSchema = z.record(z.string(), z.unknown()).check(
  z.refine((d) => detailsProblem(d, 0) === undefined, { message: 'details exceed their bounds' }),
  z.refine((d) => JSON.stringify(d).length <= GUARD_EVENT_LIMITS.detailChars, {
    message: `details exceed ${GUARD_EVENT_LIMITS.detailChars} characters`,
  }),
);

/** The one detail shape of every guard event, as the notifier parses it (docs/architecture.md, "Guard events"). */
export const guardDetailSchema = z.object({
  job: z.enum(JOBS),
  outcome: z.enum(GUARD_EVENT_OUTCOMES),
  action: z.string().check(z.minLength(1), z.maxLength(GUARD_EVENT_LIMITS.actionChars)),
  // Free text: normalised to its bound when parsed, never a reason to lose the event (the builder
  // has already cut what it publishes).
  reason: z.pipe(
    z.string().check(z.minLength(1)),
    z.transform((s) => normalizeText(s, GUARD_EVENT_LIMITS.reasonChars)),
  ),
  service: z.optional(serviceSchema),
  /**
   * The account and region the event is about (docs/architecture.md, "Many accounts and regions"):
   * the service's when there is one, else the target a fleet run or sweep acted in. Absent only on
   * events about the guard as a whole (a run across every target, a failed notification).
   */
  where: z.optional(whereSchema),
  trigger: z.pipe(
    z.string(),
    z.transform((s) => normalizeText(s, GUARD_EVENT_LIMITS.triggerChars)),
  ),
  dryRun: z.boolean(),
  details: z._default(detailsSchema, {}),
});
export type GuardEventDetail = z.infer<typeof guardDetailSchema>;

/** The service as a guard event names it. */
export type GuardEventService = NonNullable<GuardEventDetail['service']>;

/** Projects a service (an event's, or a parsed ARN) onto the guard event's `service` field. */
export function guardServiceOf(ref: GuardEventService): GuardEventService {
  return { arn: ref.arn, name: ref.name, region: ref.region, account: ref.account };
}

declare const built: unique symbol;

/**
 * A guard event ready for `PutEvents`. Only {@link buildGuardEvent} makes one (the brand), so
 * the publisher port cannot be handed an event that skipped the bounds.
 */
export interface GuardEventEntry {
  readonly detailType: GuardDetailType;
  readonly detail: GuardEventDetail;
  readonly [built]: true;
}

/** What a job says about what it did; the builder bounds and validates it. */
export interface GuardEventInput {
  job: Job;
  outcome: GuardEventOutcome;
  /** What was (or, in dry-run, would have been) done: `pin-image`, `pause`, `none`… */
  action: string;
  /** One human sentence: why this outcome. Any length: it is cut to the bound. */
  reason: string;
  /** The service (any object with these four fields: a parsed event's, a parsed ARN). */
  service?: GuardEventService | undefined;
  /** The account and region, when there is no service (a target's sweep or fleet run); else the service's. */
  where?: { account: string; region: string } | undefined;
  trigger: string;
  dryRun: boolean;
  /** Job-specific facts; `undefined` values are dropped, anything else is bounded. */
  details?: Record<string, unknown>;
}

/** A JSON-safe, bounded copy of one `details` value. */
function boundValue(value: unknown, depth: number, seen: Set<object>): unknown {
  const L = GUARD_EVENT_LIMITS;
  if (typeof value === 'string') return cutText(value, L.detailStringChars);
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'boolean' || value === null) return value;
  if (typeof value === 'bigint') return value.toString();
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (value instanceof Error) return cutText(`${value.name}: ${value.message}`, L.detailStringChars);
  const obj = value as object;
  if (seen.has(obj)) return '[circular]';
  if (depth >= L.detailDepth) return cutText(safeJson(obj), L.detailStringChars);
  seen.add(obj);
  try {
    if (Array.isArray(obj)) {
      const items = obj.slice(0, L.detailEntries).map((v) => boundValue(v, depth + 1, seen) ?? null);
      if (obj.length > L.detailEntries)
        items[items.length - 1] = `… ${obj.length - L.detailEntries + 1} more`;
      return items;
    }
    return boundRecord(obj as Record<string, unknown>, depth, seen);
  } finally {
    seen.delete(obj);
  }
}

function boundRecord(
  record: Record<string, unknown>,
  depth: number,
  seen: Set<object>,
): Record<string, unknown> {
  const L = GUARD_EVENT_LIMITS;
  const out: Record<string, unknown> = {};
  let kept = 0;
  let dropped = 0;
  for (const [key, raw] of Object.entries(record)) {
    const v = boundValue(raw, depth + 1, seen);
    if (v === undefined) continue;
    if (kept >= L.detailEntries - 1) {
      dropped++;
      continue;
    }
    out[cutText(key, L.detailKeyChars)] = v;
    kept++;
  }
  if (dropped > 0) out['…'] = `${dropped} more entries cut`;
  return out;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return '[unserialisable]';
  }
}

/**
 * Bounds `details`: every value bounded, then — if the whole is still too large — only its scalar
 * entries, then a marker alone. What was cut is said in `detailsCut`.
 */
export function boundDetails(details: Record<string, unknown> | undefined): Record<string, unknown> {
  if (details === undefined) return {};
  const bounded = boundRecord(details, 0, new Set());
  const fits = (d: Record<string, unknown>) => JSON.stringify(d).length <= GUARD_EVENT_LIMITS.detailChars;
  if (fits(bounded)) return bounded;
  const scalars: Record<string, unknown> = { detailsCut: 'nested details were too large and were cut' };
  for (const [k, v] of Object.entries(bounded)) {
    if (v === null || typeof v !== 'object') scalars[k] = v;
  }
  if (fits(scalars)) return scalars;
  return { detailsCut: 'details were too large and were cut' };
}

/**
 * THE way to build a guard event: bounds every free-text field and `details`, projects the service,
 * then validates against the schema the notifier parses with.
 *
 * @throws TypeError when an identity field is wrong (unknown job, outcome or detail-type, a bad
 *   service): a bug in the caller, never a property of the input text.
 */
export function buildGuardEvent(detailType: GuardDetailType, input: GuardEventInput): GuardEventEntry {
  const L = GUARD_EVENT_LIMITS;
  const candidate = {
    job: input.job,
    outcome: input.outcome,
    action: cutText(input.action || 'none', L.actionChars),
    reason: cutText(input.reason.trim() || '(no reason given)', L.reasonChars),
    ...(input.service ? { service: guardServiceOf(input.service) } : {}),
    ...(input.service
      ? { where: { account: input.service.account, region: input.service.region } }
      : input.where
        ? { where: { account: input.where.account, region: input.where.region } }
        : {}),
    trigger: cutText(input.trigger, L.triggerChars),
    dryRun: input.dryRun,
    details: boundDetails(input.details),
  };
  if (!GUARD_DETAIL_TYPE_VALUES.includes(detailType)) {
    throw new TypeError(`guard event: unknown detail-type ${JSON.stringify(detailType)}`);
  }
  const r = guardDetailSchema.safeParse(candidate);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new TypeError(`guard event: ${issue.path.map(String).join('.') || '(detail)'}: ${issue.message}`);
  }
  return { detailType, detail: r.data } as GuardEventEntry;
}

/** Port: publishes the guard's own events (its audit trail and the notifier's input). */
export interface GuardEventPublisher {
  publish(entries: readonly GuardEventEntry[]): Promise<void>;
}
