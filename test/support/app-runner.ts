/**
 * The tests' one in-memory App Runner: a configurable fake of the core `AppRunnerPort`
 * (lib/core/ports/app-runner.ts). Services are plain records the test reads back; every call that
 * reaches the service is logged in words (`pause web`, `tag web k1,k2`); faults are injected per
 * call (throttling, "operation in progress"). Tests that deliberately exercise the SDK adapter
 * mock the SDK client instead (aws-sdk-client-mock).
 */
import { NotFoundError, RetryAfterError, RetryableError } from '../../lib/core/errors.ts';
import type { AppRunnerPort, OperationView, ServiceSummaryView } from '../../lib/core/ports/app-runner.ts';
import type { PauseMarkerStore } from '../../lib/core/ports/pause-markers.ts';
import type { ServiceTagsPort } from '../../lib/core/ports/service-tags.ts';
import type { TargetRouter } from '../../lib/core/ports/targets.ts';

export const FAKE_ACCOUNT = '111122223333';

/** A service as the fake holds it; the test keeps the reference and reads its state back. */
export interface InMemoryService {
  name: string;
  status: string;
  tags: Record<string, string>;
  arn?: string;
  image?: string;
  operations?: OperationView[];
}

export interface AppRunnerFaults {
  /** The first n calls are throttled (`RetryableError`, reason throttling). */
  throttleFirst?: number;
  /** Pausing these services (by name) meets "operation in progress" (`RetryAfterError` 120 s). */
  busy?: Set<string>;
}

/** The ARN the fake gives a service named `name` (stable, well-formed). */
export const fakeArnOf = (name: string, region = 'us-east-1') =>
  `arn:aws:apprunner:${region}:${FAKE_ACCOUNT}:service/${name}/${name
    .padEnd(32, '0')
    .replace(/[^0-9a-f]/g, 'a')
    .slice(0, 32)}`;

/**
 * An in-memory App Runner over `services` (mutated in place as the guard acts), with a call log,
 * injected faults and a count of concurrent calls.
 */
export function inMemoryAppRunner(services: InMemoryService[], faults: AppRunnerFaults = {}) {
  const calls: string[] = [];
  let throttles = faults.throttleFirst ?? 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const arnOf = (s: InMemoryService) => s.arn ?? fakeArnOf(s.name);
  const find = (arn: string) => services.find((s) => arnOf(s) === arn);
  const get = (arn: string) => {
    const s = find(arn);
    if (!s) throw new NotFoundError('not found');
    return s;
  };
  /** One API call: yields once (so concurrency is real), then applies throttling, logs, runs. */
  const call = async <T>(what: () => string, fn: () => T): Promise<T> => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((r) => setImmediate(r));
    inFlight--;
    if (throttles > 0) {
      throttles--;
      throw new RetryableError('Rate exceeded', { reason: 'throttling' });
    }
    calls.push(what());
    return fn();
  };
  const summary = (s: InMemoryService): ServiceSummaryView =>
    ({ arn: arnOf(s), name: s.name, id: 'x', status: s.status }) as ServiceSummaryView;

  const port: AppRunnerPort = {
    describeService: (arn) =>
      call(
        () => `describe ${arn}`,
        () => {
          const s = find(arn);
          return s
            ? {
                ...summary(s),
                sourceType: 'image' as const,
                ...(s.image ? { imageIdentifier: s.image } : {}),
              }
            : undefined;
        },
      ),
    listTags: (arn) =>
      call(
        () => `tags ${get(arn).name}`,
        () => ({ ...get(arn).tags }),
      ),
    listOperations: async (arn, max) => (find(arn)?.operations ?? []).slice(0, max),
    async *listServices() {
      for (const s of services) yield summary(s);
    },
    updateImage: (arn, image) =>
      call(
        () => `update ${get(arn).name} ${image}`,
        () => {
          get(arn).image = image;
          return {};
        },
      ),
    pauseService: (arn) =>
      call(
        () => `pause ${get(arn).name}`,
        () => {
          const s = get(arn);
          if (faults.busy?.has(s.name) || s.status !== 'RUNNING') {
            throw new RetryAfterError('operation in progress', 120);
          }
          s.status = 'PAUSED';
          return {};
        },
      ),
    resumeService: (arn) =>
      call(
        () => `resume ${get(arn).name}`,
        () => {
          get(arn).status = 'RUNNING';
          return {};
        },
      ),
    deleteService: (arn) =>
      call(
        () => `delete ${get(arn).name}`,
        () => {
          get(arn).status = 'OPERATION_IN_PROGRESS';
          return {};
        },
      ),
    tagService: (arn, tags) =>
      call(
        () => `tag ${get(arn).name} ${Object.keys(tags).join(',')}`,
        () => {
          Object.assign(get(arn).tags, tags);
        },
      ),
    untagService: (arn, keys) =>
      call(
        () => `untag ${get(arn).name} ${keys.join(',')}`,
        () => {
          for (const k of keys) delete get(arn).tags[k];
        },
      ),
  };
  const nameOf = (arn: string) => find(arn)?.name ?? arn;
  // Bulk tag reads: one call for the whole fleet (the Resource Groups Tagging API), logged once.
  const serviceTags: ServiceTagsPort = {
    listServicesTagged: (key) =>
      call(
        () => 'tags (bulk)',
        () => services.filter((s) => key in s.tags).map((s) => ({ arn: arnOf(s), tags: { ...s.tags } })),
      ),
  };
  // The guard's pause markers (the ledger), by ARN; the test reads them back.
  const markerValues = new Map<string, string>();
  const markers: PauseMarkerStore = {
    list: async () => new Map(markerValues),
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
  const hub = { account: FAKE_ACCOUNT, region: 'us-east-1' };
  const router: TargetRouter = {
    hub,
    isTarget: (account, region) => account === hub.account && region === hub.region,
    listTargets: () => [hub],
    appRunnerIn: () => port,
    serviceTagsIn: () => serviceTags,
  };
  return {
    port,
    calls,
    services,
    maxInFlight: () => maxInFlight,
    router,
    markers,
    /** The marker of a service (by name), as the ledger holds it. */
    markerOf: (name: string) => markerValues.get(fakeArnOf(name)),
    setMarker: (name: string, marker: string) => markerValues.set(fakeArnOf(name), marker),
  };
}
