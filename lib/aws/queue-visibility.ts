import { ChangeMessageVisibilityCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { VisibilityPort } from '../core/queue-delivery.ts';
import { clientConfig } from './client-config.ts';

/** Creates the SQS client once per container. */
export function createSqsClient(): SQSClient {
  return new SQSClient(clientConfig());
}

/** The name and owner of a queue, from its ARN (`arn:<partition>:sqs:<region>:<account>:<name>`). */
export function parseQueueArn(arn: string): { region: string; account: string; name: string } {
  const m = /^arn:[^:]+:sqs:([^:]+):(\d{12}):([^:]+)$/.exec(arn);
  if (!m) throw new Error(`not an SQS queue ARN: ${arn}`);
  return { region: m[1]!, account: m[2]!, name: m[3]! };
}

/**
 * The visibility adapter of the queue-delivery wrapper: `ChangeMessageVisibility` on the queue the
 * record came from. The queue URL is asked once per queue (`GetQueueUrl`, which also works against
 * any endpoint the SDK is pointed at) and kept for the container's life.
 */
export function createQueueVisibility(client: SQSClient): VisibilityPort {
  const urls = new Map<string, Promise<string>>();
  const urlOf = (queueArn: string): Promise<string> => {
    let url = urls.get(queueArn);
    if (!url) {
      const { account, name } = parseQueueArn(queueArn);
      url = client
        .send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }))
        .then((r) => {
          if (!r.QueueUrl) throw new Error(`GetQueueUrl returned no URL for ${queueArn}`);
          return r.QueueUrl;
        });
      // A failed look-up is not cached: the next record asks again.
      url.catch(() => urls.delete(queueArn));
      urls.set(queueArn, url);
    }
    return url;
  };
  return {
    async changeVisibility(queueArn, receiptHandle, seconds) {
      await client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: await urlOf(queueArn),
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: seconds,
        }),
      );
    },
  };
}
