import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { RetryableError } from '../core/errors.ts';
import {
  SLACK_ACTION_REQUESTED,
  SLACK_ACTION_SOURCE,
  type SlackActionRequests,
  slackActionRequestedDetail,
} from '../slack-actions/requested.ts';
import { translatePortErrors } from './errors.ts';

/**
 * Hands an accepted Slack action to the slack-actions job: one `Slack Action Requested` event on
 * the guard's bus (its own source, so only the slack-actions rule matches it). A rejected entry is
 * retryable: the endpoint answers 503 and the user's next click is a new action.
 */
export function createSlackActionRequests(client: EventBridgeClient, busName: string): SlackActionRequests {
  return translatePortErrors({
    async submit(request) {
      const out = await client.send(
        new PutEventsCommand({
          Entries: [
            {
              Source: SLACK_ACTION_SOURCE,
              DetailType: SLACK_ACTION_REQUESTED,
              Detail: JSON.stringify(slackActionRequestedDetail(request)),
              EventBusName: busName,
              Resources: [request.service.arn],
            },
          ],
        }),
      );
      if ((out.FailedEntryCount ?? 0) > 0) {
        const code = out.Entries?.[0]?.ErrorCode ?? 'unknown';
        throw new RetryableError(`PutEvents rejected the Slack action request: ${code}`);
      }
    },
  });
}
