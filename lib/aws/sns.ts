import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { SnsPort } from '../notify/ports.ts';
import { clientConfig } from './client-config.ts';
import { translatePortErrors } from './errors.ts';

/** Creates the SNS client once per container. */
export function createSnsClient(): SNSClient {
  return new SNSClient(clientConfig());
}

/**
 * The SNS adapter: publishes an alert to the topic with its String message attributes, which
 * subscription filter policies match on (`severity`, `service`, `status`, `job`, `dryRun`).
 */
export function createSnsPublisher(client: SNSClient, topicArn: string): SnsPort {
  return translatePortErrors({
    async publish(m) {
      await client.send(
        new PublishCommand({
          TopicArn: topicArn,
          Subject: m.subject,
          Message: m.message,
          MessageAttributes: Object.fromEntries(
            Object.entries(m.attributes).map(([name, value]) => [
              name,
              { DataType: 'String', StringValue: value },
            ]),
          ),
        }),
      );
    },
  });
}
