import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createSnsPublisher } from '../../../lib/aws/sns.ts';
import { describeAlert } from '../../../lib/notify/alert.ts';
import { buildSnsMessage } from '../../../lib/notify/sns-message.ts';
import { inputFrom } from '../notify/support.ts';

const sns = mockClient(SNSClient);
afterEach(() => sns.reset());

const TOPIC = 'arn:aws:sns:us-east-1:111122223333:apprunner-guard-alerts';

describe('SNS adapter', () => {
  it('publishes subject, JSON message and String attributes to the topic', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const message = buildSnsMessage(describeAlert(inputFrom('guard/cleanup-failed')));
    await createSnsPublisher(new SNSClient({}), TOPIC).publish(message);
    const calls = sns.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      TopicArn: TOPIC,
      Subject: '[CRITICAL] Cleanup Failed: batch-worker',
      Message: message.message,
      MessageAttributes: {
        severity: { DataType: 'String', StringValue: 'critical' },
        service: { DataType: 'String', StringValue: 'batch-worker' },
        status: { DataType: 'String', StringValue: 'failed' },
        job: { DataType: 'String', StringValue: 'cleanup' },
        dryRun: { DataType: 'String', StringValue: 'false' },
      },
    });
  });

  it('lets SNS errors through for the handler to classify', async () => {
    sns
      .on(PublishCommand)
      .rejects(Object.assign(new Error('Topic does not exist'), { name: 'NotFoundException' }));
    const message = buildSnsMessage(describeAlert(inputFrom('guard/cleanup-failed')));
    await expect(createSnsPublisher(new SNSClient({}), TOPIC).publish(message)).rejects.toThrow(
      'Topic does not exist',
    );
  });
});
