import type { SimClock } from './clock.ts';
import type { QueueDelivery } from './delivery.ts';
import type { BusEvent } from './eventbridge.ts';
import type { DeliveryFaults, FaultDice } from './faults.ts';
import type { InvocationTrigger, LambdaRuntime } from './lambda.ts';
import type { Prng } from './prng.ts';
import { type Route, routeEvent } from './routes.ts';

/** Where an event on the bus came from. */
export type EventOrigin = 'apprunner' | 'ecr' | 'cloudwatch' | 'guard' | 'scenario';

/** An event the bus received, and the functions its rules matched. */
export interface BusRecord {
  time: string;
  origin: EventOrigin;
  event: BusEvent;
  targets: string[];
}

/** What an event says happened: the operation status, `PREVIOUS → CURRENT`, or the detail-type. */
export function summarizeEvent(event: BusEvent): string {
  const d = event.detail;
  const status = d.Status ?? d.operationStatus;
  if (typeof status === 'string') return status;
  const current = d.CurrentStatus ?? d.currentServiceStatus;
  const previous = d.PreviousStatus ?? d.previousServiceStatus;
  if (typeof current === 'string') return typeof previous === 'string' ? `${previous} → ${current}` : current;
  return event['detail-type'];
}

/** A one-line description of an event: its status or guard outcome and its service. */
export function describeEvent(event: BusEvent): string {
  const d = event.detail;
  const status = d.Status ?? d.operationStatus;
  const service = d.ServiceName ?? d.serviceName ?? (d.service as { name?: string } | undefined)?.name;
  if (typeof status === 'string') return `${status}${service ? ` ${service}` : ''}`;
  const current = d.CurrentStatus ?? d.currentServiceStatus;
  if (typeof current === 'string') return `${current}${service ? ` ${service}` : ''}`;
  return `${event['detail-type']}${typeof service === 'string' ? ` ${service}` : ''}`;
}

/**
 * The local default event bus: routes every event through the deployed rules (the routing table
 * of `infra/routes.ts` + `infra/patterns/*.json`) and delivers it to each matched function's queue
 * (`queues`, as deployed; without it, with Lambda's async invoke), after a short simulated delivery
 * delay — duplicated (two messages) or shuffled when the scenario injects delivery faults.
 */
export class EventBus {
  readonly records: BusRecord[] = [];

  constructor(
    private readonly routes: readonly Route[],
    private readonly clock: SimClock,
    private readonly lambda: LambdaRuntime,
    private readonly faults: DeliveryFaults,
    private readonly dice: FaultDice,
    private readonly prng: Prng,
    private readonly delayMs: number,
    private readonly observe: (record: BusRecord) => void,
    private readonly queues?: QueueDelivery,
  ) {}

  private deliver(fn: string, event: BusEvent, trigger: InvocationTrigger, at: number): void {
    if (this.queues?.has(fn)) this.queues.send(fn, event, trigger, at);
    else this.lambda.invokeAsync(fn, event, trigger, at);
  }

  put(event: BusEvent, origin: EventOrigin): BusRecord {
    const targets = routeEvent(this.routes, event);
    const record: BusRecord = { time: new Date(this.clock.now).toISOString(), origin, event, targets };
    this.records.push(record);
    this.observe(record);
    const label = describeEvent(event);
    for (const fn of targets) {
      const jitter = this.faults.shuffleSeconds ? this.prng.int(this.faults.shuffleSeconds * 1000) : 0;
      const at = this.clock.now + this.delayMs + jitter;
      const trigger: InvocationTrigger = { kind: 'event', ref: event.id, label };
      this.deliver(fn, event, trigger, at);
      if (this.dice.roll(this.faults.duplicate, fn, this.clock.now)) {
        this.deliver(fn, event, { ...trigger, duplicate: true }, at + 1000 + this.prng.int(4000));
      }
    }
    return record;
  }
}
