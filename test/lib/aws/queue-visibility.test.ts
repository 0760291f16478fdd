import { ChangeMessageVisibilityCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createQueueVisibility, parseQueueArn } from '../../../lib/aws/queue-visibility.ts';

const sqs = mockClient(SQSClient);
afterEach(() => sqs.reset());

const ARN = 'arn:aws:sqs:eu-west-1:111122223333:apprunner-guard-dev-rollback';
const URL = 'https://sqs.eu-west-1.amazonaws.com/111122223333/apprunner-guard-dev-rollback';

describe('SQS visibility adapter', () => {
  it("changes a message's visibility on the queue its ARN names, looking the URL up once", async () => {
    sqs.on(GetQueueUrlCommand).resolves({ QueueUrl: URL });
    sqs.on(ChangeMessageVisibilityCommand).resolves({});
    const port = createQueueVisibility(new SQSClient({}));
    await port.changeVisibility(ARN, 'rh-1', 300);
    await port.changeVisibility(ARN, 'rh-2', 60);
    expect(sqs.commandCalls(GetQueueUrlCommand).map((c) => c.args[0].input)).toEqual([
      { QueueName: 'apprunner-guard-dev-rollback', QueueOwnerAWSAccountId: '111122223333' },
    ]);
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand).map((c) => c.args[0].input)).toEqual([
      { QueueUrl: URL, ReceiptHandle: 'rh-1', VisibilityTimeout: 300 },
      { QueueUrl: URL, ReceiptHandle: 'rh-2', VisibilityTimeout: 60 },
    ]);
  });

  it('asks for the URL again after a failed look-up, and surfaces the failure', async () => {
    sqs
      .on(GetQueueUrlCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .resolves({ QueueUrl: URL });
    sqs.on(ChangeMessageVisibilityCommand).resolves({});
    const port = createQueueVisibility(new SQSClient({}));
    await expect(port.changeVisibility(ARN, 'rh-1', 30)).rejects.toThrow('Rate exceeded');
    await port.changeVisibility(ARN, 'rh-1', 30);
    expect(sqs.commandCalls(GetQueueUrlCommand)).toHaveLength(2);
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand)).toHaveLength(1);
  });

  it('reads region, account and name from a queue ARN and refuses anything else', () => {
    expect(parseQueueArn(ARN)).toEqual({
      region: 'eu-west-1',
      account: '111122223333',
      name: 'apprunner-guard-dev-rollback',
    });
    expect(() => parseQueueArn('arn:aws:sns:eu-west-1:111122223333:topic')).toThrow(/not an SQS queue ARN/);
  });
});
