/**
 * Which of the stack's queues are the guard's dead-letter queues, by the stack's naming convention:
 *
 * - `<stack>-<function>-dlq`: the dead-letter queue of the function's event queue
 *   `<stack>-<function>` (its redrive policy moves an event there after `maxReceiveCount`
 *   deliveries). Its messages are the events themselves: SQS's message move task returns them.
 * - `<stack>-<function>-invoke-dlq`: the on-failure destination of the function's asynchronous
 *   invocations (EventBridge Scheduler invokes some functions directly). Its messages are Lambda's
 *   invocation records, not events: no queue feeds the function, so nothing can move them back.
 *
 * `<stack>` is the deployed stack's name (`GUARD_STACK_NAME`, e.g. `apprunner-guard-dev`), which
 * also prefixes the functions' names.
 */

/** How a DLQ is fed, and so how its messages can go back. */
export type DlqKind = 'queue' | 'invoke';

/** One of the guard's DLQs, recognised by its name. */
export interface GuardDlq {
  function: string;
  kind: DlqKind;
  name: string;
}

const QUEUE_SUFFIX = '-dlq';
const INVOKE_SUFFIX = '-invoke-dlq';

/** The name of a function's DLQ of a kind, by the convention above. */
export function dlqName(stackName: string, fn: string, kind: DlqKind): string {
  return `${stackName}-${fn}${kind === 'invoke' ? INVOKE_SUFFIX : QUEUE_SUFFIX}`;
}

/** The name of a function's event queue (the source an event DLQ redrives to). */
export function eventQueueName(stackName: string, fn: string): string {
  return `${stackName}-${fn}`;
}

/** The guard DLQ a queue name stands for, or `undefined` when it is not one of the stack's DLQs. */
export function parseDlqName(stackName: string, name: string): GuardDlq | undefined {
  const prefix = `${stackName}-`;
  if (!name.startsWith(prefix) || !name.endsWith(QUEUE_SUFFIX)) return undefined;
  const rest = name.slice(prefix.length);
  const kind: DlqKind = rest.endsWith(INVOKE_SUFFIX) ? 'invoke' : 'queue';
  const fn = rest.slice(0, -(kind === 'invoke' ? INVOKE_SUFFIX : QUEUE_SUFFIX).length);
  return fn === '' ? undefined : { function: fn, kind, name };
}
