import { describeError, errorNameOf } from '../core/errors.ts';
import { guardServiceOf } from '../core/guard-event.ts';
import type { NotifyPayload } from '../events/scheduler.ts';
import type { Alert, NotifyInput } from './alert.ts';
import type { SnsPort } from './ports.ts';
import { buildSnsMessage } from './sns-message.ts';

/** The notifier's own critical report (`Notification Failed`), published to SNS directly. */
function notifierFailure(
  fields: Pick<
    Alert,
    'messageId' | 'time' | 'title' | 'summary' | 'facts' | 'actionTaken' | 'dedupKey' | 'service'
  >,
): Alert {
  return {
    ...fields,
    severity: 'critical',
    links: [],
    status: 'failed',
    job: 'notify',
    source: 'apprunner-guard',
    detailType: 'Notification Failed',
    dryRun: false,
  };
}

/**
 * Builds the notifier's `reportFailure`. A terminal failure of the notifier (Slack rejected the
 * webhook call: `invalid_payload`, `no_service`, `channel_not_found`…) is published to SNS
 * directly, never as a guard event: that event would route back to the notifier itself.
 * The error text is the adapter's own, which never contains the webhook URL.
 */
export function createNotifyFailureReporter(sns: SnsPort) {
  return async (input: NotifyInput | NotifyPayload, error: Error): Promise<void> => {
    // The storm timer has no event: it is named by its scheduled time.
    const { eventId, time } =
      'action' in input
        ? { eventId: `${input.action}#${input.scheduledTime}`, time: input.scheduledTime }
        : input;
    const service =
      'action' in input ? undefined : input.kind === 'guard' ? input.detail.service : input.service;
    const alert = notifierFailure({
      messageId: `notify-failure|${eventId}`,
      time,
      title: 'apprunner-guard could not deliver an alert',
      summary: `The notifier failed terminally while alerting on event ${eventId}: ${describeError(error)}. SNS is tried before Slack, so a Slack error means the alert reached this topic but not Slack: fix the Slack setup: in webhook mode the webhook (the SSM SecureString named by slackWebhookParameter); in app mode the bot token (slackBotTokenParameter), its chat:write scope, and the channel (the bot must be in it).`,
      facts: [
        { label: 'Event', value: eventId },
        { label: 'Error', value: errorNameOf(error) },
      ],
      actionTaken: 'Not retried: retrying cannot fix this error. A human must act.',
      dedupKey: 'notify-failure',
      ...(service ? { service: guardServiceOf(service) } : {}),
    });
    await sns.publish(buildSnsMessage(alert));
  };
}

/**
 * Builds the notifier's report that it cannot read the accounts of an organisational unit in
 * `GUARD_TARGETS` (`createLenientTargets` sends it once per container), published to SNS directly
 * like its other failures. The notifier keeps alerting: on the hub and the accounts listed directly.
 */
export function createNotifyTargetsFailureReporter(sns: SnsPort, now: () => Date) {
  return async (error: Error): Promise<void> => {
    const time = now().toISOString();
    const alert = notifierFailure({
      messageId: `notify-targets-failure|${time}`,
      time,
      title: 'apprunner-guard cannot read its organisational units',
      summary: `The notifier could not find the accounts of the organisational units in GUARD_TARGETS: ${describeError(error)}. Until this is fixed it alerts only on the hub and the accounts listed directly, and the other functions fail every event from elsewhere.`,
      facts: [{ label: 'Error', value: errorNameOf(error) }],
      actionTaken: 'Not retried for alerting: a human must give the hub access to AWS Organizations.',
      dedupKey: 'notify-targets-failure',
    });
    await sns.publish(buildSnsMessage(alert));
  };
}
