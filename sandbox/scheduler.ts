import { nextFireTime, parseScheduleExpression } from '../lib/schedule/cron.ts';
import { isValidTimeZone } from '../lib/schedule/time-zone.ts';
import type { SimClock, TaskHandle } from './clock.ts';
import {
  ApiError,
  type HttpRequest,
  type HttpResponse,
  type Protocol,
  parseJsonBody,
  requestId,
} from './http.ts';

/** Scheduler's REST-JSON protocol: operations by method and path, errors in `x-amzn-errortype`. */
export const schedulerProtocol: Protocol = {
  operationOf(req) {
    const one = /^\/schedules\/[^/]+$/.test(req.path);
    if (one && req.method === 'POST') return 'CreateSchedule';
    if (one && req.method === 'GET') return 'GetSchedule';
    if (one && req.method === 'DELETE') return 'DeleteSchedule';
    if (one && req.method === 'PUT') return 'UpdateSchedule';
    if (req.path === '/schedules' && req.method === 'GET') return 'ListSchedules';
    return undefined;
  },
  errorResponse(error) {
    return {
      status: error.status,
      headers: {
        'content-type': 'application/json',
        'x-amzn-errortype': error.code,
        'x-amzn-requestid': requestId(),
      },
      body: JSON.stringify({ Message: error.message }),
    };
  },
  faultError(kind) {
    if (kind === 'serverError')
      return new ApiError('InternalServerException', 'Unexpected error (injected by the sandbox).', 500);
    return new ApiError('ThrottlingException', 'Rate exceeded', 429);
  },
};

/** A schedule held by the stand-in: created through the API, or deployed with the stack. */
export interface SimSchedule {
  name: string;
  group: string;
  arn: string;
  expression: string;
  timezone: string;
  state: 'ENABLED' | 'DISABLED';
  targetArn: string;
  roleArn: string;
  input?: string;
  actionAfterCompletion: 'NONE' | 'DELETE';
  flexibleWindow: { Mode: string; MaximumWindowInMinutes?: number };
  description?: string;
  startDate?: number;
  endDate?: number;
  createdAt: number;
  /** `api` (created by the guard) or `deployed` (part of the stack, e.g. the cleanup sweep). */
  origin: 'api' | 'deployed';
  fired: number;
}

/** One thing that happened to a schedule. */
export interface ScheduleLogEntry {
  time: string;
  kind: 'created' | 'deployed' | 'fired' | 'deleted' | 'never-fires';
  name: string;
  group: string;
  expression: string;
  timezone: string;
  /** For `fired`: the scheduled time substituted into the input. */
  scheduledTime?: string;
  reason?: string;
}

/** What the Scheduler stand-in is wired to. */
export interface SchedulerDeps {
  clock: SimClock;
  account: string;
  region: string;
  groups: ReadonlySet<string>;
  nextId(): string;
  /** Invokes the target (async, Lambda-style) with the substituted payload. */
  invoke(schedule: SimSchedule, payload: unknown, scheduledTime: string): void;
  observe?(entry: ScheduleLogEntry): void;
}

const NAME = /^[0-9a-zA-Z-_.]{1,64}$/;
const schedulerTime = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

/**
 * EventBridge Scheduler stand-in (REST-JSON): CreateSchedule, GetSchedule, DeleteSchedule,
 * ListSchedules. Schedules fire on the simulated clock in their own time zone (cron, rate and
 * `at()`, evaluated by `lib/schedule/cron.ts`), invoke their target with the input and
 * `<aws.scheduler.*>` placeholders substituted, and `ActionAfterCompletion: DELETE` removes a
 * one-time schedule after it ran.
 */
export class SchedulerStandIn {
  private readonly schedules = new Map<string, SimSchedule & { task?: TaskHandle }>();
  readonly log: ScheduleLogEntry[] = [];

  constructor(private readonly deps: SchedulerDeps) {}

  /** Every schedule still present. */
  list(): SimSchedule[] {
    return [...this.schedules.values()].map(({ task: _task, ...s }) => s);
  }

  async dispatch(operation: string, req: HttpRequest): Promise<HttpResponse> {
    const json = (body: unknown): HttpResponse => ({
      status: 200,
      headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId() },
      body: JSON.stringify(body),
    });
    const name = decodeURIComponent(req.path.split('/')[2] ?? '');
    switch (operation) {
      case 'CreateSchedule': {
        const input = parseJsonBody(req);
        const s = this.create(name, input, 'api');
        return json({ ScheduleArn: s.arn });
      }
      case 'GetSchedule': {
        const s = this.get(req.query.get('groupName') ?? 'default', name);
        return json(this.view(s));
      }
      case 'DeleteSchedule': {
        const group = req.query.get('groupName') ?? 'default';
        this.get(group, name);
        this.remove(group, name, 'deleted by the caller');
        return json({});
      }
      case 'ListSchedules': {
        const group = req.query.get('ScheduleGroup');
        const prefix = req.query.get('NamePrefix') ?? '';
        const items = this.list().filter((s) => (!group || s.group === group) && s.name.startsWith(prefix));
        return json({
          Schedules: items.map((s) => ({
            Arn: s.arn,
            Name: s.name,
            GroupName: s.group,
            State: s.state,
            CreationDate: s.createdAt / 1000,
            LastModificationDate: s.createdAt / 1000,
            Target: { Arn: s.targetArn },
          })),
        });
      }
      default:
        throw new ApiError('ValidationException', `The sandbox does not simulate Scheduler ${operation}`);
    }
  }

  private get(group: string, name: string) {
    const s = this.schedules.get(`${group}/${name}`);
    if (!s) throw new ApiError('ResourceNotFoundException', `Schedule ${name} does not exist.`, 404);
    return s;
  }

  private view(s: SimSchedule) {
    return {
      Arn: s.arn,
      Name: s.name,
      GroupName: s.group,
      ScheduleExpression: s.expression,
      ScheduleExpressionTimezone: s.timezone,
      State: s.state,
      ActionAfterCompletion: s.actionAfterCompletion,
      FlexibleTimeWindow: s.flexibleWindow,
      CreationDate: s.createdAt / 1000,
      LastModificationDate: s.createdAt / 1000,
      ...(s.description ? { Description: s.description } : {}),
      ...(s.startDate === undefined ? {} : { StartDate: s.startDate / 1000 }),
      ...(s.endDate === undefined ? {} : { EndDate: s.endDate / 1000 }),
      Target: { Arn: s.targetArn, RoleArn: s.roleArn, ...(s.input === undefined ? {} : { Input: s.input }) },
    };
  }

  /**
   * Creates a schedule from a CreateSchedule body (also used for the stack's own schedules, with
   * `origin: 'deployed'`).
   */
  create(name: string, input: Record<string, unknown>, origin: 'api' | 'deployed'): SimSchedule {
    if (!NAME.test(name)) throw new ApiError('ValidationException', `Invalid schedule name ${name}`);
    const group = typeof input.GroupName === 'string' ? input.GroupName : 'default';
    if (!this.deps.groups.has(group))
      throw new ApiError('ResourceNotFoundException', `Schedule group ${group} does not exist.`, 404);
    if (this.schedules.has(`${group}/${name}`))
      throw new ApiError('ConflictException', `Schedule ${name} already exists.`, 409);
    const expression = input.ScheduleExpression;
    if (typeof expression !== 'string')
      throw new ApiError('ValidationException', 'ScheduleExpression is required');
    try {
      parseScheduleExpression(expression);
    } catch (error) {
      throw new ApiError(
        'ValidationException',
        `Invalid Schedule Expression ${expression}: ${(error as Error).message}`,
      );
    }
    const timezone =
      typeof input.ScheduleExpressionTimezone === 'string' ? input.ScheduleExpressionTimezone : 'UTC';
    if (!isValidTimeZone(timezone))
      throw new ApiError('ValidationException', `Invalid ScheduleExpressionTimezone ${timezone}`);
    const window = input.FlexibleTimeWindow as
      | { Mode?: unknown; MaximumWindowInMinutes?: unknown }
      | undefined;
    if (!window || (window.Mode !== 'OFF' && window.Mode !== 'FLEXIBLE')) {
      throw new ApiError('ValidationException', 'FlexibleTimeWindow with Mode OFF or FLEXIBLE is required');
    }
    const target = input.Target as { Arn?: unknown; RoleArn?: unknown; Input?: unknown } | undefined;
    if (!target || typeof target.Arn !== 'string' || typeof target.RoleArn !== 'string') {
      throw new ApiError('ValidationException', 'Target with Arn and RoleArn is required');
    }
    if (target.Input !== undefined && typeof target.Input !== 'string') {
      throw new ApiError('ValidationException', 'Target.Input must be a string');
    }
    const after = input.ActionAfterCompletion ?? 'NONE';
    if (after !== 'NONE' && after !== 'DELETE')
      throw new ApiError('ValidationException', 'ActionAfterCompletion must be NONE or DELETE');
    const now = this.deps.clock.now;
    const s: SimSchedule & { task?: TaskHandle } = {
      name,
      group,
      arn: `arn:aws:scheduler:${this.deps.region}:${this.deps.account}:schedule/${group}/${name}`,
      expression,
      timezone,
      state: input.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
      targetArn: target.Arn,
      roleArn: target.RoleArn,
      ...(typeof target.Input === 'string' ? { input: target.Input } : {}),
      actionAfterCompletion: after,
      flexibleWindow: {
        Mode: window.Mode,
        ...(typeof window.MaximumWindowInMinutes === 'number'
          ? { MaximumWindowInMinutes: window.MaximumWindowInMinutes }
          : {}),
      },
      ...(typeof input.Description === 'string' ? { description: input.Description } : {}),
      ...(typeof input.StartDate === 'number' ? { startDate: input.StartDate * 1000 } : {}),
      ...(typeof input.EndDate === 'number' ? { endDate: input.EndDate * 1000 } : {}),
      createdAt: now,
      origin,
      fired: 0,
    };
    this.schedules.set(`${group}/${name}`, s);
    this.logEntry(origin === 'api' ? 'created' : 'deployed', s);
    this.arm(s, now);
    return s;
  }

  private logEntry(kind: ScheduleLogEntry['kind'], s: SimSchedule, extra: Partial<ScheduleLogEntry> = {}) {
    const entry: ScheduleLogEntry = {
      time: new Date(this.deps.clock.now).toISOString(),
      kind,
      name: s.name,
      group: s.group,
      expression: s.expression,
      timezone: s.timezone,
      ...extra,
    };
    this.log.push(entry);
    this.deps.observe?.(entry);
  }

  private arm(s: SimSchedule & { task?: TaskHandle }, after: number) {
    // A schedule due exactly when it is created fires (nextFireTime is strictly after `from`).
    const from =
      s.startDate !== undefined && s.startDate > after
        ? s.startDate - 1
        : s.fired === 0 && !s.expression.startsWith('rate(')
          ? after - 1
          : after;
    const next = nextFireTime(s.expression, s.timezone, new Date(from), {
      start: new Date(s.startDate ?? s.createdAt),
    });
    if (!next || (s.endDate !== undefined && next.getTime() > s.endDate)) {
      if (s.fired === 0) this.logEntry('never-fires', s, { reason: 'its time is in the past' });
      return;
    }
    s.task = this.deps.clock.schedule(next.getTime(), `schedule ${s.group}/${s.name}`, () =>
      this.fire(s, next.getTime()),
    );
  }

  private fire(s: SimSchedule & { task?: TaskHandle }, at: number) {
    if (this.schedules.get(`${s.group}/${s.name}`) !== s) return;
    const scheduledTime = schedulerTime(at);
    if (s.state === 'ENABLED') {
      s.fired++;
      this.logEntry('fired', s, { scheduledTime });
      const text = (s.input ?? '{}')
        .replaceAll('<aws.scheduler.scheduled-time>', scheduledTime)
        .replaceAll('<aws.scheduler.schedule-arn>', s.arn)
        .replaceAll('<aws.scheduler.execution-id>', this.deps.nextId())
        .replaceAll('<aws.scheduler.attempt-number>', '0');
      let payload: unknown = text;
      try {
        payload = JSON.parse(text);
      } catch {}
      this.deps.invoke(s, payload, scheduledTime);
    }
    if (s.expression.startsWith('at(')) {
      if (s.actionAfterCompletion === 'DELETE') this.remove(s.group, s.name, 'ActionAfterCompletion DELETE');
      return;
    }
    this.arm(s, at);
  }

  private remove(group: string, name: string, reason: string) {
    const s = this.schedules.get(`${group}/${name}`);
    if (!s) return;
    s.task?.cancel();
    this.schedules.delete(`${group}/${name}`);
    this.logEntry('deleted', s, { reason });
  }
}
