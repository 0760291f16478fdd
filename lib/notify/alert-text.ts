/** The words of alerts: titles, what the guard did, the summary and the facts from `details`. */
import { DETAIL_PRESENTATION, NOT_FACT_DETAILS } from '../core/detail-facts.ts';
import type { Job } from '../core/guard-event.ts';
import type { GuardEvent } from '../events/guard.ts';
import type { AlertFact } from './alert.ts';

/** Title of a failed App Runner operation. */
export const OPERATION_TITLES: Record<string, string> = {
  CreateService: 'Service creation failed',
  DeleteService: 'Service deletion failed',
  UpdateService: 'Service update failed',
  Deployment: 'Deployment failed',
  PauseService: 'Pause failed',
  ResumeService: 'Resume failed',
};

/** What the guard did (so far) about a failed App Runner operation it does not own or has yet to handle. */
export const OPERATION_ACTIONS: Record<string, string> = {
  CreateService:
    'None yet: the cleanup job snapshots and deletes CREATE_FAILED services after the grace period.',
  DeleteService:
    'None: the service still exists and counts toward the service quota. Retry the deletion or look at the Activity tab.',
  UpdateService: 'None yet: the rollback job decides whether to pin the last known-good image.',
  Deployment: 'None yet: the rollback job decides whether to pin the last known-good image.',
  PauseService: 'None: the service keeps running (and billing). Pause it again or check its Activity tab.',
  ResumeService:
    'None: the service stays paused and serves no traffic. Resume it by hand and check its Activity tab.',
};

/** What the guard did, in words, from a guard event's outcome and action. */
export function actionTakenOf(event: GuardEvent): string {
  const { outcome, action, dryRun } = event.detail;
  if (dryRun && outcome === 'acted') return `DRY RUN: would have done ${action}; nothing was changed.`;
  const prefix = dryRun ? 'DRY RUN: ' : '';
  switch (outcome) {
    case 'acted':
      return `Done: ${action}.`;
    case 'noop':
      return `${prefix}Nothing to do.`;
    case 'skipped':
      return `${prefix}Nothing done: skipped${action === 'none' ? '' : ` ${action}`}.`;
    case 'deferred':
      return `${prefix}Deferred: the guard will try ${action} again.`;
    case 'failed':
      return `${prefix}Failed${action === 'none' ? '' : ` while attempting ${action}`}: a human must act.`;
  }
}

function factValue(value: unknown, declared: boolean): string | undefined {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) {
    return value.join('; ');
  }
  if (declared && value && typeof value === 'object' && !Array.isArray(value)) {
    // A declared flat record (counts) reads as `key value, …`; anything else stays in the JSON.
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.every(([, v]) => typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean')) {
      return entries.map(([k, v]) => `${k} ${String(v)}`).join(', ');
    }
  }
  return undefined;
}

/**
 * The facts an alert shows from a guard event's `details`, as the job that published them declares
 * (`DETAIL_PRESENTATION`): its declared facts first, then the other keys where they stand, under
 * their declared label or their own name.
 */
export function detailFacts(job: Job, details: Record<string, unknown>): AlertFact[] {
  const { first, inPlace = [] } = DETAIL_PRESENTATION[job];
  const labels = new Map([...first, ...inPlace].map((f) => [f.key, f.label]));
  const firstKeys = new Set(first.map((f) => f.key));
  const keys = [
    ...first.map((f) => f.key).filter((k) => k in details),
    ...Object.keys(details).filter((k) => !firstKeys.has(k) && !NOT_FACT_DETAILS.has(k)),
  ];
  const facts: AlertFact[] = [];
  for (const key of keys) {
    const value = factValue(details[key], labels.has(key));
    if (value === undefined || value === '') continue;
    facts.push({ label: labels.get(key) ?? key, value });
  }
  return facts;
}

/**
 * The guard's reason, plus the App Runner failure it reports (owned failures have no message of
 * their own), plus what a pin does to deployments and how it ends.
 */
export function guardSummary(event: GuardEvent): string {
  const { reason, details } = event.detail;
  const status = typeof details.failureStatus === 'string' ? details.failureStatus : undefined;
  const message = typeof details.failureMessage === 'string' ? details.failureMessage : undefined;
  const failure =
    status || message
      ? `\nApp Runner reported ${status ?? 'a failure'}${message ? `: ${message}` : '.'}`
      : '';
  const pin = pinNote(event);
  return `${reason}${failure}${pin ? `\n${pin}` : ''}`;
}

/**
 * A pin, in plain words: what the service is pinned to, that pushes to the tag it followed do not
 * deploy while it is pinned, and how the pin ends. Only for a rollback that pinned (or would have).
 */
export function pinNote(event: GuardEvent): string | undefined {
  const d = event.detail;
  const to = d.details.toImage;
  if (d.job !== 'rollback' || d.outcome !== 'acted' || typeof to !== 'string') return undefined;
  const name = d.service?.name ?? '<service>';
  const tag = typeof d.details.pinnedFromTag === 'string' ? d.details.pinnedFromTag : undefined;
  const pinned = `${d.dryRun ? 'Would pin' : 'Pinned'} ${name} to ${to} (automatic deployments off).`;
  const unpin = `\`guard unpin ${name}\``;
  if (!tag) return `${pinned} The pin ends with ${unpin}.`;
  return `${pinned} While it is pinned, pushes to ${tag} do not deploy. The pin ends when a new digest is pushed to ${tag} (fix forward: the guard releases the pin and App Runner deploys it, unless the service is tagged apprunner-guard:fix-forward=off), or with ${unpin}.`;
}

/** `office-hours-berlin@2026-…` → `office-hours-berlin`; an event id (a UUID) → undefined. */
export function scheduleOf(trigger: string): string | undefined {
  const at = trigger.indexOf('@');
  return at > 0 ? trigger.slice(0, at) : undefined;
}
