/**
 * The acceptance suite's view of "an AWS account with the guard deployed in it". The flows in
 * `flows.ts` are written once against this interface; `sandbox-target.ts` runs them on the
 * sandbox's simulated clock, `real-target.ts` against a real account.
 */

/** An EventBridge event as a rule delivers it (App Runner's or the guard's own). */
export interface SeenEvent {
  id: string;
  source: string;
  'detail-type': string;
  account: string;
  region: string;
  time: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/** One SNS alert the guard published. */
export interface Alert {
  subject: string;
  message: string;
  attributes: Record<string, string>;
}

/** What the suite has observed so far; conditions are evaluated on it. */
export interface Snapshot {
  /** Status of a service the flow created (`DELETED` once it is gone; `undefined` before it exists). */
  status(name: string): string | undefined;
  appRunnerEvents: SeenEvent[];
  guardEvents: SeenEvent[];
  alerts: Alert[];
}

/** A service as DescribeService returns it, reduced to what the flows check. */
export interface ServiceView {
  name: string;
  arn: string;
  status: string;
  imageIdentifier: string;
}

/** A service the flow asks for; the image is `<repository>:<tag>` of a repository it created. */
export interface ServiceSpec {
  name: string;
  repository: string;
  tag: string;
  autoDeploy: boolean;
  tags?: Record<string, string>;
}

/** A pause/resume schedule in `infra/schedules.yml` form (cron in `timezone`). */
export interface ScheduleSpec {
  name: string;
  timezone: string;
  pause: string;
  resume: string;
}

/** The operations a flow needs; every name a target creates starts with {@link Target.prefix}. */
export interface Target {
  readonly kind: 'sandbox' | 'real';
  /** Unique per run: every resource created is named `<prefix>-…`. */
  readonly prefix: string;
  /** Minutes the deployed guard keeps a CREATE_FAILED service before deleting it. */
  readonly graceMinutes: number;
  /** `<prefix>-<suffix>`. */
  name(suffix: string): string;
  /** The target's current time (simulated in the sandbox). */
  now(): Date;
  /** Creates an image repository named `<prefix>-<suffix>`; returns its URI (`<registry>/<name>`). */
  createRepository(suffix: string): Promise<string>;
  /** Pushes an image that starts and passes health checks (`good`) or fails them (`bad`) to `repository:tag`; returns its digest. */
  pushImage(repository: string, tag: string, kind: 'good' | 'bad'): Promise<string>;
  createService(spec: ServiceSpec): Promise<void>;
  /** Creates the pause/resume schedule's Scheduler jobs, invoking the deployed pause-resume function. */
  createSchedule(spec: ScheduleSpec): Promise<void>;
  /**
   * Waits until `condition` holds, for at most `timeoutMs` of the target's time, and returns the
   * snapshot it held on. Throws, naming `description` and what was seen, on timeout.
   */
  waitFor(description: string, condition: (s: Snapshot) => boolean, timeoutMs: number): Promise<Snapshot>;
  describeService(name: string): Promise<ServiceView | undefined>;
  /** Every App Runner event seen so far (recorded as fixtures by the runner). */
  recordedEvents(): SeenEvent[];
  /** Deletes everything the target created; returns what it could not delete (empty when clean). */
  cleanup(): Promise<string[]>;
}

/** The service name an App Runner or guard event is about (either detail spelling). */
export function serviceNameOf(e: SeenEvent): string | undefined {
  const d = e.detail;
  const name = d.ServiceName ?? d.serviceName ?? (d.service as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' ? name : undefined;
}

/** The current status an App Runner service status change event reports (either spelling). */
export function currentStatusOf(e: SeenEvent): string | undefined {
  const s = e.detail.CurrentStatus ?? e.detail.currentServiceStatus;
  return typeof s === 'string' ? s : undefined;
}

/** The guard's events of one detail-type about one service. */
export function guardEventsAbout(s: Snapshot, service: string, detailType: string): SeenEvent[] {
  return s.guardEvents.filter((e) => e['detail-type'] === detailType && serviceNameOf(e) === service);
}

/** Alerts whose subject names the detail-type and the service. */
export function alertsAbout(s: Snapshot, service: string, detailType: string): Alert[] {
  return s.alerts.filter((a) => a.subject.includes(detailType) && a.subject.includes(service));
}

/** A short account of a snapshot, for a timeout message: each service's status and the guard's events. */
export function describeSnapshot(s: Snapshot, services: readonly string[]): string {
  const statuses = services.map((n) => `${n}=${s.status(n) ?? 'not seen'}`).join(', ');
  const guard = s.guardEvents.map((e) => `${e['detail-type']}(${serviceNameOf(e) ?? 'fleet'})`).join(', ');
  return `statuses: ${statuses || 'none'}; guard events: ${guard || 'none'}; alerts: ${s.alerts.length}`;
}
