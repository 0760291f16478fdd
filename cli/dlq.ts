import { createDlqGateway, createSqsClient } from '../lib/aws/sqs.ts';
import { loadCliConfig } from '../lib/config.ts';
import { describeError } from '../lib/core/errors.ts';
import type { DeadLetter } from '../lib/dlq/describe.ts';
import { type DlqReport, readDlqs } from '../lib/dlq/inventory.ts';
import type { DlqPort } from '../lib/dlq/ports.ts';
import { planRedrive, type RedriveAction } from '../lib/dlq/redrive.ts';
import { type CommandRun, createProgress, type Io, UsageError } from './args.ts';
import type { DLQ, DLQ_REDRIVE } from './commands.ts';

const DEFAULT_MAX = 100;

function maxMessages(value: string | undefined): number {
  if (value === undefined) return DEFAULT_MAX;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000)
    throw new UsageError(`--max "${value}" is not a whole number from 1 to 1000`);
  return n;
}

/** No DLQ matched: a wrong stack name or function is the likely cause, so say what was looked for. */
async function nothingFound(
  port: DlqPort,
  stackName: string,
  fn: string | undefined,
  io: Io,
  command: string,
) {
  if (fn === undefined) {
    io.err(
      `guard ${command}: no queue named ${stackName}-<function>-dlq or ${stackName}-<function>-invoke-dlq (is GUARD_STACK_NAME=${stackName} the deployed stack, in this account and region?)\n`,
    );
    return 1;
  }
  const all = await readDlqs(port, { stackName, maxMessages: 1, peek: false });
  const functions = [...new Set(all.map((d) => d.function))];
  io.err(
    `guard ${command}: no DLQ for function "${fn}" (DLQs exist for: ${functions.join(', ') || 'none'})\n`,
  );
  return 2;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function messageLines(m: DeadLetter): string[] {
  const what = [
    m.event.type ?? (m.shape === 'unreadable' ? '(not JSON)' : '(no detail-type)'),
    m.event.status,
  ]
    .filter(Boolean)
    .join(' — ');
  const service = m.service?.name ?? m.service?.arn;
  const facts = [
    m.firstSeen ? `first seen ${m.firstSeen}` : undefined,
    m.attempts !== undefined ? `attempts ${m.attempts}` : `receives ${m.receives}`,
    m.event.id ? `event ${m.event.id}` : undefined,
    `message ${m.messageId}`,
  ].filter(Boolean);
  return [
    `  • ${what}${service ? ` · ${service}` : ''}`,
    `    ${facts.join(' · ')}`,
    `    last error: ${m.lastError ?? 'not recorded in the message'}`,
  ];
}

function dlqHeading(d: DlqReport): string {
  const from =
    d.kind === 'invoke'
      ? `failed asynchronous invocations of ${d.function}`
      : d.sources.length > 0
        ? `events of ${d.function} from ${d.sources.map((s) => s.name).join(', ')}`
        : `events of ${d.function} (no queue redrives to it)`;
  const counts = `${d.visible} waiting, ${d.inFlight} in flight, ${d.delayed} delayed`;
  return `${d.name} — ${from}: ${counts}`;
}

function formatList(dlqs: readonly DlqReport[]): string {
  const lines: string[] = [];
  for (const d of dlqs) {
    lines.push(dlqHeading(d));
    for (const m of d.messages) lines.push(...messageLines(m));
    if (d.truncated) lines.push(`  … ${d.visible - d.messages.length} more not read (--max)`);
    if (d.lastMoveTask?.status === 'RUNNING') {
      lines.push(
        `  a move task is running: ${d.lastMoveTask.moved} of ${d.lastMoveTask.toMove ?? '?'} moved`,
      );
    }
    lines.push('');
  }
  const total = dlqs.reduce((n, d) => n + d.visible + d.inFlight + d.delayed, 0);
  lines.push(
    total === 0
      ? `Nothing waits in ${plural(dlqs.length, 'DLQ')}.`
      : `${plural(total, 'message')} in ${plural(dlqs.filter((d) => d.visible + d.inFlight + d.delayed > 0).length, 'DLQ')}; nothing was deleted. Move them back: guard dlq redrive [--function <f>] [--dry-run].`,
  );
  return `${lines.join('\n')}\n`;
}

/** `guard dlq`: what waits in each of the guard's DLQs. Returns the exit code. */
export const runDlq: CommandRun<typeof DLQ.options> = async ({ values }, io) => {
  const max = maxMessages(values.max);
  const { stackName } = loadCliConfig(io.env, ['region', 'stackName']);
  const port = createDlqGateway(createSqsClient());
  const progress = createProgress(io);
  try {
    const dlqs = await readDlqs(port, {
      stackName,
      ...(values.function === undefined ? {} : { function: values.function }),
      maxMessages: max,
      peek: true,
      onProgress: (t) => progress.update(t),
    });
    progress.done();
    if (dlqs.length === 0) return await nothingFound(port, stackName, values.function, io, 'dlq');
    io.out(values.json ? `${JSON.stringify({ dlqs }, null, 2)}\n` : formatList(dlqs));
    return 0;
  } catch (error) {
    progress.done();
    io.err(`guard dlq: ${describeError(error)}\n`);
    return 1;
  }
};

/** The command that re-invokes a function with a payload (what a human runs for an invoke DLQ). */
export function reinvokeCommand(functionName: string, payload: unknown): string {
  const json = JSON.stringify(payload ?? {}).replace(/'/g, `'\\''`);
  return `aws lambda invoke --function-name ${functionName} --invocation-type Event --cli-binary-format raw-in-base64-out --payload '${json}' /dev/null`;
}

interface Done {
  action: RedriveAction['kind'];
  function: string;
  dlq: string;
  count?: number;
  destinations?: string[];
  taskHandle?: string;
  reason?: string;
  reinvoke?: string[];
  messages?: DeadLetter[];
}

/** `guard dlq redrive`: moves DLQ messages back with SQS's message move task. Returns the exit code. */
export const runDlqRedrive: CommandRun<typeof DLQ_REDRIVE.options> = async ({ values }, io) => {
  const { stackName } = loadCliConfig(io.env, ['region', 'stackName']);
  const port = createDlqGateway(createSqsClient());
  const progress = createProgress(io);
  const dryRun = values['dry-run'] === true;
  const done: Done[] = [];
  const lines: string[] = [];
  let leftToHuman = false;
  try {
    const dlqs = await readDlqs(port, {
      stackName,
      ...(values.function === undefined ? {} : { function: values.function }),
      maxMessages: DEFAULT_MAX,
      peek: true,
      onProgress: (t) => progress.update(t),
    });
    progress.done();
    if (dlqs.length === 0) return await nothingFound(port, stackName, values.function, io, 'dlq redrive');
    for (const action of planRedrive(dlqs)) {
      const { dlq } = action;
      const base = { action: action.kind, function: dlq.function, dlq: dlq.name };
      switch (action.kind) {
        case 'empty':
          done.push(base);
          lines.push(`${dlq.name}: empty, nothing to move.`);
          break;
        case 'running':
          done.push({ ...base, ...(action.taskHandle ? { taskHandle: action.taskHandle } : {}) });
          lines.push(
            `${dlq.name}: a move task is already running (${dlq.lastMoveTask?.moved ?? 0} of ${dlq.lastMoveTask?.toMove ?? '?'} moved${action.taskHandle ? `, task ${action.taskHandle}` : ''}); left to it.`,
          );
          break;
        case 'manual': {
          leftToHuman = true;
          const fn = `${stackName}-${dlq.function}`;
          const reinvoke =
            dlq.kind === 'invoke' ? dlq.messages.map((m) => reinvokeCommand(fn, m.payload)) : [];
          done.push({
            ...base,
            count: action.count,
            reason: action.reason,
            reinvoke,
            messages: dlq.messages,
          });
          lines.push(`${dlq.name}: ${plural(action.count, 'message')} left to a human: ${action.reason}.`);
          for (const m of dlq.messages) lines.push(...messageLines(m));
          if (reinvoke.length > 0) {
            lines.push(
              `  To retry one, re-invoke ${fn} with its payload, then delete that message from ${dlq.name}:`,
              ...reinvoke.map((c) => `    ${c}`),
            );
          }
          break;
        }
        case 'move': {
          const to = action.destinations.join(', ');
          if (dryRun) {
            done.push({
              ...base,
              count: action.count,
              destinations: action.destinations,
              messages: dlq.messages,
            });
            lines.push(`${dlq.name}: would move ${plural(action.count, 'message')} back to ${to}:`);
            for (const m of dlq.messages) lines.push(...messageLines(m));
            break;
          }
          const { taskHandle } = await port.startMoveTask(dlq.arn);
          const [task] = await port.listMoveTasks(dlq.arn);
          const count = task?.toMove ?? action.count;
          done.push({ ...base, count, destinations: action.destinations, taskHandle });
          lines.push(
            `${dlq.name}: moving ${plural(count, 'message')} back to ${to} (move task ${taskHandle}). Follow it with \`guard dlq\`.`,
          );
          break;
        }
      }
    }
    const moved = done.filter((d) => d.action === 'move').reduce((n, d) => n + (d.count ?? 0), 0);
    const manual = done.filter((d) => d.action === 'manual').reduce((n, d) => n + (d.count ?? 0), 0);
    lines.push(
      `${dryRun ? 'Would move' : 'Moving'} ${plural(moved, 'message')}; left to a human: ${plural(manual, 'message')}.`,
    );
    if (dryRun) lines.push('Dry run: nothing was moved.');
    io.out(values.json ? `${JSON.stringify({ dryRun, dlqs: done }, null, 2)}\n` : `${lines.join('\n')}\n`);
    return leftToHuman ? 1 : 0;
  } catch (error) {
    progress.done();
    io.err(`guard dlq redrive: ${describeError(error)}\n`);
    return 1;
  }
};
