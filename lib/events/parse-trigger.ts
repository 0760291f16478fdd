import type { Parsed } from '../core/handler-stack.ts';
import { type AppRunnerEvent, parseAppRunnerEvent } from './app-runner.ts';

/** Parser for functions triggered by App Runner events: idempotency key = EventBridge event `id`. */
export function appRunnerTrigger(accountId: string) {
  return (raw: unknown): Parsed<AppRunnerEvent> => {
    const event = parseAppRunnerEvent(raw, { accountId });
    return {
      key: event.eventId,
      input: event,
      logKeys: {
        serviceArn: event.service.arn,
        status: event.kind === 'operation' ? event.status : event.currentStatus,
      },
    };
  };
}
