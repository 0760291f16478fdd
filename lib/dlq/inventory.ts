import { type DeadLetter, describeDeadLetter } from './describe.ts';
import type { DlqPort, MoveTaskView } from './ports.ts';
import { type DlqKind, parseDlqName } from './queues.ts';

/** A queue whose redrive policy sends its dead letters to a DLQ. */
export interface DlqSource {
  name: string;
  url: string;
  arn: string;
  maxReceiveCount?: number;
}

/** One of the guard's DLQs and what waits in it. */
export interface DlqReport {
  function: string;
  kind: DlqKind;
  name: string;
  url: string;
  arn: string;
  visible: number;
  inFlight: number;
  delayed: number;
  /** The queues that redrive to it (for a `queue` DLQ: the function's event queue). */
  sources: DlqSource[];
  messages: DeadLetter[];
  /** True when fewer messages were read than the queue holds (the peek is bounded). */
  truncated: boolean;
  /** The newest move task from this DLQ, if any. */
  lastMoveTask?: MoveTaskView;
}

/** What a `guard dlq` run looks at. */
export interface InventoryOptions {
  stackName: string;
  /** Only this function's DLQs. */
  function?: string;
  /** Read at most this many messages per DLQ. */
  maxMessages: number;
  /** Read the messages (listing) or only the counts (redrive). */
  peek: boolean;
  onProgress?: (text: string) => void;
}

/**
 * Finds the stack's DLQs (by name, see `queues.ts`), and for each its counts, the queues that
 * redrive to it, its newest move task and — when `peek` — its messages, described. Never deletes.
 */
export async function readDlqs(port: DlqPort, options: InventoryOptions): Promise<DlqReport[]> {
  const queues = await port.listQueues(`${options.stackName}-`);
  const dlqs = queues
    .map((q) => ({ q, dlq: parseDlqName(options.stackName, q.name) }))
    .filter((x) => x.dlq && (options.function === undefined || x.dlq.function === options.function))
    .sort((a, b) => a.q.name.localeCompare(b.q.name));
  const out: DlqReport[] = [];
  for (const { q, dlq } of dlqs) {
    options.onProgress?.(`reading ${q.name}`);
    const state = await port.queueState(q.url);
    const sources: DlqSource[] = [];
    for (const url of await port.deadLetterSources(q.url)) {
      const s = await port.queueState(url);
      sources.push({
        name: url.slice(url.lastIndexOf('/') + 1),
        url,
        arn: s.arn,
        ...(s.redrive ? { maxReceiveCount: s.redrive.maxReceiveCount } : {}),
      });
    }
    const maxReceive = new Map(sources.map((s) => [s.arn, s.maxReceiveCount]));
    // A message redrive moved here was delivered maxReceiveCount times by its source queue.
    const deliveries = (sourceArn: string | undefined) => {
      const arn = sourceArn ?? (sources.length === 1 ? sources[0]!.arn : undefined);
      const n = arn ? maxReceive.get(arn) : undefined;
      return n ? { maxReceiveCount: n } : {};
    };
    const messages = options.peek
      ? (await port.peek(q.url, options.maxMessages)).map((m) =>
          describeDeadLetter(m, deliveries(m.attributes.DeadLetterQueueSourceArn)),
        )
      : [];
    // Move tasks exist only from a queue that is some queue's dead-letter target.
    const [lastMoveTask] = sources.length > 0 ? await port.listMoveTasks(state.arn) : [];
    out.push({
      function: dlq!.function,
      kind: dlq!.kind,
      name: q.name,
      url: q.url,
      arn: state.arn,
      visible: state.visible,
      inFlight: state.inFlight,
      delayed: state.delayed,
      sources,
      messages,
      truncated: options.peek && messages.length < state.visible,
      ...(lastMoveTask ? { lastMoveTask } : {}),
    });
  }
  return out;
}
