import type { Parsed } from '../core/handler-stack.ts';
import type { TargetCheck } from '../core/ports/targets.ts';
import { type AppRunnerEvent, parseAppRunnerEvent } from './app-runner.ts';

/** Parser for functions triggered by App Runner events: idempotency key = EventBridge event `id`. */
export function appRunnerTrigger(targets: TargetCheck) {
  return (raw: unknown): Parsed<AppRunnerEvent> => {
    const event = parseAppRunnerEvent(raw, { targets });
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
