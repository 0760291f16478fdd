import { InvalidEventError } from '../core/errors.ts';
import { outsideTargets, type TargetCheck } from '../core/ports/targets.ts';
import { normalizeFreeText } from '../core/text.ts';
import * as z from '../zod.ts';

/** `source` of every event App Runner emits. */
export const APP_RUNNER_SOURCE = 'aws.apprunner';

/** Detail-types App Runner emits on the default bus. */
export const DETAIL_TYPE = {
  serviceStatus: 'AppRunner Service Status Change',
  operationStatus: 'AppRunner Service Operation Status Change',
  customDomain: 'AppRunner Custom Domain Validation Status Update',
} as const;

export const OPERATIONS = [
  'CreateService',
  'DeleteService',
  'UpdateService',
  'Deployment',
  'PauseService',
  'ResumeService',
] as const;
export type OperationName = (typeof OPERATIONS)[number];

export const OPERATION_PHASES = ['Started', 'CompletedSuccessfully', 'Failed'] as const;
export type OperationPhase = (typeof OPERATION_PHASES)[number];

/** All 18 operation statuses: every operation × every phase. */
export const OPERATION_STATUSES = OPERATIONS.flatMap((op) =>
  OPERATION_PHASES.map((phase) => `${op}${phase}` as const),
);
export type OperationStatus = `${OperationName}${OperationPhase}`;

/** The App Runner API's `ServiceStatus` enum. */
export const SERVICE_STATUSES = [
  'CREATE_FAILED',
  'RUNNING',
  'DELETED',
  'DELETE_FAILED',
  'PAUSED',
  'OPERATION_IN_PROGRESS',
] as const;
export type ServiceStatus = (typeof SERVICE_STATUSES)[number];

/** A service as events and results name it. */
export interface ServiceRef {
  arn: string;
  name: string;
  id: string;
  region: string;
  account: string;
}

interface EventBase {
  /** The EventBridge event `id`: the idempotency key. */
  eventId: string;
  time: string;
  service: ServiceRef;
  message?: string;
  severity?: string;
  /** Which spelling of the detail field names the event used. */
  spelling: 'PascalCase' | 'camelCase';
}

/** An `AppRunner Service Operation Status Change` event, normalized. */
export interface OperationStatusEvent extends EventBase {
  kind: 'operation';
  status: OperationStatus;
  operation: OperationName;
  phase: OperationPhase;
}

/** An `AppRunner Service Status Change` event, normalized. */
export interface ServiceStatusEvent extends EventBase {
  kind: 'service-status';
  previousStatus: ServiceStatus;
  currentStatus: ServiceStatus;
}

export type AppRunnerEvent = OperationStatusEvent | ServiceStatusEvent;

const SERVICE_ARN =
  /^arn:(aws|aws-cn|aws-us-gov):apprunner:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):service\/([A-Za-z0-9][A-Za-z0-9_-]{3,39})\/([0-9a-f]{32})$/;

/** Parsed parts of an App Runner service ARN, or `undefined` when it is not one. */
export function parseServiceArn(arn: string): ServiceRef | undefined {
  const m = SERVICE_ARN.exec(arn);
  if (!m) return undefined;
  return { arn, region: m[2]!, account: m[3]!, name: m[4]!, id: m[5]! };
}

/** Bound of an App Runner event's `Message`, cut marker included. */
export const MESSAGE_MAX_CHARS = 4096;
/** Bound of a normalised `Severity`: App Runner sends a short word such as `ERROR`. */
const SEVERITY_MAX_CHARS = 32;

const envelopeSchema = z.object({
  version: z.literal('0'),
  id: z.string().check(z.minLength(1), z.maxLength(128), z.regex(/^[A-Za-z0-9-]+$/, 'not an event id')),
  'detail-type': z.enum([DETAIL_TYPE.serviceStatus, DETAIL_TYPE.operationStatus]),
  source: z.literal(APP_RUNNER_SOURCE),
  account: z.string().check(z.regex(/^\d{12}$/, 'not a 12-digit account id')),
  time: z.iso.datetime({ offset: true }),
  region: z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'not a region')),
  resources: z.array(z.string()).check(z.minLength(1, 'must name the service ARN'), z.maxLength(5)),
  detail: z.record(z.string(), z.unknown()),
});

const commonDetail = {
  serviceName: z
    .string()
    .check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_-]{3,39}$/, 'not an App Runner service name')),
  serviceId: z.string().check(z.regex(/^[0-9a-f]{32}$/, 'not an App Runner service id')),
  // Free text: normalised, never a reason to reject (a cosmetic field must not cost an incident).
  message: z.pipe(
    z.unknown(),
    z.transform((v) => normalizeFreeText(v, MESSAGE_MAX_CHARS)),
  ),
  severity: z.pipe(
    z.unknown(),
    z.transform((v) => normalizeFreeText(v, SEVERITY_MAX_CHARS)),
  ),
};
const operationDetail = z.object({
  ...commonDetail,
  status: z.enum(OPERATION_STATUSES as [OperationStatus, ...OperationStatus[]], {
    error: 'unknown operation status',
  }),
});
const statusEnum = z.enum(SERVICE_STATUSES, { error: 'unknown service status' });
const serviceStatusDetail = z.object({
  ...commonDetail,
  previousStatus: statusEnum,
  currentStatus: statusEnum,
});

/** Internal detail field → its PascalCase and camelCase spellings in real events. */
const SPELLINGS = {
  status: ['Status', 'operationStatus'],
  previousStatus: ['PreviousStatus', 'previousServiceStatus'],
  currentStatus: ['CurrentStatus', 'currentServiceStatus'],
  serviceName: ['ServiceName', 'serviceName'],
  serviceId: ['ServiceId', 'serviceId'],
  message: ['Message', 'message'],
  severity: ['Severity', 'severity'],
} as const;
type InternalField = keyof typeof SPELLINGS;

/**
 * Reads the detail in either spelling into internal names. Keys are matched exactly, as
 * EventBridge patterns match them; an event that mixes both spellings of one field with
 * different values is ambiguous and rejected.
 */
function normalizeDetail(
  detail: Record<string, unknown>,
  fields: readonly InternalField[],
): { values: Record<string, unknown>; spelling: 'PascalCase' | 'camelCase'; keyOf: Map<string, string> } {
  const values: Record<string, unknown> = {};
  const keyOf = new Map<string, string>();
  let pascal = 0;
  let camel = 0;
  for (const field of fields) {
    const [p, c] = SPELLINGS[field];
    const hasP = Object.hasOwn(detail, p);
    const hasC = Object.hasOwn(detail, c);
    if (hasP && hasC && detail[p] !== detail[c]) {
      throw new InvalidEventError(`detail.${p}`, `conflicts with detail.${c}`);
    }
    if (hasP) {
      values[field] = detail[p];
      keyOf.set(field, p);
      pascal++;
    } else if (hasC) {
      values[field] = detail[c];
      keyOf.set(field, c);
      camel++;
    } else {
      keyOf.set(field, p);
    }
  }
  return { values, spelling: camel > pascal ? 'camelCase' : 'PascalCase', keyOf };
}

function firstIssue(error: z.core.$ZodError, rename: (path: string) => string): InvalidEventError {
  const issue = error.issues[0]!;
  const path = issue.path.map(String).join('.') || '(event)';
  const message = issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
  return new InvalidEventError(rename(path), message);
}

/** Options for {@link parseAppRunnerEvent}. */
export interface ParseOptions {
  /** The guard's targets: events from any other account or region are rejected. */
  targets: TargetCheck;
}

/**
 * Validates an App Runner EventBridge event in either detail spelling and normalizes it.
 *
 * Strict on identity, tolerant on text: a foreign source, an account or region outside the
 * targets, a malformed or mismatched
 * ARN, service name or id, or an unknown status is a rejection; `Message` and `Severity` are
 * normalised (see `normalizeText`) and never rejected.
 *
 * @throws InvalidEventError (terminal) naming the offending field.
 */
export function parseAppRunnerEvent(raw: unknown, options: ParseOptions): AppRunnerEvent {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidEventError('(event)', 'is not a JSON object');
  }
  const env = envelopeSchema.safeParse(raw);
  if (!env.success) throw firstIssue(env.error, (p) => p);
  const e = env.data;
  const outside = outsideTargets(options.targets, e.account, e.region);
  if (outside) throw new InvalidEventError(outside.field, outside.message);
  const service = parseServiceArn(e.resources[0]!);
  if (!service) throw new InvalidEventError('resources.0', 'not an App Runner service ARN');
  if (service.account !== e.account || service.region !== e.region) {
    throw new InvalidEventError('resources.0', 'ARN account or region differs from the event');
  }

  const isOperation = e['detail-type'] === DETAIL_TYPE.operationStatus;
  const fields: InternalField[] = isOperation
    ? ['status', 'serviceName', 'serviceId', 'message', 'severity']
    : ['previousStatus', 'currentStatus', 'serviceName', 'serviceId', 'message', 'severity'];
  const { values, spelling, keyOf } = normalizeDetail(e.detail, fields);
  const rename = (path: string) => `detail.${keyOf.get(path.split('.')[0]!) ?? path}`;
  const base = { eventId: e.id, time: e.time, service, spelling } as const;

  const checkService = (name: string, id: string) => {
    if (name !== service.name) throw new InvalidEventError(rename('serviceName'), 'differs from the ARN');
    if (id !== service.id) throw new InvalidEventError(rename('serviceId'), 'differs from the ARN');
  };

  if (isOperation) {
    const d = operationDetail.safeParse(values);
    if (!d.success) throw firstIssue(d.error, rename);
    checkService(d.data.serviceName, d.data.serviceId);
    const phase = OPERATION_PHASES.find((p) => d.data.status.endsWith(p))!;
    return {
      kind: 'operation',
      ...base,
      status: d.data.status,
      operation: d.data.status.slice(0, -phase.length) as OperationName,
      phase,
      ...optional(d.data),
    };
  }
  const d = serviceStatusDetail.safeParse(values);
  if (!d.success) throw firstIssue(d.error, rename);
  checkService(d.data.serviceName, d.data.serviceId);
  return {
    kind: 'service-status',
    ...base,
    previousStatus: d.data.previousStatus,
    currentStatus: d.data.currentStatus,
    ...optional(d.data),
  };
}

function optional(d: { message?: string | undefined; severity?: string | undefined }) {
  return {
    ...(d.message === undefined ? {} : { message: d.message }),
    ...(d.severity === undefined ? {} : { severity: d.severity }),
  };
}

/**
 * Rewrites an App Runner event's detail keys into the camelCase spelling reported from real
 * events (`operationStatus`, `previousServiceStatus`, …). The sandbox emits this shape when a
 * scenario asks for it, and the tests derive the camelCase twin of every PascalCase fixture.
 */
export function toCamelCaseEvent<T extends { detail?: unknown }>(event: T): T {
  const detail = event.detail;
  if (typeof detail !== 'object' || detail === null) return event;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(detail)) {
    const spelling = Object.values(SPELLINGS).find(([pascal]) => pascal === key);
    out[spelling ? spelling[1] : key] = value;
  }
  return { ...event, detail: out };
}
