import type { CloudWatchTargets } from './cloudwatch.ts';
import { createGuardTables, type LocalDynamoDB, startDynamoDB } from './dynamodb.ts';
import type { EcrStandIn } from './ecr.ts';
import type { EventBridgeStandIn } from './eventbridge.ts';
import type { ApiName } from './faults.ts';
import {
  type ApiHooks,
  apiHandler,
  awsJsonProtocol,
  type HttpRequest,
  type HttpResponse,
  type LocalServer,
  listen,
  type Protocol,
} from './http.ts';
import type { SchedulerStandIn } from './scheduler.ts';
import { schedulerProtocol } from './scheduler.ts';
import type { SlackReceiver } from './slack.ts';
import type { SlackApiStandIn } from './slack-api.ts';
import { type SnsStandIn, snsProtocol } from './sns.ts';
import type { SqsStandIn } from './sqs.ts';
import { dispatchSqs, sqsProtocol } from './sqs-api.ts';
import type { SsmStandIn } from './ssm.ts';
import { type StsStandIn, stsProtocol } from './sts.ts';

/** The stand-ins of the scenario being run; the servers route each request to it. */
export interface ActiveWorld {
  hooks: ApiHooks;
  /** App Runner of every target (requests go to their caller's account and region). */
  apprunner: { dispatch(operation: string, req: HttpRequest): Promise<HttpResponse> };
  /** The Resource Groups Tagging API over the same services. */
  tagging: { dispatch(operation: string, req: HttpRequest): Promise<HttpResponse> };
  sts: StsStandIn;
  /** AWS Organizations: the scenario's organisation (its units and their accounts). */
  organizations: { dispatch(operation: string, req: HttpRequest): Promise<HttpResponse> };
  ecr: EcrStandIn;
  ssm: SsmStandIn;
  sns: SnsStandIn;
  eventbridge: EventBridgeStandIn;
  scheduler: SchedulerStandIn;
  sqs: SqsStandIn;
  slack: SlackReceiver;
  cloudwatch: CloudWatchTargets;
  /** The Slack Web API (app mode): `chat.postMessage`, `chat.update`, `usergroups.users.list`. */
  slackApi: SlackApiStandIn;
}

/** The stand-ins that answer an AWS API through one `dispatch(operation, request)`. */
type Dispatching = {
  [K in keyof ActiveWorld]: ActiveWorld[K] extends {
    dispatch(operation: string, req: HttpRequest): Promise<HttpResponse>;
  }
    ? K
    : never;
}[keyof ActiveWorld] &
  ApiName;

/** The sandbox's servers: started once per process, on stable ports, shared by every scenario. */
export interface SandboxEnvironment {
  endpoints: {
    apprunner: string;
    ecr: string;
    ssm: string;
    sns: string;
    eventbridge: string;
    scheduler: string;
    sqs: string;
    dynamodb: string;
    slack: string;
    cloudwatch: string;
    /** The Slack Web API stand-in; methods at `<url>/api/<method>`. */
    slackApi: string;
    tagging: string;
    sts: string;
    organizations: string;
  };
  db: LocalDynamoDB;
  /**
   * Routes requests to a scenario's stand-ins. `undefined` ends a run: every stand-in answers 503,
   * and the idle keep-alive connections of its clients are closed (each run imports the handlers
   * afresh, so its clients are never used again; left open, their sockets piled up for a minute
   * each over a long series of runs).
   */
  activate(world: ActiveWorld | undefined): void;
  /** Drops and recreates the guard's tables (state must not leak between scenarios). */
  resetTables(names: { idempotency: string; ledger: string }): Promise<void>;
  close(): Promise<void>;
}

/** The SDK's per-service endpoint variables the sandbox sets (the clients read them unchanged). */
export const ENDPOINT_VARIABLES = {
  apprunner: 'AWS_ENDPOINT_URL_APPRUNNER',
  ecr: 'AWS_ENDPOINT_URL_ECR',
  ssm: 'AWS_ENDPOINT_URL_SSM',
  sns: 'AWS_ENDPOINT_URL_SNS',
  eventbridge: 'AWS_ENDPOINT_URL_EVENTBRIDGE',
  scheduler: 'AWS_ENDPOINT_URL_SCHEDULER',
  sqs: 'AWS_ENDPOINT_URL_SQS',
  dynamodb: 'AWS_ENDPOINT_URL_DYNAMODB',
  cloudwatch: 'AWS_ENDPOINT_URL_CLOUDWATCH',
  tagging: 'AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API',
  sts: 'AWS_ENDPOINT_URL_STS',
  organizations: 'AWS_ENDPOINT_URL_ORGANIZATIONS',
} as const;

let started: Promise<SandboxEnvironment> | undefined;

const idle: HttpResponse = {
  status: 503,
  headers: { 'content-type': 'text/plain' },
  body: 'sandbox: no scenario is running',
};

async function start(): Promise<SandboxEnvironment> {
  let world: ActiveWorld | undefined;
  const hooks = () => world?.hooks;
  const servers: LocalServer[] = [];
  const serve = async (h: Parameters<typeof listen>[0]) => {
    const s = await listen(h);
    servers.push(s);
    return s.url;
  };
  const guarded =
    <K extends keyof ActiveWorld>(
      key: K,
      f: (
        w: ActiveWorld[K],
        op: string,
        req: Parameters<Parameters<typeof listen>[0]>[0],
      ) => Promise<HttpResponse>,
    ) =>
    (op: string, req: Parameters<Parameters<typeof listen>[0]>[0]) =>
      world ? f(world[key], op, req) : Promise.resolve(idle);

  // One server per AWS API: its wire protocol, and the scenario's stand-in that answers it.
  const serveApi = (api: Dispatching, protocol: Protocol) =>
    serve(
      apiHandler(
        api,
        protocol,
        guarded(api, (w, op, req) => w.dispatch(op, req)),
        hooks,
      ),
    );
  const apprunner = await serveApi(
    'apprunner',
    awsJsonProtocol('1.0', 'AppRunner', 'InternalServiceErrorException'),
  );
  const ecr = await serveApi(
    'ecr',
    awsJsonProtocol('1.1', 'AmazonEC2ContainerRegistry_V20150921', 'ServerException'),
  );
  const ssm = await serveApi('ssm', awsJsonProtocol('1.1', 'AmazonSSM', 'InternalServerError'));
  const sns = await serveApi('sns', snsProtocol);
  const eventbridge = await serveApi('eventbridge', awsJsonProtocol('1.1', 'AWSEvents', 'InternalException'));
  const scheduler = await serveApi('scheduler', schedulerProtocol);
  const sqs = await serve(
    apiHandler(
      'sqs',
      sqsProtocol,
      guarded('sqs', async (w, op, req) => dispatchSqs(w, op, req)),
      hooks,
    ),
  );
  const cloudwatch = await serveApi(
    'cloudwatch',
    awsJsonProtocol('1.0', 'GraniteServiceVersion20100801', 'InternalServiceFault'),
  );
  const tagging = await serveApi(
    'tagging',
    awsJsonProtocol('1.1', 'ResourceGroupsTaggingAPI_20170126', 'InternalServiceException'),
  );
  const sts = await serveApi('sts', stsProtocol);
  const organizations = await serveApi(
    'organizations',
    awsJsonProtocol('1.1', 'AWSOrganizationsV20161128', 'ServiceException'),
  );
  const slack = await serve(async (req) => (world ? world.slack.handle(req) : idle));
  const slackApi = await serve(async (req) => (world ? world.slackApi.handle(req) : idle));
  const db = await startDynamoDB();

  return {
    endpoints: {
      apprunner,
      ecr,
      ssm,
      sns,
      eventbridge,
      scheduler,
      sqs,
      dynamodb: db.endpoint,
      slack,
      cloudwatch,
      slackApi,
      tagging,
      sts,
      organizations,
    },
    db,
    activate(w) {
      world = w;
      if (w === undefined) {
        for (const s of servers) s.closeIdle();
        db.closeIdle();
      }
    },
    async resetTables(names) {
      const { DeleteTableCommand, ListTablesCommand } = await import('@aws-sdk/client-dynamodb');
      const existing = (await db.client.send(new ListTablesCommand({}))).TableNames ?? [];
      for (const t of existing) await db.client.send(new DeleteTableCommand({ TableName: t }));
      await createGuardTables(db.client, names);
    },
    async close() {
      world = undefined;
      await Promise.all(servers.map((s) => s.close()));
      await db.close();
    },
  };
}

/** Starts the sandbox's servers once per process and points the SDK's endpoint variables at them. */
export async function startEnvironment(): Promise<SandboxEnvironment> {
  started ??= start().then((env) => {
    for (const [api, variable] of Object.entries(ENDPOINT_VARIABLES)) {
      process.env[variable] = env.endpoints[api as keyof typeof ENDPOINT_VARIABLES];
    }
    return env;
  });
  return started;
}

/** Stops the servers (the CLI calls this before exiting; tests in `afterAll`). */
export async function closeSandbox(): Promise<void> {
  const env = started;
  started = undefined;
  if (env) await (await env).close();
}
