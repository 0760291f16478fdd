import type { OperationStatusValue, OperationType } from './app-runner.ts';
import type { BusRecord, EventOrigin } from './bus.ts';
import type { BusEvent } from './eventbridge.ts';
import type { ApiCall } from './http.ts';
import type { ImageRecord } from './images.ts';
import type { FailedInvocation, Invocation } from './lambda.ts';
import type { ScheduleLogEntry, SimSchedule } from './scheduler.ts';
import type { SlackMessage, SlackRejection } from './slack.ts';
import type { SlackApiCall } from './slack-api.ts';
import type { SnsMessage } from './sns.ts';
import type { SlackActionRecord } from './steps/step-kind.ts';

/** A guard event's decision, as the timeline shows it. */
export interface GuardDecision {
  job: string;
  outcome: string;
  action: string;
  reason: string;
  dryRun: boolean;
}

/** One line of the timeline, in the order things happened. */
export type TimelineEntry =
  | { time: string; kind: 'step'; text: string; ok: boolean; error?: string }
  | { time: string; kind: 'note'; text: string; service?: string }
  | {
      time: string;
      kind: 'event';
      origin: EventOrigin;
      id: string;
      source: string;
      detailType: string;
      summary: string;
      service?: string;
      message?: string;
      guard?: GuardDecision;
      targets: string[];
    }
  | {
      time: string;
      kind: 'invocation';
      function: string;
      attempt: number;
      trigger: string;
      duplicate: boolean;
      outcome: string;
      reason: string;
    }
  | { time: string; kind: 'on-failure'; function: string; attempts: number; error: string; trigger: string }
  | { time: string; kind: 'sns'; subject?: string; message: string; attributes: Record<string, string> }
  | { time: string; kind: 'slack'; text: string; summary: string }
  | { time: string; kind: 'slack-refused'; status: number; reason: string }
  | {
      time: string;
      kind: 'slack-api';
      method: string;
      channel?: string;
      ts?: string;
      threadTs?: string;
      /** `ok` or Slack's error code. */
      result: string;
      text: string;
    }
  | {
      time: string;
      kind: 'schedule';
      action: ScheduleLogEntry['kind'];
      name: string;
      expression: string;
      timezone: string;
      scheduledTime?: string;
      reason?: string;
    }
  | { time: string; kind: 'fault'; api: string; operation: string; fault: string; status: number };

/** A service at the end of the run. */
export interface FleetEntry {
  name: string;
  /** The target the service is in. */
  account: string;
  region: string;
  arn: string;
  status: string;
  source: 'image' | 'code';
  /** The configured image identifier (or repository#branch). */
  configured: string;
  /** The configured image with the scenario's digest label, for reading (`payments@good-v1`). */
  configuredLabel: string;
  /** What actually serves traffic: a digest (or commit label). */
  running?: string;
  runningLabel?: string;
  tags: Record<string, string>;
  operations: Array<{
    id: string;
    type: OperationType;
    status: OperationStatusValue;
    startedAt: string;
    endedAt?: string;
  }>;
}

/** Outcome of the scenario's `expect:` block. */
export interface ExpectationResult {
  passed: boolean;
  /** One sentence per failed expectation. */
  failures: string[];
  /** Expectations marked `pending`: evaluated, reported, never failing the run. */
  pending: Array<{ expectation: string; wouldPass: boolean; note?: string; detail?: string }>;
  /** How many expectations were checked (pending ones excluded). */
  checked: number;
}

/** Everything a scenario run produced (`guard sandbox --json` prints this). */
export interface SandboxReport {
  scenario: { name: string; description?: string; file?: string; seed: number | string };
  start: string;
  end: string;
  /** Real milliseconds the run took. */
  elapsedMs: number;
  timeline: TimelineEntry[];
  /** Every event on the bus with the functions its rules matched. */
  events: BusRecord[];
  appRunnerEvents: BusEvent[];
  guardEvents: BusEvent[];
  invocations: Invocation[];
  /** On-failure records: async invocations that failed every attempt (what would reach the DLQ). */
  failedInvocations: FailedInvocation[];
  snsMessages: SnsMessage[];
  /** `settings.slack`: which of the two Slack lists below the guard used. */
  slackMode: 'webhook' | 'app';
  /** Webhook mode: the messages the incoming webhook accepted, and the requests it refused. */
  slackMessages: SlackMessage[];
  slackRejections: SlackRejection[];
  /** App mode: every Web API call (method, channel, ts, threadTs, result). */
  slackCalls: SlackApiCall[];
  /** Slack interaction requests sent by `slackAction` steps, with the HTTP status and outcome. */
  slackActions: SlackActionRecord[];
  schedules: { log: ScheduleLogEntry[]; remaining: SimSchedule[] };
  /** CloudWatch alarms at the end: name, state, tags (and a spoke's account and region). */
  alarms: Array<{
    name: string;
    state: string;
    tags: Record<string, string>;
    account?: string;
    region?: string;
  }>;
  apiCalls: ApiCall[];
  images: ImageRecord[];
  fleet: FleetEntry[];
  /** The hub: the scenario's account and region (plain service names are its). */
  hub?: { account: string; region: string };
  /** Clock tasks still pending at the end (e.g. a deletion scheduled after `end`). */
  pending: Array<{ at: string; label: string }>;
  expectations: ExpectationResult;
}
