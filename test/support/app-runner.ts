/**
 * The tests' one App Runner: a stateful in-memory model of the services the guard reads and acts
 * on, seen two ways over the same state:
 * - `.port`, the core `AppRunnerPort` (lib/core/ports/app-runner.ts), for tests of `lib/<job>`;
 * - `.installOn(mockClient(AppRunnerClient))`, the App Runner API behind aws-sdk-client-mock, for
 *   handler and CLI tests that go through the real adapter (lib/aws/app-runner.ts).
 * Services are plain records the test keeps and reads back (mutated in place as the guard acts);
 * every call that reaches a service is logged in words (`pause web`, `tag web k1,k2`); faults are
 * injected per call (throttling, "operation in progress", or any error for one operation).
 */
import type { AppRunnerClient, OperationSummary, Service } from '@aws-sdk/client-apprunner';
import {
  DeleteServiceCommand,
  DescribeServiceCommand,
  ListOperationsCommand,
  ListServicesCommand,
  ListTagsForResourceCommand,
  PauseServiceCommand,
  ResumeServiceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-apprunner';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { NotFoundError, RetryAfterError, RetryableError } from '../../lib/core/errors.ts';
import type {
  AppRunnerPort,
  OperationView,
  ServiceSummaryView,
  ServiceView,
} from '../../lib/core/ports/app-runner.ts';
import type { PauseMarkerStore } from '../../lib/core/ports/pause-markers.ts';
import type { ServiceTagsPort } from '../../lib/core/ports/service-tags.ts';
import type { TargetRouter } from '../../lib/core/ports/targets.ts';
import type { ServiceStatus } from '../../lib/events/app-runner.ts';
import { sdkError } from './sdk-errors.ts';

export const FAKE_ACCOUNT = '111122223333';

/** A service as the model holds it; the test keeps the reference and reads its state back. */
export interface InMemoryService {
  name: string;
  status: string;
  tags: Record<string, string>;
  /** Defaults to `fakeArnOf(name)`. */
  arn?: string;
  /** Defaults to the ARN's last segment. */
  id?: string;
  /** The configured image (`repo:tag` or `repo@sha256:…`). */
  image?: string;
  repositoryType?: 'ECR' | 'ECR_PUBLIC';
  /** A source-code service (CodeRepository): no image to pin. */
  code?: boolean;
  /** App Runner's automatic deployments; by default off for an image, on for code. */
  autoDeployments?: boolean;
  /** Newest first, as `ListOperations` returns them. */
  operations?: OperationSummary[];
  createdAt?: Date;
  updatedAt?: Date;
  /** Deleted behind the guard's back: every call about it is "not found", and it is not listed. */
  deleted?: boolean;
}

/** The calls a fault can target. */
export type AppRunnerOperation =
  | 'describe'
  | 'list-services'
  | 'list-tags'
  | 'list-operations'
  | 'update'
  | 'pause'
  | 'resume'
  | 'delete'
  | 'tag'
  | 'untag';

export interface AppRunnerFaults {
  /** The first n calls are throttled (port: `RetryableError`; SDK: `ThrottlingException`). */
  throttleFirst?: number;
  /** Pausing these services (by name) meets "operation in progress" (as pausing a non-RUNNING one). */
  busy?: Set<string>;
  /**
   * Any error for one call: returned errors are thrown as they are (give core errors to the port,
   * SDK-shaped ones to the SDK face). Asked after the service was found.
   */
  fail?: (operation: AppRunnerOperation, arn: string | undefined) => Error | undefined;
}

/** The ARN the fake gives a service named `name` (stable, well-formed). */
export const fakeArnOf = (name: string, region = 'us-east-1') =>
  `arn:aws:apprunner:${region}:${FAKE_ACCOUNT}:service/${name}/${name
    .padEnd(32, '0')
    .replace(/[^0-9a-f]/g, 'a')
    .slice(0, 32)}`;

/** How many services one `ListServices` page holds (small, so pagination is exercised). */
export const LIST_PAGE_SIZE = 2;

const READS = new Set<AppRunnerOperation>(['describe', 'list-services', 'list-tags', 'list-operations']);

/** What went wrong in the model, told to each face to translate. */
class Fault extends Error {
  constructor(
    readonly kind: 'not-found' | 'throttled' | 'busy',
    message: string,
  ) {
    super(message);
  }
}

const iso = (d: Date | undefined) => d?.toISOString();

/**
 * An App Runner over `services` (mutated in place as the guard acts), with a call log, a log of
 * image updates, injected faults (mutable: `.faults`) and a count of concurrent port calls.
 */
export function inMemoryAppRunner(services: InMemoryService[] = [], faults: AppRunnerFaults = {}) {
  const calls: string[] = [];
  /** The calls App Runner accepted that change something (update, pause, resume, delete, tag, untag). */
  const changes: string[] = [];
  /** Every `UpdateService`, in order: which service, to which image. */
  const updates: { arn: string; image: string }[] = [];
  /** The automatic-deployments setting each update sent (`undefined` when it sent none). */
  const autoDeployments = new Map<string, boolean | undefined>();
  /** The ARNs `DeleteService` accepted, in order. */
  const deleted: string[] = [];
  let throttled = 0;
  let inFlight = 0;
  let maxInFlight = 0;

  const arnOf = (s: InMemoryService) => s.arn ?? fakeArnOf(s.name);
  const idOf = (s: InMemoryService) => s.id ?? arnOf(s).split('/').at(-1)!;
  const find = (arn: string) => services.find((s) => arnOf(s) === arn && !s.deleted);
  const autoDeploymentsOf = (s: InMemoryService) => s.autoDeployments ?? s.code === true;

  /** One call: throttling, then the service (or "not found"), then an injected fault, then the log. */
  function apply<T>(
    operation: AppRunnerOperation,
    arn: string | undefined,
    what: (s: InMemoryService | undefined) => string,
    fn: (s: InMemoryService) => T,
  ): T {
    // Listing the fleet and an operation history are neither throttled nor logged: the log tells
    // what the guard did to each service.
    const quiet = operation === 'list-services' || operation === 'list-operations';
    if (!quiet && throttled < (faults.throttleFirst ?? 0)) {
      throttled++;
      throw new Fault('throttled', 'Rate exceeded');
    }
    const s = arn === undefined ? undefined : find(arn);
    if (arn !== undefined && !s) throw new Fault('not-found', 'Service not found');
    const error = faults.fail?.(operation, arn);
    if (error) throw error;
    if (!quiet) calls.push(what(s));
    const result = fn(s as InMemoryService);
    // Only what App Runner accepted changed something (a refused pause is in `calls`, not here).
    if (!READS.has(operation)) changes.push(what(s));
    return result;
  }

  // ---- behaviours, shared by both faces ----
  const update = (arn: string, image: string, auto: boolean | undefined) =>
    apply(
      'update',
      arn,
      (s) => `update ${s!.name} ${image}`,
      (s) => {
        updates.push({ arn, image });
        autoDeployments.set(arn, auto);
        s.image = image;
        if (auto !== undefined) s.autoDeployments = auto;
        return { operationId: `op-${updates.length}` };
      },
    );
  const pause = (arn: string) =>
    apply(
      'pause',
      arn,
      (s) => `pause ${s!.name}`,
      (s) => {
        if (faults.busy?.has(s.name) || s.status !== 'RUNNING') {
          throw new Fault('busy', 'operation in progress');
        }
        s.status = 'PAUSED';
        return { operationId: 'op-pause' };
      },
    );
  const resume = (arn: string) =>
    apply(
      'resume',
      arn,
      (s) => `resume ${s!.name}`,
      (s) => {
        s.status = 'RUNNING';
        return { operationId: 'op-resume' };
      },
    );
  const remove = (arn: string) =>
    apply(
      'delete',
      arn,
      (s) => `delete ${s!.name}`,
      (s) => {
        deleted.push(arn);
        s.status = 'OPERATION_IN_PROGRESS';
        s.operations = [
          { Id: 'op-delete', Type: 'DELETE_SERVICE', Status: 'IN_PROGRESS' },
          ...(s.operations ?? []),
        ];
        return { operationId: 'op-delete' };
      },
    );
  const tag = (arn: string, tags: Record<string, string>) =>
    apply(
      'tag',
      arn,
      (s) => `tag ${s!.name} ${Object.keys(tags).join(',')}`,
      (s) => void Object.assign(s.tags, tags),
    );
  const untag = (arn: string, keys: readonly string[]) =>
    apply(
      'untag',
      arn,
      (s) => `untag ${s!.name} ${keys.join(',')}`,
      (s) => {
        for (const k of keys) delete s.tags[k];
      },
    );
  const listed = () => services.filter((s) => !s.deleted);

  // ---- the port face ----
  const summary = (s: InMemoryService): ServiceSummaryView => ({
    arn: arnOf(s),
    name: s.name,
    id: idOf(s),
    status: s.status as ServiceStatus,
    ...(s.createdAt ? { createdAt: iso(s.createdAt) } : {}),
    ...(s.updatedAt ? { updatedAt: iso(s.updatedAt) } : {}),
  });
  const view = (s: InMemoryService): ServiceView => ({
    ...summary(s),
    sourceType: s.code ? 'code' : 'image',
    ...(!s.code && s.image ? { imageIdentifier: s.image } : {}),
    ...(!s.code ? { imageRepositoryType: s.repositoryType ?? 'ECR' } : {}),
    autoDeploymentsEnabled: autoDeploymentsOf(s),
  });
  const operationView = (o: OperationSummary): OperationView => ({
    id: o.Id!,
    type: o.Type!,
    status: o.Status!,
    ...(o.StartedAt ? { startedAt: iso(o.StartedAt) } : {}),
    ...(o.EndedAt ? { endedAt: iso(o.EndedAt) } : {}),
    ...(o.UpdatedAt ? { updatedAt: iso(o.UpdatedAt) } : {}),
  });
  /** The port speaks core errors. */
  const asCore = (error: unknown) => {
    if (!(error instanceof Fault)) return error;
    if (error.kind === 'throttled') return new RetryableError(error.message, { reason: 'throttling' });
    if (error.kind === 'busy') return new RetryAfterError(error.message, 120);
    return new NotFoundError(error.message);
  };
  /** One port call: yields once (so concurrency is real), then runs. */
  const call = async <T>(fn: () => T): Promise<T> => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((r) => setImmediate(r));
    inFlight--;
    try {
      return fn();
    } catch (error) {
      throw asCore(error);
    }
  };

  const port: AppRunnerPort = {
    describeService: (arn) =>
      call(() => {
        try {
          return apply('describe', arn, () => `describe ${arn}`, view);
        } catch (error) {
          if (error instanceof Fault && error.kind === 'not-found') return undefined;
          throw error;
        }
      }),
    listTags: (arn) =>
      call(() =>
        apply(
          'list-tags',
          arn,
          (s) => `tags ${s!.name}`,
          (s) => ({ ...s.tags }),
        ),
      ),
    listOperations: (arn, max = 20) =>
      call(() =>
        apply(
          'list-operations',
          arn,
          (s) => `operations ${s!.name}`,
          (s) => (s.operations ?? []).slice(0, max).map(operationView),
        ),
      ),
    async *listServices() {
      const all = await call(() => apply('list-services', undefined, () => 'list', listed));
      for (const s of all) yield summary(s);
    },
    // Pages of 20, as App Runner answers; the token is the index of the page's first service.
    listServicesPage: (nextToken) =>
      call(() => {
        const all = apply('list-services', undefined, () => 'list', listed);
        const from = Number(nextToken ?? 0);
        const to = from + 20;
        return {
          services: all.slice(from, to).map(summary),
          ...(to < all.length ? { nextToken: String(to) } : {}),
        };
      }),
    updateImage: (arn, image, options = {}) => call(() => update(arn, image, options.autoDeploymentsEnabled)),
    pauseService: (arn) => call(() => pause(arn)),
    resumeService: (arn) => call(() => resume(arn)),
    deleteService: (arn) => call(() => remove(arn)),
    tagService: (arn, tags) => call(() => tag(arn, tags)),
    untagService: (arn, keys) => call(() => untag(arn, keys)),
  };

  // ---- the SDK face ----
  const toService = (s: InMemoryService): Service =>
    ({
      ServiceArn: arnOf(s),
      ServiceName: s.name,
      ServiceId: idOf(s),
      ServiceUrl: 'x.awsapprunner.com',
      Status: s.status,
      CreatedAt: s.createdAt ?? new Date('2026-11-20T14:00:00Z'),
      UpdatedAt: s.updatedAt ?? new Date('2026-11-20T14:00:00Z'),
      InstanceConfiguration: {},
      AutoScalingConfigurationSummary: {},
      NetworkConfiguration: {},
      SourceConfiguration: s.code
        ? {
            CodeRepository: {
              RepositoryUrl: 'https://github.com/acme/payments',
              SourceCodeVersion: { Type: 'BRANCH', Value: 'main' },
            },
            AutoDeploymentsEnabled: autoDeploymentsOf(s),
          }
        : {
            ImageRepository: {
              ImageIdentifier: s.image,
              ImageRepositoryType: s.repositoryType ?? 'ECR',
              ImageConfiguration: { Port: '8080' },
            },
            AutoDeploymentsEnabled: autoDeploymentsOf(s),
            AuthenticationConfiguration: { AccessRoleArn: `arn:aws:iam::${FAKE_ACCOUNT}:role/ecr-access` },
          },
    }) as Service;
  /** The API speaks SDK errors, shaped as the SDK throws them. */
  const sdk =
    <I, O>(fn: (input: I) => O) =>
    (input: I): O => {
      try {
        return fn(input);
      } catch (error) {
        if (!(error instanceof Fault)) throw error;
        if (error.kind === 'throttled') {
          throw sdkError('ThrottlingException', error.message, { retryable: { throttling: true } });
        }
        if (error.kind === 'busy') throw sdkError('InvalidStateException', error.message);
        throw sdkError('ResourceNotFoundException', error.message);
      }
    };

  /**
   * Makes `client` (a `mockClient(AppRunnerClient)`) answer from this model: resets its behaviours
   * and history, then installs every App Runner command the guard sends. Call it again after
   * `client.reset()`.
   */
  function installOn(client: AwsClientStub<AppRunnerClient>) {
    client.reset();
    client.on(DescribeServiceCommand).callsFake(
      sdk((input: { ServiceArn: string }) =>
        apply(
          'describe',
          input.ServiceArn,
          () => `describe ${input.ServiceArn}`,
          (s) => ({ Service: toService(s) }),
        ),
      ),
    );
    client.on(ListTagsForResourceCommand).callsFake(
      sdk((input: { ResourceArn: string }) =>
        apply(
          'list-tags',
          input.ResourceArn,
          (s) => `tags ${s!.name}`,
          (s) => ({ Tags: Object.entries(s.tags).map(([Key, Value]) => ({ Key, Value })) }),
        ),
      ),
    );
    client.on(ListOperationsCommand).callsFake(
      sdk((input: { ServiceArn: string; MaxResults?: number }) =>
        apply(
          'list-operations',
          input.ServiceArn,
          (s) => `operations ${s!.name}`,
          (s) => ({ OperationSummaryList: (s.operations ?? []).slice(0, input.MaxResults ?? 20) }),
        ),
      ),
    );
    client.on(ListServicesCommand).callsFake(
      sdk((input: { NextToken?: string }) =>
        apply(
          'list-services',
          undefined,
          () => 'list',
          () => {
            const all = listed();
            const start = input.NextToken ? Number(input.NextToken) : 0;
            const page = all.slice(start, start + LIST_PAGE_SIZE);
            return {
              ServiceSummaryList: page.map((s) => {
                const { ServiceArn, ServiceName, ServiceId, Status, CreatedAt, UpdatedAt } = toService(s);
                return { ServiceArn, ServiceName, ServiceId, Status, CreatedAt, UpdatedAt };
              }),
              ...(start + LIST_PAGE_SIZE < all.length ? { NextToken: String(start + LIST_PAGE_SIZE) } : {}),
            };
          },
        ),
      ),
    );
    client.on(UpdateServiceCommand).callsFake(
      sdk(
        (input: {
          ServiceArn: string;
          SourceConfiguration?: {
            ImageRepository?: { ImageIdentifier?: string };
            AutoDeploymentsEnabled?: boolean;
          };
        }) => {
          const image = input.SourceConfiguration?.ImageRepository?.ImageIdentifier as string;
          const { operationId } = update(
            input.ServiceArn,
            image,
            input.SourceConfiguration?.AutoDeploymentsEnabled,
          );
          return { Service: toService(find(input.ServiceArn)!), OperationId: operationId };
        },
      ),
    );
    const withOperation = (fn: (arn: string) => { operationId: string }) =>
      sdk((input: { ServiceArn: string }) => {
        const { operationId } = fn(input.ServiceArn);
        return { Service: toService(find(input.ServiceArn)!), OperationId: operationId };
      });
    client.on(PauseServiceCommand).callsFake(withOperation(pause));
    client.on(ResumeServiceCommand).callsFake(withOperation(resume));
    client.on(DeleteServiceCommand).callsFake(withOperation(remove));
    client.on(TagResourceCommand).callsFake(
      sdk((input: { ResourceArn: string; Tags?: { Key?: string; Value?: string }[] }) => {
        tag(input.ResourceArn, Object.fromEntries((input.Tags ?? []).map((t) => [t.Key!, t.Value ?? ''])));
        return {};
      }),
    );
    client.on(UntagResourceCommand).callsFake(
      sdk((input: { ResourceArn: string; TagKeys?: string[] }) => {
        untag(input.ResourceArn, input.TagKeys ?? []);
        return {};
      }),
    );
    return client;
  }

  const nameOf = (arn: string) => find(arn)?.name ?? arn;
  // Bulk tag reads: one call for the whole fleet (the Resource Groups Tagging API), logged once.
  const serviceTags: ServiceTagsPort = {
    listServicesTagged: async (key) => {
      calls.push('tags (bulk)');
      return services
        .filter((s) => !s.deleted && key in s.tags)
        .map((s) => ({ arn: arnOf(s), tags: { ...s.tags } }));
    },
  };
  // The guard's pause markers (the ledger), by ARN; the test reads them back.
  const markerValues = new Map<string, string>();
  const markers: PauseMarkerStore = {
    list: async () => new Map(markerValues),
    get: async (arn) => markerValues.get(arn),
    put: async (arn, marker) => {
      calls.push(`mark ${nameOf(arn)}`);
      markerValues.set(arn, marker);
    },
    putMany: async (arns, marker) => {
      calls.push(`mark ${arns.map(nameOf).join(',')}`);
      for (const arn of arns) markerValues.set(arn, marker);
    },
    remove: async (arn) => {
      if (markerValues.delete(arn)) calls.push(`unmark ${nameOf(arn)}`);
    },
  };
  // One target, the hub: the model is one account and region.
  const hub = { account: FAKE_ACCOUNT, region: 'us-east-1' };
  const router: TargetRouter = {
    hub,
    isTarget: (account, region) => account === hub.account && region === hub.region,
    listTargets: () => [hub],
    appRunnerIn: () => port,
    fleetAppRunnerIn: () => port,
    serviceTagsIn: () => serviceTags,
  };

  return {
    port,
    installOn,
    services,
    faults,
    calls,
    changes,
    updates,
    autoDeployments,
    deleted,
    maxInFlight: () => maxInFlight,
    router,
    markers,
    /** The marker of a service (by name), as the ledger holds it. */
    markerOf: (name: string) => markerValues.get(fakeArnOf(name)),
    setMarker: (name: string, marker: string) => markerValues.set(fakeArnOf(name), marker),
    /** Adds a service to the model and returns it (the test keeps the reference). */
    add<S extends InMemoryService>(s: S): S {
      services.push(s);
      return s;
    },
    /** Forgets every service, log and fault (the faults object stays the same one). */
    reset() {
      services.length = 0;
      calls.length = 0;
      changes.length = 0;
      updates.length = 0;
      autoDeployments.clear();
      deleted.length = 0;
      for (const key of Object.keys(faults) as (keyof AppRunnerFaults)[]) delete faults[key];
      throttled = 0;
    },
  };
}

export type InMemoryAppRunner = ReturnType<typeof inMemoryAppRunner>;
