/**
 * The App Runner fleet and its state machine: services in the documented statuses, operations
 * that take simulated time (the service is OPERATION_IN_PROGRESS meanwhile), what each operation
 * runs and how it ends, injected failures, and App Runner's ECR automatic deployments.
 *
 * @module
 */
import type { ServiceStatus } from '../../lib/events/app-runner.ts';
import { parseImage } from '../images.ts';
import { stableHex } from '../prng.ts';
import { type AppRunnerEvents, failureMessage, STARTED_MESSAGE, SUCCESS_MESSAGE } from './events.ts';
import {
  KIND_OF,
  type OperationKind,
  type OperationType,
  SERVICE_NAME,
  type ServiceSpec,
  type SimOperation,
  type SimService,
  type SimSource,
  type SimulatorDeps,
  type SimulatorSettings,
} from './model.ts';

/**
 * The fleet and the state machine. A deployment of a bad image fails and the service returns to
 * RUNNING on the version it ran before, with the configuration still naming the bad image (App
 * Runner does not change `ImageIdentifier`).
 */
export class ServiceLifecycle {
  private readonly services = new Map<string, SimService>();
  private readonly gone: SimService[] = [];
  private created = 0;
  private readonly creationFailures = new Set<string>();
  private codeVersions = 0;

  constructor(
    private readonly deps: SimulatorDeps,
    private readonly settings: SimulatorSettings,
    private readonly events: AppRunnerEvents,
  ) {}

  /** ARN of a service of this account and region. */
  arnOf(name: string, id: string): string {
    return `arn:aws:apprunner:${this.settings.region}:${this.settings.account}:service/${name}/${id}`;
  }

  /** Adds a service in a steady state, without events (the fleet a scenario starts with). */
  seed(spec: ServiceSpec): SimService {
    if (!SERVICE_NAME.test(spec.name)) throw new Error(`invalid App Runner service name "${spec.name}"`);
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

  /**
   * Adds a service that CreateService is creating (the caller starts its CREATE_SERVICE
   * operation). Its id is new for every creation; a creation made to fail fails.
   */
  create(name: string, source: SimSource, tag: (s: SimService) => void): SimService {
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
    tag(s);
    this.services.set(s.arn, s);
    return s;
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

  /** A live service by ARN. */
  get(arn: string): SimService | undefined {
    return this.services.get(arn);
  }

  /** How many services are live (the service quota counts them). */
  get size(): number {
    return this.services.size;
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
   * A push moved a tag: like App Runner's ECR automatic deployments, every RUNNING service
   * configured with exactly that `repo:tag` (an identifier without a tag means `:latest`) and with
   * automatic deployments enabled starts a deployment. A service pinned by digest, one with
   * automatic deployments disabled, or one on another tag is not deployed.
   */
  onImagePushed(identifier: string): void {
    const pushed = parseImage(identifier);
    if (!pushed?.tag) throw new Error(`a push names repo:tag, not "${identifier}"`);
    for (const s of this.list()) {
      if (s.source.kind !== 'image') continue;
      const configured = parseImage(s.source.imageIdentifier);
      if (!configured || configured.registry !== pushed.registry) continue;
      if (configured.repository !== pushed.repository) continue;
      if (configured.digest) {
        this.deps.note(
          `no automatic deployment of ${s.name}: it is pinned to a digest, which a push to ${pushed.repository}:${pushed.tag} does not move`,
          s.name,
        );
        continue;
      }
      if (configured.tag !== pushed.tag) continue;
      if (!s.source.autoDeploy) {
        this.deps.note(`no automatic deployment of ${s.name}: automatic deployments are disabled`, s.name);
        continue;
      }
      if (s.status !== 'RUNNING') {
        this.deps.note(`automatic deployment not started: ${s.name} is ${s.status}`, s.name);
        continue;
      }
      this.startOperation(s, 'START_DEPLOYMENT');
    }
  }

  private takeFailure(s: SimService, kind: OperationKind): boolean {
    const n = s.failNext[kind] ?? 0;
    if (n <= 0) return false;
    s.failNext[kind] = n - 1;
    return true;
  }

  /**
   * Starts an operation: OPERATION_IN_PROGRESS now, the outcome after the simulated duration.
   * `revertTo` is the source configuration before an UpdateService: what a failed update restores
   * when `updateFailureRevertsConfig` is set.
   */
  startOperation(s: SimService, type: OperationType, revertTo?: SimSource): string {
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
    this.events.operation(s, type, 'Started', STARTED_MESSAGE[type]);
    if (previous !== 'OPERATION_IN_PROGRESS') this.events.status(s, previous, 'OPERATION_IN_PROGRESS');
    const duration = this.settings.durations[kind] * 1000;
    clock.schedule(now + duration, `App Runner ${type} ${s.name}`, () => {
      this.finishOperation(s, op, previous, target, injected, revertTo);
    });
    return op.id;
  }

  private finishOperation(
    s: SimService,
    op: SimOperation,
    previous: ServiceStatus,
    target: string | undefined,
    injected: boolean,
    revertTo: SimSource | undefined,
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
          this.deps.serving?.(s);
        } else final = op.type === 'CREATE_SERVICE' ? 'CREATE_FAILED' : previous;
        // A failed change of a running service is rolled back to the version it ran before.
        if (!ok && final === 'RUNNING') {
          this.rollBack(
            s,
            op,
            failureMessage(op, failure),
            op.type === 'UPDATE_SERVICE' ? revertTo : undefined,
          );
          return;
        }
        op.status = ok ? 'SUCCEEDED' : 'FAILED';
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
    if (ok) this.events.operation(s, op.type, 'CompletedSuccessfully', SUCCESS_MESSAGE[op.type]);
    else {
      this.events.operation(s, op.type, 'Failed', failureMessage(op, failure));
    }
    this.events.status(s, 'OPERATION_IN_PROGRESS', final);
    if (final === 'DELETED') {
      s.deletedAt = now;
      this.services.delete(s.arn);
      this.gone.push(s);
    }
  }

  /**
   * App Runner's own rollback of a failed deployment or update of a running service: it keeps the
   * previous version serving, stays OPERATION_IN_PROGRESS for `rollbackSeconds` (the operation is
   * ROLLBACK_IN_PROGRESS meanwhile), then returns to RUNNING. The failure event is emitted at
   * detection or once the rollback has settled (`failureEventTiming`); a failed update reverts its
   * configuration when `updateFailureRevertsConfig` is set.
   */
  private rollBack(s: SimService, op: SimOperation, message: string, revertTo: SimSource | undefined): void {
    const clock = this.deps.clock;
    const { rollbackSeconds, failureEventTiming, updateFailureRevertsConfig } = this.settings;
    op.status = 'ROLLBACK_IN_PROGRESS';
    op.updatedAt = clock.now;
    delete op.endedAt;
    if (failureEventTiming === 'detection') this.events.operation(s, op.type, 'Failed', message);
    const settle = () => {
      const now = clock.now;
      op.status = 'ROLLBACK_SUCCEEDED';
      op.endedAt = now;
      op.updatedAt = now;
      if (updateFailureRevertsConfig && revertTo) s.source = revertTo;
      this.setStatus(s, 'RUNNING');
      if (failureEventTiming === 'after-rollback') this.events.operation(s, op.type, 'Failed', message);
      this.events.status(s, 'OPERATION_IN_PROGRESS', 'RUNNING');
    };
    if (rollbackSeconds > 0) {
      clock.schedule(clock.now + rollbackSeconds * 1000, `App Runner rollback ${s.name}`, settle);
    } else settle();
  }

  private setStatus(s: SimService, status: ServiceStatus) {
    s.status = status;
    s.updatedAt = this.deps.clock.now;
  }
}
