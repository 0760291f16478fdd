import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { AppRunnerClient } from '@aws-sdk/client-apprunner';
import { ECRClient } from '@aws-sdk/client-ecr';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import { clientConfig } from '../../lib/aws/client-config.ts';
import { closeSandbox } from '../../sandbox/environment.ts';
import { checkRecorded } from './check-recorded.ts';
import { DEFAULT_SOURCE_IMAGE, DEFAULT_SOURCE_PORT, dockerImagePusher } from './docker-images.ts';
import { FLOWS, type Flow } from './flows.ts';
import { confirmAccount, newPrefix, PREFIX_ROOT, RefusalError } from './real-guards.ts';
import { type RealClients, RealTarget } from './real-target.ts';
import { runFlows } from './runner.ts';
import { SandboxTarget } from './sandbox-target.ts';
import type { SeenEvent, Target } from './target.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export const USAGE = `Usage: npm run test:aws -- [options]

Runs apprunner-guard's core flows end to end and prints one line per flow (PASS/FAIL, duration):
  rollback-mutable-tag   a bad deployment on a mutable tag is pinned to the known-good digest and alerted
  cleanup-failed-create  a failed create is deleted after a short grace
  pause-resume-schedule  a pause and a resume by schedule
By default against the sandbox (simulated clock, no AWS account, about 15 s). With --real, against
the account of your AWS credentials, where the guard must already be deployed: it creates App Runner
services, ECR repositories, IAM roles, an SQS queue, EventBridge rules and Scheduler schedules named
${PREFIX_ROOT}<random>-…, deletes them when done, and costs a few cents (see the README).

Options:
  --flow <name>             run only this flow (repeatable)
  --grace-minutes <n>       the guard's cleanup grace (sandbox: set to this, default 5; --real: the
                            cleanupGraceMinutes the stack was deployed with, default 5)
  --record-dir <dir>        where the App Runner events seen are written as fixtures (default: a
                            temporary folder in the sandbox, events/recorded/<time> with --real)
  --real                    run against a real AWS account (needs all of the options below)
  --confirm-account <id>    the 12-digit account id you mean; the run refuses unless the
                            credentials belong to it (STS GetCallerIdentity)
  --region <region>         default: AWS_REGION
  --stack <name>            the deployed guard's stack, e.g. apprunner-guard-dev (its pause-resume
                            function is <stack>-pause-resume)
  --topic-arn <arn>         the deployed guard's alert topic (stack resource AlertTopic)
  --source-image <image>    the image pushed as the good one (default ${DEFAULT_SOURCE_IMAGE})
  --port <port>             the port it listens on (default ${DEFAULT_SOURCE_PORT})
  -h, --help                show this help

Exit status: 0 every flow passed, 1 a flow failed or left resources behind, 2 bad options or a
refused real run (nothing was created).
`;

/** Where the entry point writes. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
}

class UsageError extends Error {}

const OPTIONS = {
  flow: { type: 'string', multiple: true },
  'grace-minutes': { type: 'string' },
  'record-dir': { type: 'string' },
  real: { type: 'boolean' },
  'confirm-account': { type: 'string' },
  region: { type: 'string' },
  stack: { type: 'string' },
  'topic-arn': { type: 'string' },
  'source-image': { type: 'string' },
  port: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: false, strict: true }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function selectFlows(names: string[] | undefined): Flow[] {
  if (!names) return [...FLOWS];
  return names.map((n) => {
    const flow = FLOWS.find((f) => f.name === n);
    if (!flow) throw new UsageError(`unknown flow "${n}" (flows: ${FLOWS.map((f) => f.name).join(', ')})`);
    return flow;
  });
}

function graceOf(value: string | undefined): number {
  if (value === undefined) return 5;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--grace-minutes must be a whole number ≥ 1, got "${value}"`);
  return n;
}

function required(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--real needs --${name}`);
  return v;
}

/** The entry point: parses `argv`, runs the flows, returns the exit status. */
export async function main(argv: string[], io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let values: ReturnType<typeof parse>;
  let flows: Flow[];
  let grace: number;
  try {
    values = parse(argv);
    if (values.help) {
      io.stdout(USAGE);
      return 0;
    }
    flows = selectFlows(values.flow);
    grace = graceOf(values['grace-minutes']);
    if (!values.real) {
      for (const o of ['confirm-account', 'stack', 'topic-arn', 'source-image', 'port'] as const) {
        if (values[o] !== undefined) throw new UsageError(`--${o} only applies with --real`);
      }
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`test:aws: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  const print = (line: string) => io.stdout(`${line}\n`);
  const checkEvents = (events: SeenEvent[]) => checkRecorded(events, ROOT);

  if (!values.real) {
    const recordDir = values['record-dir'] ?? mkdtempSync(join(tmpdir(), 'agtest-sandbox-'));
    print(`acceptance against the sandbox (simulated clock); App Runner events recorded in ${recordDir}`);
    try {
      const results = await runFlows(flows, {
        targetFor: () => new SandboxTarget({ graceMinutes: grace }),
        recordDir,
        print,
        checkEvents,
      });
      return results.every((r) => r.passed) ? 0 : 1;
    } finally {
      await closeSandbox();
    }
  }

  let targetFor: (flow: Flow) => Target;
  let recordDir: string;
  try {
    const region = values.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    if (!region) throw new UsageError('--real needs --region (or AWS_REGION)');
    const stack = required(values, 'stack');
    const topicArn = required(values, 'topic-arn');
    const config = { ...clientConfig(), region };
    const identity = await confirmAccount(new STSClient(config), values['confirm-account']);
    const clients: RealClients = {
      appRunner: new AppRunnerClient(config),
      ecr: new ECRClient(config),
      iam: new IAMClient(config),
      sqs: new SQSClient(config),
      eventBridge: new EventBridgeClient(config),
      sns: new SNSClient(config),
      scheduler: new SchedulerClient(config),
    };
    const pushImage = dockerImagePusher(clients.ecr, values['source-image'] ?? DEFAULT_SOURCE_IMAGE);
    recordDir =
      values['record-dir'] ??
      join(ROOT, 'events', 'recorded', new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19));
    print(`acceptance against account ${identity.account} (${identity.arn}) in ${region}, stack ${stack}`);
    print(`resources are named ${PREFIX_ROOT}<random>-…; App Runner events recorded in ${recordDir}`);
    targetFor = () => {
      const target = new RealTarget(clients, {
        prefix: newPrefix(),
        account: identity.account,
        region,
        alertTopicArn: topicArn,
        pauseResumeFunctionArn: `arn:aws:lambda:${region}:${identity.account}:function:${stack}-pause-resume`,
        graceMinutes: grace,
        port: values.port ?? DEFAULT_SOURCE_PORT,
        pushImage,
      });
      print(`  (${target.prefix})`);
      return target;
    };
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`test:aws: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof RefusalError) {
      io.stderr(`test:aws: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const results = await runFlows(flows, { targetFor, recordDir, print, checkEvents });
  return results.every((r) => r.passed) ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  main(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `test:aws: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
