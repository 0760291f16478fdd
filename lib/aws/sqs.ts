import {
  GetQueueAttributesCommand,
  ListDeadLetterSourceQueuesCommand,
  ListMessageMoveTasksCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import type { DlqPort, PeekedMessage, QueueRef } from '../dlq/ports.ts';
import { clientConfig } from './client-config.ts';

/** Creates the SQS client once per process. */
export function createSqsClient(): SQSClient {
  return new SQSClient(clientConfig());
}

const count = (v: string | undefined) => (v === undefined ? 0 : Number(v));

/** Reads beyond this many with nothing new end a peek: SQS samples servers, so one empty read is no proof. */
const EMPTY_READS = 3;

/** The SQS adapter of `guard dlq`. */
export function createDlqGateway(client: SQSClient): DlqPort {
  return {
    async listQueues(prefix) {
      const out: QueueRef[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 1000, NextToken: token }),
        );
        for (const url of page.QueueUrls ?? []) out.push({ url, name: url.slice(url.lastIndexOf('/') + 1) });
        token = page.NextToken;
      } while (token);
      return out;
    },
    async queueState(url) {
      const { Attributes: a = {} } = await client.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
      );
      const policy = a.RedrivePolicy
        ? (JSON.parse(a.RedrivePolicy) as { deadLetterTargetArn: string; maxReceiveCount: number | string })
        : undefined;
      return {
        arn: a.QueueArn ?? url,
        visible: count(a.ApproximateNumberOfMessages),
        inFlight: count(a.ApproximateNumberOfMessagesNotVisible),
        delayed: count(a.ApproximateNumberOfMessagesDelayed),
        ...(policy
          ? {
              redrive: {
                deadLetterTargetArn: policy.deadLetterTargetArn,
                maxReceiveCount: Number(policy.maxReceiveCount),
              },
            }
          : {}),
      };
    },
    async deadLetterSources(url) {
      const out: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListDeadLetterSourceQueuesCommand({ QueueUrl: url, MaxResults: 1000, NextToken: token }),
        );
        out.push(...(page.queueUrls ?? []));
        token = page.NextToken;
      } while (token);
      return out;
    },
    async peek(url, max) {
      const seen = new Map<string, PeekedMessage>();
      let empty = 0;
      while (seen.size < max && empty < EMPTY_READS) {
        const { Messages = [] } = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: url,
            MaxNumberOfMessages: Math.min(10, max - seen.size),
            VisibilityTimeout: 0,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        );
        let fresh = 0;
        for (const m of Messages) {
          if (!m.MessageId || seen.has(m.MessageId)) continue;
          fresh++;
          seen.set(m.MessageId, {
            messageId: m.MessageId,
            body: m.Body ?? '',
            attributes: { ...(m.Attributes ?? {}) } as Record<string, string>,
            messageAttributes: Object.fromEntries(
              Object.entries(m.MessageAttributes ?? {}).flatMap(([k, v]) =>
                v.StringValue === undefined ? [] : [[k, v.StringValue]],
              ),
            ),
          });
        }
        empty = fresh === 0 ? empty + 1 : 0;
      }
      return [...seen.values()].slice(0, max);
    },
    async startMoveTask(sourceArn, destinationArn) {
      const out = await client.send(
        new StartMessageMoveTaskCommand({
          SourceArn: sourceArn,
          ...(destinationArn ? { DestinationArn: destinationArn } : {}),
        }),
      );
      return { taskHandle: out.TaskHandle ?? '' };
    },
    async listMoveTasks(sourceArn) {
      const { Results = [] } = await client.send(
        new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 10 }),
      );
      return Results.map((r) => ({
        ...(r.TaskHandle ? { taskHandle: r.TaskHandle } : {}),
        status: r.Status ?? 'UNKNOWN',
        sourceArn: r.SourceArn ?? sourceArn,
        ...(r.DestinationArn ? { destinationArn: r.DestinationArn } : {}),
        moved: r.ApproximateNumberOfMessagesMoved ?? 0,
        ...(r.ApproximateNumberOfMessagesToMove === undefined
          ? {}
          : { toMove: r.ApproximateNumberOfMessagesToMove }),
        ...(r.FailureReason ? { failureReason: r.FailureReason } : {}),
        ...(r.StartedTimestamp === undefined ? {} : { startedAt: r.StartedTimestamp }),
      }));
    },
  };
}
