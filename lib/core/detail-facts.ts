/**
 * How each job's `details` read in an alert (docs/architecture.md, "Guard events"). A job declares
 * here, next to its detail-types, which of its detail keys are facts a human reads and under which
 * label; the notifier renders any job's details from these declarations and knows no job's keys.
 */
import type { Job } from './guard-event.ts';

/** One labelled fact: the `details` key and the words an alert shows it under. */
export interface DetailFactLabel {
  readonly key: string;
  readonly label: string;
}

/** How one job's details read as facts. */
export interface DetailPresentation {
  /** Shown first, in this order, under these labels. */
  readonly first: readonly DetailFactLabel[];
  /** Shown where they stand among the remaining keys, under these labels (the rest under their own name). */
  readonly inPlace?: readonly DetailFactLabel[];
}

/**
 * Keys every job may publish that are never shown as facts: the App Runner failure a job reports
 * (the alert's summary carries it), the severity hint, and the machine-readable code (both stay in
 * the SNS JSON `details`).
 */
export const NOT_FACT_DETAILS: ReadonlySet<string> = new Set([
  'failureStatus',
  'failureMessage',
  'attention',
  'code',
  'autoDeploymentsBefore',
]);

/** Every job's failure report carries the error's name. */
const ERROR: DetailFactLabel = { key: 'error', label: 'Error' };
const COUNTS: DetailFactLabel = { key: 'counts', label: 'Counts' };
const STATUS: DetailFactLabel = { key: 'status', label: 'Service status' };
const NEXT: DetailFactLabel = { key: 'next', label: 'Next step' };
const ATTEMPT: DetailFactLabel = { key: 'attempt', label: 'Attempt' };
const ATTEMPTS: DetailFactLabel = { key: 'attempts', label: 'Attempts' };
const OPERATION: DetailFactLabel = { key: 'operationId', label: 'Operation' };
/** The bake window's facts (an alarm during a bake, a promotion). */
const ALARM: DetailFactLabel = { key: 'alarmName', label: 'Alarm' };
const ALARM_REASON: DetailFactLabel = { key: 'alarmReason', label: 'Alarm reason' };
const BAKE_WINDOW: DetailFactLabel = { key: 'bakeWindow', label: 'Bake window' };
const CANDIDATE: DetailFactLabel = { key: 'candidateDigest', label: 'Candidate digest' };

/** Each job's declaration of how its details read. */
export const DETAIL_PRESENTATION: Record<Job, DetailPresentation> = {
  rollback: {
    first: [
      ALARM,
      ALARM_REASON,
      { key: 'alarmAt', label: 'Alarm at' },
      BAKE_WINDOW,
      CANDIDATE,
      { key: 'fromImage', label: 'From image' },
      { key: 'toImage', label: 'To image' },
      { key: 'failedDigest', label: 'Failed digest' },
      { key: 'fromDigest', label: 'From digest' },
      { key: 'toDigest', label: 'To digest' },
      { key: 'quarantinedDigest', label: 'Quarantined digest' },
      { key: 'pinnedFromTag', label: 'Followed tag' },
      { key: 'autoDeployments', label: 'Automatic deployments' },
      { key: 'configuredImage', label: 'Configured image' },
      { key: 'configuredDigest', label: 'Configured digest' },
      { key: 'serviceStatus', label: 'Service status' },
      STATUS,
      ATTEMPTS,
      OPERATION,
      { key: 'knownGoodReleases', label: 'Known-good releases' },
      ERROR,
    ],
  },
  'record-release': {
    first: [
      { key: 'image', label: 'Image' },
      { key: 'digest', label: 'Digest' },
      { key: 'state', label: 'Release state' },
      BAKE_WINDOW,
      { key: 'alarmsFiring', label: 'Alarms in ALARM' },
      { key: 'alarmsFiringAtStart', label: 'Alarms in ALARM before the deployment' },
      ALARM_REASON,
      { key: 'alarms', label: 'Alarms watched' },
      ALARM,
      { key: 'bakeRecord', label: 'Bake record' },
      CANDIDATE,
      STATUS,
      NEXT,
      ERROR,
    ],
  },
  cleanup: {
    first: [
      STATUS,
      { key: 'deleteAt', label: 'Deletion at' },
      NEXT,
      ATTEMPT,
      { key: 'maxDeleteAttempts', label: 'Max attempts' },
      ATTEMPTS,
      { key: 'snapshotKey', label: 'Snapshot' },
      OPERATION,
      { key: 'lastOperations', label: 'Recent operations' },
      ERROR,
    ],
    inPlace: [COUNTS],
  },
  'pause-resume': { first: [STATUS, NEXT, ATTEMPT, ATTEMPTS, ERROR], inPlace: [COUNTS] },
  notify: { first: [STATUS, NEXT, ATTEMPT, ERROR], inPlace: [COUNTS] },
  'slack-actions': {
    first: [
      { key: 'slackUserName', label: 'Slack user' },
      { key: 'slackUser', label: 'Slack user id' },
      { key: 'action', label: 'Action' },
      ERROR,
    ],
  },
  'fix-forward': {
    first: [
      { key: 'pinnedFromTag', label: 'Followed tag' },
      { key: 'releasedTo', label: 'Released to' },
      { key: 'pushedDigest', label: 'Pushed digest' },
      { key: 'autoDeployments', label: 'Automatic deployments' },
      { key: 'configuredImage', label: 'Configured image' },
      { key: 'configuredDigest', label: 'Configured digest' },
      STATUS,
      ERROR,
    ],
  },
};
