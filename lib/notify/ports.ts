import type { AlertAction } from './alert.ts';
import type { SlackMessage } from './slack-message.ts';
import type { SnsMessage } from './sns-message.ts';
import type { StormWindow } from './storm.ts';

/** Port: publishes to the alert topic. */
export interface SnsPort {
  publish(message: SnsMessage): Promise<void>;
}

/** Port: posts to the Slack incoming webhook. */
export interface SlackPort {
  /**
   * Posts one message. Throws a retryable error on 429 (when `Retry-After` does not fit in
   * `remainingMs`), 5xx, network errors and timeouts; a terminal error on other 4xx.
   */
  post(message: SlackMessage, options: { remainingMs(): number }): Promise<void>;
}

/**
 * Port: the Slack app's Web API (app mode): posts a message or a thread reply, updates a message.
 * Throws `RetryAfterError` when Slack rate-limits the method (`Retry-After`), retryable errors on
 * Slack's faults, terminal ones on refusals (`channel_not_found`, `invalid_auth`…).
 */
export interface SlackAppPort {
  postMessage(message: {
    channel: string;
    text: string;
    blocks?: unknown[];
    threadTs?: string;
  }): Promise<{ channel: string; ts: string }>;
  updateMessage(message: {
    channel: string;
    ts: string;
    text: string;
    blocks?: unknown[];
  }): Promise<{ channel: string; ts: string }>;
}

export type Channel = 'sns' | 'slack';

/** What an incident's parent shows as its state: from the last step that set it. */
export interface IncidentState {
  title: string;
  severity: 'critical' | 'warning' | 'info';
  /** The first line of the step's summary. */
  summary: string;
  detailType: string;
  status: string;
  job: string;
  dryRun: boolean;
  serviceName: string;
  /** The buttons that still apply. */
  actions?: AlertAction[];
}

/** One step of an incident as its parent message lists it. */
export interface IncidentStep {
  /** The message id (guard event id) posted as a reply. */
  id: string;
  time: string;
  title: string;
}

/**
 * One service's incident (docs/architecture.md, "Slack threads"): from its first failure to its
 * resolution, one parent message in Slack and a reply per step.
 */
export interface Incident {
  /** The service ARN (one open incident per service). */
  key: string;
  /** The message id that opened it (owns the parent's posting). */
  openerId: string;
  openedAt: string;
  channel: string;
  /** The parent's ts, once posted. */
  threadTs?: string;
  /** The replies posted, in order. */
  steps: IncidentStep[];
  /** Event time of the step whose state the parent shows now. */
  shownTime?: string;
  /** The state the parent shows (absent until the first step is recorded). */
  state?: IncidentState;
  /** Set by the step that resolved it; a later failure opens a new incident. */
  closedAt?: string;
}

/** The incident part of the notifier's ledger. */
export interface IncidentLedger {
  /** The service's latest incident, open or closed. */
  getIncident(key: string): Promise<Incident | undefined>;
  /**
   * Opens an incident: only when none exists, or `previous` (read before: resolved, or claimed
   * without a parent ever posted) is still the latest. Returns false when another delivery opened
   * one meanwhile.
   */
  openIncident(incident: Incident, previous: Incident | undefined): Promise<boolean>;
  /** Records the parent's ts (by the opener). */
  setIncidentThread(key: string, openerId: string, threadTs: string): Promise<void>;
  /** Records a reply (once per step id) and, when `closes`, that the incident is resolved. */
  recordIncidentStep(key: string, openerId: string, step: IncidentStep, closes: boolean): Promise<Incident>;
  /**
   * Records the state the parent now shows and its step's event time, unless a later one is
   * already shown.
   */
  recordParentShown(key: string, openerId: string, time: string, state: IncidentState): Promise<void>;
}

/** Port: the notifier's state in the ledger table. */
export interface NotifyLedger extends IncidentLedger {
  /** Whether `messageId` was already delivered on `channel`. */
  wasDelivered(messageId: string, channel: Channel): Promise<boolean>;
  /** Records a delivery (after the channel accepted the message). */
  recordDelivery(messageId: string, channel: Channel, at: string): Promise<void>;
  /** The storm window of a dedup key, if any. */
  getStorm(key: string): Promise<StormWindow | undefined>;
  /** Every storm window with unreported collapsed alerts. */
  listPendingStorms(): Promise<StormWindow[]>;
  /**
   * Opens a new window with `window` (count reset), provided the item is still as `previous` was
   * read (same opener, same collapsed total). Returns false when it changed meanwhile.
   */
  openStorm(window: StormWindow, previous: StormWindow | undefined): Promise<boolean>;
  /**
   * Counts `messageId` in the window opened at `windowStart`. Returns false when that window is no
   * longer the current one; counting the same id twice is a no-op that returns true.
   */
  collapseIntoStorm(key: string, windowStart: string, messageId: string, at: string): Promise<boolean>;
  /** Marks a window's count as reported, unless more alerts were collapsed meanwhile. */
  markStormReported(window: StormWindow): Promise<void>;
}
