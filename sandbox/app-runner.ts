import {
  DETAIL_TYPE,
  type OperationName,
  type ServiceStatus,
  toCamelCaseEvent,
} from '../lib/events/app-runner.ts';
import type { SimClock } from './clock.ts';
import { ApiError, type HttpRequest, type HttpResponse, jsonResponse, parseJsonBody } from './http.ts';
import { type ImageRegistry, parseImage } from './images.ts';
import type { Prng } from './prng.ts';
import { stableHex } from './prng.ts';

/** App Runner's `OperationType` enum. */
export type OperationType =
  | 'CREATE_SERVICE'
  | 'START_DEPLOYMENT'
  | 'UPDATE_SERVICE'
  | 'PAUSE_SERVICE'
  | 'RESUME_SERVICE'
  | 'DELETE_SERVICE';

/** App Runner's `OperationStatus` enum (the values the simulator uses). */
export type OperationStatusValue = 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'ROLLBACK_SUCCEEDED';

/** Short names a scenario uses for operations (durations, injected failures). */
export type OperationKind = 'create' | 'deploy' | 'update' | 'pause' | 'resume' | 'delete';

const KIND_OF: Record<OperationType, OperationKind> = {
  CREATE_SERVICE: 'create',
  START_DEPLOYMENT: 'deploy',
  UPDATE_SERVICE: 'update',
  PAUSE_SERVICE: 'pause',
  RESUME_SERVICE: 'resume',
  DELETE_SERVICE: 'delete',
};

const EVENT_NAME: Record<OperationType, OperationName> = {
  CREATE_SERVICE: 'CreateService',
  START_DEPLOYMENT: 'Deployment',
  UPDATE_SERVICE: 'UpdateService',
  PAUSE_SERVICE: 'PauseService',
  RESUME_SERVICE: 'ResumeService',
  DELETE_SERVICE: 'DeleteService',
};

const STARTED_MESSAGE: Record<OperationType, string> = {
  CREATE_SERVICE: 'Service creation started.',
  START_DEPLOYMENT: 'Deployment started.',
  UPDATE_SERVICE: 'Service update started.',
  PAUSE_SERVICE: 'Service pause started.',
  RESUME_SERVICE: 'Service resume started.',
  DELETE_SERVICE: 'Service deletion started.',
};

const SUCCESS_MESSAGE: Record<OperationType, string> = {
  CREATE_SERVICE: 'Service creation completed successfully.',
  START_DEPLOYMENT: 'Deployment completed successfully.',
  UPDATE_SERVICE: 'Service update completed successfully. New application and configuration is deployed.',
  PAUSE_SERVICE: 'Service pause completed successfully.',
  RESUME_SERVICE: 'Service resume completed successfully.',
  DELETE_SERVICE: 'Service deletion completed successfully.',
};

/** Default simulated durations, in seconds. */
export const DEFAULT_DURATIONS: Record<OperationKind, number> = {
  create: 240,
  deploy: 180,
  update: 180,
  pause: 60,
  resume: 120,
  delete: 60,
};

/** One operation on a service, as ListOperations reports it. */
export interface SimOperation {
  id: string;
  type: OperationType;
  status: OperationStatusValue;
  startedAt: number;
  endedAt?: number;
  updatedAt: number;
}

/** Where a service's code comes from. */
export type SimSource =
  | { kind: 'image'; imageIdentifier: string; repositoryType: 'ECR' | 'ECR_PUBLIC'; autoDeploy: boolean }
  | { kind: 'code'; repositoryUrl: string; branch: string; autoDeploy: boolean };

/** A simulated App Runner service. */
export interface SimService {
  name: string;
  id: string;
  arn: string;
  status: ServiceStatus;
  source: SimSource;
  /** Digest (image services) or commit label (code services) actually serving traffic. */
  running?: string;
  /** What was running when the service was paused: resume brings exactly this back. */
  pausedVersion?: string;
  tags: Map<string, string>;
  createdAt: number;
  updatedAt: number;
  deletedAt?: number;
  operations: SimOperation[];
  /** Injected failures still to come, per operation kind. */
  failNext: Partial<Record<OperationKind, number>>;
}

/** How a scenario seeds a service. */
export interface ServiceSpec {
  name: string;
  /** 32 hex characters; derived from the name when absent. */
  id?: string;
  /** Full image identifier (the scenario expands short forms). */
  image?: string;
  code?: { repositoryUrl: string; branch?: string };
  status?: 'RUNNING' | 'PAUSED' | 'CREATE_FAILED' | 'DELETE_FAILED';
  autoDeploy?: boolean;
  tags?: Record<string, string>;
  failNext?: Partial<Record<OperationKind, number>>;
}

/** Simulator settings (per scenario). */
export interface SimulatorSettings {
  account: string;
  region: string;
  spelling: 'PascalCase' | 'camelCase';
  durations: Record<OperationKind, number>;
  serviceQuota: number;
}

/** What the simulator is wired to. */
export interface SimulatorDeps {
  clock: SimClock;
  registry: ImageRegistry;
  prng: Prng;
  /** Puts an App Runner event on the bus. */
  emit(event: AppRunnerWireEvent): void;
  /** A line for the timeline (automatic deployments, skipped triggers). */
  note(text: string, service?: string): void;
}

/** An App Runner EventBridge event as emitted (either detail spelling). */
export interface AppRunnerWireEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: 'aws.apprunner';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{3,39}$/;
const SERVICE_ARN =
  /^arn:aws[\w-]*:apprunner:([a-z0-9-]+):(\d{12}):service\/([A-Za-z0-9][A-Za-z0-9_-]{3,39})\/([0-9a-f]{32})$/;

const secs = (ms: number) => ms / 1000;
/** Event time format of EventBridge: second precision, `Z`. */
export const eventTime = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

/**
 * The App Runner simulator: a fleet of services and a state machine that follows the documented
 * statuses. Operations take simulated time (the service is OPERATION_IN_PROGRESS meanwhile) and
 * emit the operation and status-change events App Runner emits. A deployment of a bad image fails
 * and the service returns to RUNNING on the version it ran before, with the configuration still
 * naming the bad image (App Runner does not change `ImageIdentifier`).
 */
export class AppRunnerSimulator {
  private readonly services = new Map<string, SimService>();
  private readonly gone: SimService[] = [];
  private created = 0;
  private readonly creationFailures = new Set<string>();
  private codeVersions = 0;

  constructor(
    private readonly deps: SimulatorDeps,
    private readonly settings: SimulatorSettings,
  ) {}

  /** ARN of a service of this account and region. */
  arnOf(name: string, id: string): string {
    return `arn:aws:apprunner:${this.settings.region}:${this.settings.account}:service/${name}/${id}`;
  }

  /** Adds a service in a steady state, without events (the fleet a scenario starts with). */
  seed(spec: ServiceSpec): SimService {
    if (!NAME.test(spec.name)) throw new Error(`invalid App Runner service name "${spec.name}"`);
    if ([...this.services.values()].some((s) => s.name === spec.name)) {
      throw new Error(`service "${spec.name}" is declared twice`);
    }
    const id = spec.id ?? stableHex(`sandbox-service:${spec.name}`, 32);
    const now = this.deps.clock.now;
    const source = this.sourceOf(spec);
    const service: SimService = {
      name: spec.name,
      id,
      arn: this.arnOf(spec.name, id),
      status: spec.status ?? 'RUNNING',
      source,
      tags: new Map(Object.entries(spec.tags ?? {})),
      createdAt: now,
      updatedAt: now,
      operations: [],
      failNext: { ...spec.failNext },
    };
    const version = this.versionOf(service);
    if (service.status === 'RUNNING' || service.status === 'PAUSED') {
      if (!version)
        throw new Error(
          `service "${spec.name}": image ${this.describeSource(service)} is not in the registry`,
        );
      service.running = version;
      if (service.status === 'PAUSED') service.pausedVersion = version;
    }
    this.services.set(service.arn, service);
    return service;
  }

  private sourceOf(spec: ServiceSpec): SimSource {
    if (spec.code) {
      return {
        kind: 'code',
        repositoryUrl: spec.code.repositoryUrl,
        branch: spec.code.branch ?? 'main',
        autoDeploy: spec.autoDeploy ?? true,
      };
    }
    if (!spec.image) throw new Error(`service "${spec.name}" needs an image or a code repository`);
    const ref = parseImage(spec.image);
    if (!ref) throw new Error(`service "${spec.name}": "${spec.image}" is not an ECR image identifier`);
    return {
      kind: 'image',
      imageIdentifier: spec.image,
      repositoryType: ref.kind,
      autoDeploy: spec.autoDeploy ?? false,
    };
  }

  private describeSource(s: SimService): string {
    return s.source.kind === 'image'
      ? s.source.imageIdentifier
      : `${s.source.repositoryUrl}#${s.source.branch}`;
  }

  /** What deploying the service now would run: a digest, a commit label, or undefined (missing image). */
  private versionOf(s: SimService): string | undefined {
    if (s.source.kind === 'code') return `commit-${++this.codeVersions}`;
    return this.deps.registry.resolve(s.source.imageIdentifier)?.digest;
  }

  private isBad(version: string | undefined): boolean {
    if (!version) return true;
    return this.deps.registry.byDigest(version)?.bad ?? false;
  }

  /** Every live service (not deleted). */
  list(): SimService[] {
    return [...this.services.values()];
  }

  /** Live and deleted services, for the report. */
  all(): SimService[] {
    return [...this.services.values(), ...this.gone];
  }

  /** A live service by name. */
  byName(name: string): SimService | undefined {
    return this.list().find((s) => s.name === name);
  }

  /** Sets injected failures for a service's next operations of a kind. */
  failNext(name: string, kind: OperationKind, times: number): void {
    const s = this.byName(name);
    if (!s) throw new Error(`no service named "${name}"`);
    s.failNext[kind] = (s.failNext[kind] ?? 0) + times;
  }

  /** Makes the next creation of a service of that name fail (CREATE_FAILED). */
  failCreation(name: string): void {
    this.creationFailures.add(name);
  }

  /**
   * A push moved a tag: like App Runner's ECR automatic deployments, every RUNNING service with
   * automatic deployments on that exact identifier starts a deployment.
   */
  onImagePushed(identifier: string): void {
    for (const s of this.list()) {
      if (s.source.kind !== 'image' || !s.source.autoDeploy || s.source.imageIdentifier !== identifier)
        continue;
      if (s.status !== 'RUNNING') {
        this.deps.note(`automatic deployment not started: ${s.name} is ${s.status}`, s.name);
        continue;
      }
      this.startOperation(s, 'START_DEPLOYMENT');
    }
  }

  // ---- the API ----------------------------------------------------------------------------------

  /** Serves one JSON 1.0 request (`X-Amz-Target: AppRunner.<operation>`). */
  async dispatch(operation: string, req: HttpRequest): Promise<HttpResponse> {
    return jsonResponse(this.call(operation, parseJsonBody(req)), '1.0');
  }

  /** Runs one API operation with a wire-shaped input; throws {@link ApiError} for modelled errors. */
  call(operation: string, input: Record<string, unknown>): Record<string, unknown> {
    switch (operation) {
      case 'CreateService':
        return this.createService(input);
      case 'DescribeService':
        return { Service: this.toService(this.find(input.ServiceArn)) };
      case 'UpdateService':
        return this.updateService(input);
      case 'StartDeployment':
        return this.startDeployment(input);
      case 'PauseService':
        return this.pauseService(input);
      case 'ResumeService':
        return this.resumeService(input);
      case 'DeleteService':
        return this.deleteService(input);
      case 'ListServices':
        return this.listServices(input);
      case 'ListOperations':
        return this.listOperations(input);
      case 'TagResource':
        return this.tagResource(input);
      case 'UntagResource':
        return this.untagResource(input);
      case 'ListTagsForResource': {
        const s = this.find(input.ResourceArn, 'ResourceArn');
        return { Tags: [...s.tags].map(([Key, Value]) => ({ Key, Value })) };
      }
      default:
        throw new ApiError('InvalidRequestException', `The sandbox does not simulate AppRunner.${operation}`);
    }
  }

  private find(arn: unknown, field = 'ServiceArn'): SimService {
    if (typeof arn !== 'string' || arn === '')
      throw new ApiError('InvalidRequestException', `${field} is required`);
    if (!SERVICE_ARN.test(arn))
      throw new ApiError('InvalidRequestException', `${field} is not a valid App Runner service ARN: ${arn}`);
    const s = this.services.get(arn);
    if (!s) throw new ApiError('ResourceNotFoundException', `Resource with ARN ${arn} not found.`);
    return s;
  }

  private requireStatus(s: SimService, allowed: readonly ServiceStatus[], action: string): void {
    if (!allowed.includes(s.status)) {
      throw new ApiError(
        'InvalidStateException',
        `Service ${s.name} cannot ${action} while it is ${s.status}.`,
      );
    }
  }

  private createService(input: Record<string, unknown>) {
    const name = input.ServiceName;
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw new ApiError('InvalidRequestException', 'ServiceName must match [A-Za-z0-9][A-Za-z0-9-_]{3,39}');
    }
    if (this.byName(name))
      throw new ApiError('InvalidRequestException', `Service with the provided name already exists: ${name}`);
    if (this.services.size >= this.settings.serviceQuota) {
      throw new ApiError(
        'ServiceQuotaExceededException',
        `You have reached the maximum number of services (${this.settings.serviceQuota}) in this region.`,
        402,
      );
    }
    const source = this.sourceFromInput(input.SourceConfiguration, undefined);
    const id = stableHex(`sandbox-service:${name}:${++this.created}`, 32);
    const now = this.deps.clock.now;
    const s: SimService = {
      name,
      id,
      arn: this.arnOf(name, id),
      status: 'OPERATION_IN_PROGRESS',
      source,
      tags: new Map(),
      createdAt: now,
      updatedAt: now,
      operations: [],
      failNext: this.creationFailures.delete(name) ? { create: 1 } : {},
    };
    this.applyTags(s, input.Tags);
    this.services.set(s.arn, s);
    const operationId = this.startOperation(s, 'CREATE_SERVICE');
    return { Service: this.toService(s), OperationId: operationId };
  }

  private sourceFromInput(raw: unknown, current: SimSource | undefined): SimSource {
    if (raw === undefined && current) return current;
    if (typeof raw !== 'object' || raw === null)
      throw new ApiError('InvalidRequestException', 'SourceConfiguration is required');
    const src = raw as {
      ImageRepository?: { ImageIdentifier?: unknown; ImageRepositoryType?: unknown };
      CodeRepository?: { RepositoryUrl?: unknown; SourceCodeVersion?: { Value?: unknown } };
      AutoDeploymentsEnabled?: unknown;
    };
    const autoDeploy =
      typeof src.AutoDeploymentsEnabled === 'boolean'
        ? src.AutoDeploymentsEnabled
        : (current?.autoDeploy ?? false);
    if (src.ImageRepository && src.CodeRepository) {
      throw new ApiError(
        'InvalidRequestException',
        'Specify either ImageRepository or CodeRepository, not both',
      );
    }
    if (src.ImageRepository) {
      const identifier = src.ImageRepository.ImageIdentifier;
      const ref = typeof identifier === 'string' ? parseImage(identifier) : undefined;
      if (!ref || typeof identifier !== 'string') {
        throw new ApiError(
          'InvalidRequestException',
          `ImageIdentifier is not a valid ECR image: ${String(identifier)}`,
        );
      }
      const type = src.ImageRepository.ImageRepositoryType;
      if (type === undefined)
        throw new ApiError('InvalidRequestException', 'ImageRepositoryType is required');
      if (type !== ref.kind) {
        throw new ApiError(
          'InvalidRequestException',
          `ImageRepositoryType ${String(type)} does not match ${identifier}`,
        );
      }
      return { kind: 'image', imageIdentifier: identifier, repositoryType: ref.kind, autoDeploy };
    }
    if (src.CodeRepository) {
      const url = src.CodeRepository.RepositoryUrl;
      if (typeof url !== 'string' || url === '')
        throw new ApiError('InvalidRequestException', 'RepositoryUrl is required');
      const branch = src.CodeRepository.SourceCodeVersion?.Value;
      return {
        kind: 'code',
        repositoryUrl: url,
        branch: typeof branch === 'string' ? branch : 'main',
        autoDeploy,
      };
    }
    if (current) return { ...current, autoDeploy };
    throw new ApiError(
      'InvalidRequestException',
      'SourceConfiguration needs an ImageRepository or a CodeRepository',
    );
  }

  private updateService(input: Record<string, unknown>) {
    const s = this.find(input.ServiceArn);
    this.requireStatus(s, ['RUNNING', 'CREATE_FAILED'], 'be updated');
    s.source = this.sourceFromInput(input.SourceConfiguration, s.source);
    const operationId = this.startOperation(s, 'UPDATE_SERVICE');
    return { Service: this.toService(s), OperationId: operationId };
  }

  private startDeployment(input: Record<string, unknown>) {
    const s = this.find(input.ServiceArn);
    this.requireStatus(s, ['RUNNING'], 'start a deployment');
    return { OperationId: this.startOperation(s, 'START_DEPLOYMENT') };
  }

  private pauseService(input: Record<string, unknown>) {
    const s = this.find(input.ServiceArn);
    this.requireStatus(s, ['RUNNING'], 'be paused');
    const operationId = this.startOperation(s, 'PAUSE_SERVICE');
    return { Service: this.toService(s), OperationId: operationId };
  }

  private resumeService(input: Record<string, unknown>) {
    const s = this.find(input.ServiceArn);
    this.requireStatus(s, ['PAUSED'], 'be resumed');
    const operationId = this.startOperation(s, 'RESUME_SERVICE');
    return { Service: this.toService(s), OperationId: operationId };
  }

  private deleteService(input: Record<string, unknown>) {
    const s = this.find(input.ServiceArn);
    this.requireStatus(s, ['RUNNING', 'PAUSED', 'CREATE_FAILED', 'DELETE_FAILED'], 'be deleted');
    const operationId = this.startOperation(s, 'DELETE_SERVICE');
    return { Service: this.toService(s), OperationId: operationId };
  }

  private page<T>(
    items: T[],
    input: Record<string, unknown>,
    scope: string,
  ): { items: T[]; NextToken?: string } {
    const max = input.MaxResults ?? 20;
    if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 20) {
      throw new ApiError('InvalidRequestException', 'MaxResults must be between 1 and 20');
    }
    let offset = 0;
    if (input.NextToken !== undefined) {
      try {
        const t = JSON.parse(Buffer.from(String(input.NextToken), 'base64url').toString('utf8')) as {
          o: number;
          s: string;
        };
        if (t.s !== scope || !Number.isInteger(t.o) || t.o < 0) throw new Error('scope');
        offset = t.o;
      } catch {
        throw new ApiError('InvalidRequestException', 'Invalid NextToken');
      }
    }
    const slice = items.slice(offset, offset + max);
    const next = offset + max < items.length;
    return {
      items: slice,
      ...(next
        ? { NextToken: Buffer.from(JSON.stringify({ o: offset + max, s: scope })).toString('base64url') }
        : {}),
    };
  }

  private listServices(input: Record<string, unknown>) {
    const { items, NextToken } = this.page(this.list(), input, 'services');
    return {
      ServiceSummaryList: items.map((s) => ({
        ServiceName: s.name,
        ServiceId: s.id,
        ServiceArn: s.arn,
        ServiceUrl: this.urlOf(s),
        CreatedAt: secs(s.createdAt),
        UpdatedAt: secs(s.updatedAt),
        Status: s.status,
      })),
      ...(NextToken ? { NextToken } : {}),
    };
  }

  private listOperations(input: Record<string, unknown>) {
    const s = this.find(input.ServiceArn);
    const newestFirst = [...s.operations].reverse();
    const { items, NextToken } = this.page(newestFirst, input, `operations:${s.arn}`);
    return {
      OperationSummaryList: items.map((o) => ({
        Id: o.id,
        Type: o.type,
        Status: o.status,
        TargetArn: s.arn,
        StartedAt: secs(o.startedAt),
        ...(o.endedAt === undefined ? {} : { EndedAt: secs(o.endedAt) }),
        UpdatedAt: secs(o.updatedAt),
      })),
      ...(NextToken ? { NextToken } : {}),
    };
  }

  private applyTags(s: SimService, raw: unknown) {
    if (raw === undefined) return;
    if (!Array.isArray(raw)) throw new ApiError('InvalidRequestException', 'Tags must be a list');
    for (const t of raw as Array<{ Key?: unknown; Value?: unknown }>) {
      if (typeof t.Key !== 'string' || t.Key.length < 1 || t.Key.length > 128) {
        throw new ApiError('InvalidRequestException', 'Tag keys must be 1 to 128 characters');
      }
      if (t.Key.toLowerCase().startsWith('aws:'))
        throw new ApiError('InvalidRequestException', 'Tag keys cannot start with aws:');
      const value = typeof t.Value === 'string' ? t.Value : '';
      if (value.length > 256)
        throw new ApiError('InvalidRequestException', 'Tag values must be at most 256 characters');
      s.tags.set(t.Key, value);
    }
    if (s.tags.size > 50)
      throw new ApiError('InvalidRequestException', 'A resource can have at most 50 tags');
  }

  private tagResource(input: Record<string, unknown>) {
    const s = this.find(input.ResourceArn, 'ResourceArn');
    const before = new Map(s.tags);
    try {
      this.applyTags(s, input.Tags);
    } catch (error) {
      s.tags = before;
      throw error;
    }
    return {};
  }

  private untagResource(input: Record<string, unknown>) {
    const s = this.find(input.ResourceArn, 'ResourceArn');
    if (!Array.isArray(input.TagKeys)) throw new ApiError('InvalidRequestException', 'TagKeys is required');
    for (const k of input.TagKeys) s.tags.delete(String(k));
    return {};
  }

  // ---- the state machine --------------------------------------------------------------------

  private takeFailure(s: SimService, kind: OperationKind): boolean {
    const n = s.failNext[kind] ?? 0;
    if (n <= 0) return false;
    s.failNext[kind] = n - 1;
    return true;
  }

  /** Starts an operation: OPERATION_IN_PROGRESS now, the outcome after the simulated duration. */
  private startOperation(s: SimService, type: OperationType): string {
    const clock = this.deps.clock;
    const now = clock.now;
    const op: SimOperation = {
      id: this.deps.prng.uuid(),
      type,
      status: 'IN_PROGRESS',
      startedAt: now,
      updatedAt: now,
    };
    s.operations.push(op);
    const previous = s.status;
    const kind = KIND_OF[type];
    // What the operation will run is decided when it starts: a tag moved mid-deployment does not count.
    const target =
      type === 'RESUME_SERVICE'
        ? s.pausedVersion
        : type === 'PAUSE_SERVICE' || type === 'DELETE_SERVICE'
          ? s.running
          : this.versionOf(s);
    const injected = this.takeFailure(s, kind);
    this.setStatus(s, 'OPERATION_IN_PROGRESS');
    this.emitOperation(s, type, 'Started', STARTED_MESSAGE[type]);
    if (previous !== 'OPERATION_IN_PROGRESS') this.emitStatus(s, previous, 'OPERATION_IN_PROGRESS');
    const duration = this.settings.durations[kind] * 1000;
    clock.schedule(now + duration, `App Runner ${type} ${s.name}`, () => {
      this.finishOperation(s, op, previous, target, injected);
    });
    return op.id;
  }

  private finishOperation(
    s: SimService,
    op: SimOperation,
    previous: ServiceStatus,
    target: string | undefined,
    injected: boolean,
  ): void {
    const now = this.deps.clock.now;
    op.endedAt = now;
    op.updatedAt = now;
    let ok = !injected;
    let final: ServiceStatus;
    let failure = 'Service operation failed.';
    switch (op.type) {
      case 'CREATE_SERVICE':
      case 'START_DEPLOYMENT':
      case 'UPDATE_SERVICE': {
        if (ok && !target) {
          ok = false;
          failure = `Image ${this.describeSource(s)} was not found.`;
        } else if (ok && this.isBad(target)) {
          ok = false;
          failure = 'Health check failed.';
        } else if (!ok) failure = 'Health check failed.';
        if (ok) {
          s.running = target;
          final = 'RUNNING';
        } else final = op.type === 'CREATE_SERVICE' ? 'CREATE_FAILED' : previous;
        // A failed change of a running service is rolled back to the version it ran before.
        op.status = ok ? 'SUCCEEDED' : final === 'RUNNING' ? 'ROLLBACK_SUCCEEDED' : 'FAILED';
        break;
      }
      case 'PAUSE_SERVICE':
        final = ok ? 'PAUSED' : previous;
        if (ok) s.pausedVersion = s.running;
        op.status = ok ? 'SUCCEEDED' : 'FAILED';
        break;
      case 'RESUME_SERVICE':
        final = ok ? 'RUNNING' : previous;
        if (ok) s.running = s.pausedVersion ?? s.running;
        op.status = ok ? 'SUCCEEDED' : 'FAILED';
        break;
      case 'DELETE_SERVICE':
        final = ok ? 'DELETED' : 'DELETE_FAILED';
        op.status = ok ? 'SUCCEEDED' : 'FAILED';
        break;
    }
    this.setStatus(s, final);
    if (ok) this.emitOperation(s, op.type, 'CompletedSuccessfully', SUCCESS_MESSAGE[op.type]);
    else {
      const message =
        op.type === 'START_DEPLOYMENT'
          ? `Deployment with ID : ${op.id} failed. Failure reason : ${failure}`
          : op.type === 'UPDATE_SERVICE'
            ? `Service update failed. Failure reason : ${failure}`
            : op.type === 'CREATE_SERVICE'
              ? `Service creation failed. Failure reason : ${failure}`
              : `${STARTED_MESSAGE[op.type].replace(' started.', ' failed.')}`;
      this.emitOperation(s, op.type, 'Failed', message);
    }
    this.emitStatus(s, 'OPERATION_IN_PROGRESS', final);
    if (final === 'DELETED') {
      s.deletedAt = now;
      this.services.delete(s.arn);
      this.gone.push(s);
    }
  }

  private setStatus(s: SimService, status: ServiceStatus) {
    s.status = status;
    s.updatedAt = this.deps.clock.now;
  }

  private emitOperation(s: SimService, type: OperationType, phase: string, message: string) {
    this.emitEvent(s, DETAIL_TYPE.operationStatus, {
      Status: `${EVENT_NAME[type]}${phase}`,
      ServiceName: s.name,
      ServiceId: s.id,
      Message: message,
      Severity: phase === 'Failed' ? 'ERROR' : 'INFO',
    });
  }

  private emitStatus(s: SimService, previous: ServiceStatus, current: ServiceStatus) {
    this.emitEvent(s, DETAIL_TYPE.serviceStatus, {
      PreviousStatus: previous,
      CurrentStatus: current,
      ServiceName: s.name,
      ServiceId: s.id,
      Message: `Service status is set to ${current}.`,
      Severity: 'INFO',
    });
  }

  private emitEvent(s: SimService, detailType: string, detail: Record<string, unknown>) {
    const event: AppRunnerWireEvent = {
      version: '0',
      id: this.deps.prng.uuid(),
      'detail-type': detailType,
      source: 'aws.apprunner',
      account: this.settings.account,
      time: eventTime(this.deps.clock.now),
      region: this.settings.region,
      resources: [s.arn],
      detail,
    };
    this.deps.emit(this.settings.spelling === 'camelCase' ? toCamelCaseEvent(event) : event);
  }

  private urlOf(s: SimService): string {
    return `${s.id.slice(0, 10)}.${this.settings.region}.awsapprunner.com`;
  }

  /** The `Service` structure of DescribeService and friends. */
  toService(s: SimService): Record<string, unknown> {
    const region = this.settings.region;
    const account = this.settings.account;
    const src = s.source;
    const SourceConfiguration =
      src.kind === 'image'
        ? {
            ImageRepository: {
              ImageIdentifier: src.imageIdentifier,
              ImageRepositoryType: src.repositoryType,
              ImageConfiguration: { Port: '8080' },
            },
            AutoDeploymentsEnabled: src.autoDeploy,
            ...(src.repositoryType === 'ECR'
              ? {
                  AuthenticationConfiguration: {
                    AccessRoleArn: `arn:aws:iam::${account}:role/AppRunnerECRAccessRole`,
                  },
                }
              : {}),
          }
        : {
            CodeRepository: {
              RepositoryUrl: src.repositoryUrl,
              SourceCodeVersion: { Type: 'BRANCH', Value: src.branch },
              CodeConfiguration: { ConfigurationSource: 'REPOSITORY' },
            },
            AutoDeploymentsEnabled: src.autoDeploy,
          };
    return {
      ServiceName: s.name,
      ServiceId: s.id,
      ServiceArn: s.arn,
      ServiceUrl: this.urlOf(s),
      CreatedAt: secs(s.createdAt),
      UpdatedAt: secs(s.updatedAt),
      ...(s.deletedAt === undefined ? {} : { DeletedAt: secs(s.deletedAt) }),
      Status: s.status,
      SourceConfiguration,
      InstanceConfiguration: { Cpu: '1024', Memory: '2048' },
      HealthCheckConfiguration: {
        Protocol: 'TCP',
        Interval: 10,
        Timeout: 5,
        HealthyThreshold: 1,
        UnhealthyThreshold: 5,
      },
      AutoScalingConfigurationSummary: {
        AutoScalingConfigurationArn: `arn:aws:apprunner:${region}:${account}:autoscalingconfiguration/DefaultConfiguration/1/00000000000000000000000000000001`,
        AutoScalingConfigurationName: 'DefaultConfiguration',
        AutoScalingConfigurationRevision: 1,
        Status: 'active',
        HasAssociatedService: true,
        IsDefault: true,
      },
      NetworkConfiguration: {
        EgressConfiguration: { EgressType: 'DEFAULT' },
        IngressConfiguration: { IsPubliclyAccessible: true },
        IpAddressType: 'IPV4',
      },
      ObservabilityConfiguration: { ObservabilityEnabled: false },
    };
  }
}
