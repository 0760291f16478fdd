import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { RetryableError } from '../core/errors.ts';
import { GUARD_SOURCE, type GuardEventPublisher } from '../core/guard-event.ts';
import { clientConfig } from './client-config.ts';
import { translatePortErrors } from './errors.ts';

export type { GuardEventPublisher } from '../core/guard-event.ts';

/** Creates the EventBridge client once per container. */
export function createEventBridgeClient(): EventBridgeClient {
  return new EventBridgeClient(clientConfig());
}

const BATCH = 10;

/**
 * Publishes guard events with `PutEvents` on the given bus, ten per call. A partial failure is
 * retryable: the caller's invocation is retried, and the notifier deduplicates by content.
 */
export function createGuardEventPublisher(client: EventBridgeClient, busName: string): GuardEventPublisher {
  return translatePortErrors({
    async publish(entries) {
      for (let i = 0; i < entries.length; i += BATCH) {
        const batch = entries.slice(i, i + BATCH);
        const out = await client.send(
          new PutEventsCommand({
            Entries: batch.map((e) => ({
              Source: GUARD_SOURCE,
              DetailType: e.detailType,
              Detail: JSON.stringify(e.detail),
              EventBusName: busName,
              Resources: e.detail.service ? [e.detail.service.arn] : [],
            })),
          }),
        );
        if ((out.FailedEntryCount ?? 0) > 0) {
          const codes = (out.Entries ?? []).map((x) => x.ErrorCode).filter(Boolean);
          throw new RetryableError(
            `PutEvents rejected ${out.FailedEntryCount} guard event(s): ${codes.join(', ')}`,
          );
        }
      }
    },
  });
}
