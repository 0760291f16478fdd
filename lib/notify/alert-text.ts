/** The words of alerts: titles, what the guard did, the summary and the facts from `details`. */
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

/**
 * Labels of the `details` keys the jobs publish, in the order they are shown. Other scalar keys
 * follow under their own name. `failureStatus`/`failureMessage` go into the summary instead.
 */
const DETAIL_LABELS: Record<string, string> = {
  fromImage: 'From image',
  toImage: 'To image',
  failedDigest: 'Failed digest',
  fromDigest: 'From digest',
  toDigest: 'To digest',
  quarantinedDigest: 'Quarantined digest',
  pinnedFromTag: 'Followed tag',
  autoDeployments: 'Automatic deployments',
  releasedTo: 'Released to',
  pushedDigest: 'Pushed digest',
  configuredImage: 'Configured image',
  configuredDigest: 'Configured digest',
  serviceStatus: 'Service status',
  status: 'Service status',
  deleteAt: 'Deletion at',
  next: 'Next step',
  attempt: 'Attempt',
  maxDeleteAttempts: 'Max attempts',
  attempts: 'Attempts',
  snapshotKey: 'Snapshot',
  operationId: 'Operation',
  lastOperations: 'Recent operations',
  knownGoodReleases: 'Known-good releases',
  error: 'Error',
};
/** Shown in the summary instead (failure), or only useful to machines (in the SNS JSON `details`). */
const NOT_FACTS = new Set(['failureStatus', 'failureMessage', 'attention', 'code', 'autoDeploymentsBefore']);

function factValue(key: string, value: unknown): string | undefined {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) {
    return value.join('; ');
  }
  if (key === 'counts' && value && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k} ${String(v)}`)
      .join(', ');
  }
  return undefined;
}

/** The facts an alert shows from a guard event's `details`. */
export function detailFacts(details: Record<string, unknown>): AlertFact[] {
  const known = Object.keys(DETAIL_LABELS).filter((k) => k in details);
  const other = Object.keys(details).filter((k) => !(k in DETAIL_LABELS) && !NOT_FACTS.has(k));
  const facts: AlertFact[] = [];
  for (const key of [...known, ...other]) {
    const value = factValue(key, details[key]);
    if (value === undefined || value === '') continue;
    facts.push({ label: DETAIL_LABELS[key] ?? (key === 'counts' ? 'Counts' : key), value });
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
