/**
 * The App Runner simulator's records: services, operations, settings and what it is wired to.
 *
 * @module
 */

import type { ServiceStatus } from '../../lib/events/app-runner.ts';
import type { SimClock } from '../clock.ts';
import type { ImageRegistry } from '../images.ts';
import type { Prng } from '../prng.ts';

/** App Runner's `OperationType` enum. */
export type OperationType =
  | 'CREATE_SERVICE'
  | 'START_DEPLOYMENT'
  | 'UPDATE_SERVICE'
  | 'PAUSE_SERVICE'
  | 'RESUME_SERVICE'
  | 'DELETE_SERVICE';

/** App Runner's `OperationStatus` enum (the values the simulator uses). */
export type OperationStatusValue =
  | 'IN_PROGRESS'
  | 'SUCCEEDED'
  | 'FAILED'
  | 'ROLLBACK_IN_PROGRESS'
  | 'ROLLBACK_SUCCEEDED';

/** Short names a scenario uses for operations (durations, injected failures). */
export type OperationKind = 'create' | 'deploy' | 'update' | 'pause' | 'resume' | 'delete';

/** The scenario's short name of each operation type. */
export const KIND_OF: Record<OperationType, OperationKind> = {
  CREATE_SERVICE: 'create',
  START_DEPLOYMENT: 'deploy',
  UPDATE_SERVICE: 'update',
  PAUSE_SERVICE: 'pause',
  RESUME_SERVICE: 'resume',
  DELETE_SERVICE: 'delete',
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

/**
 * When App Runner emits `DeploymentFailed` / `UpdateServiceFailed` (undocumented): when the failure
 * is detected, while its own rollback still runs and the service is OPERATION_IN_PROGRESS, or
 * once that rollback has settled and the service is RUNNING again.
 */
export type FailureEventTiming = 'detection' | 'after-rollback';

/** Simulator settings (per scenario). */
export interface SimulatorSettings {
  account: string;
  region: string;
  spelling: 'PascalCase' | 'camelCase';
  durations: Record<OperationKind, number>;
  serviceQuota: number;
  /**
   * How long App Runner's own rollback of a failed deployment or update of a running service takes,
   * in seconds (real App Runner: up to 15–20 minutes). The service stays OPERATION_IN_PROGRESS
   * meanwhile and refuses every mutating call.
   */
  rollbackSeconds: number;
  /** When the failure event of a rolled-back deployment or update is emitted. */
  failureEventTiming: FailureEventTiming;
  /**
   * Whether a failed UpdateService that App Runner rolls back also reverts the configuration to
   * what it was before the update (true), or leaves the new image configured (false).
   */
  updateFailureRevertsConfig: boolean;
  /**
   * Whether tagging or untagging a service emits EventBridge's `Tag Change on Resource` (source
   * `aws.tag`): undocumented for App Runner, so scenarios run both ways.
   */
  tagEvents: boolean;
}

/**
 * The simulator's defaults for App Runner's undocumented behaviours: the behaviour the sandbox had
 * before they became settings (an instant rollback, the failure event emitted as the service is
 * RUNNING again, the failed image left configured), so existing scenarios keep their meaning.
 */
export const DEFAULT_APP_RUNNER_BEHAVIOUR: Pick<
  SimulatorSettings,
  'rollbackSeconds' | 'failureEventTiming' | 'updateFailureRevertsConfig' | 'tagEvents'
> = {
  rollbackSeconds: 0,
  failureEventTiming: 'after-rollback',
  updateFailureRevertsConfig: false,
  tagEvents: true,
};

/** What the simulator is wired to. */
export interface SimulatorDeps {
  clock: SimClock;
  registry: ImageRegistry;
  prng: Prng;
  /** Puts an App Runner event on the bus. */
  emit(event: AppRunnerWireEvent): void;
  /** A line for the timeline (automatic deployments, skipped triggers). */
  note(text: string, service?: string): void;
  /** A deployment succeeded: the service now serves `service.running` (CloudWatch judges it). */
  serving?(service: SimService): void;
}

/** An App Runner EventBridge event as emitted (either detail spelling), or a tag change of a service. */
export interface AppRunnerWireEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: 'aws.apprunner' | 'aws.tag';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/** App Runner's service name rule. */
export const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{3,39}$/;
