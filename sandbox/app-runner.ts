/**
 * The App Runner simulator: the public entry point. It is split by reason to change in
 * `sandbox/app-runner/`: `api.ts` (the JSON 1.0 operations, their validation and errors),
 * `lifecycle.ts` (the fleet and the state machine, timings and injected failures), `events.ts`
 * (what App Runner emits, in both detail spellings) and `model.ts` (the records).
 *
 * @module
 */

import { AppRunnerApi } from './app-runner/api.ts';
import { AppRunnerEvents } from './app-runner/events.ts';
import { ServiceLifecycle } from './app-runner/lifecycle.ts';
import type {
  OperationKind,
  ServiceSpec,
  SimService,
  SimulatorDeps,
  SimulatorSettings,
} from './app-runner/model.ts';
import type { HttpRequest, HttpResponse } from './http.ts';

export { eventTime } from './app-runner/events.ts';
export {
  type AppRunnerWireEvent,
  DEFAULT_APP_RUNNER_BEHAVIOUR,
  DEFAULT_DURATIONS,
  type FailureEventTiming,
  type OperationKind,
  type OperationStatusValue,
  type OperationType,
  type ServiceSpec,
  type SimOperation,
  type SimService,
  type SimSource,
  type SimulatorDeps,
  type SimulatorSettings,
} from './app-runner/model.ts';

/**
 * The App Runner simulator: a fleet of services and a state machine that follows the documented
 * statuses. Operations take simulated time (the service is OPERATION_IN_PROGRESS meanwhile) and
 * emit the operation and status-change events App Runner emits. A deployment of a bad image fails
 * and the service returns to RUNNING on the version it ran before, with the configuration still
 * naming the bad image (App Runner does not change `ImageIdentifier`).
 */
export class AppRunnerSimulator {
  private readonly fleet: ServiceLifecycle;
  private readonly api: AppRunnerApi;

  constructor(deps: SimulatorDeps, settings: SimulatorSettings) {
    const events = new AppRunnerEvents(deps, settings);
    this.fleet = new ServiceLifecycle(deps, settings, events);
    this.api = new AppRunnerApi(this.fleet, settings, events);
  }

  /** ARN of a service of this account and region. */
  arnOf(name: string, id: string): string {
    return this.fleet.arnOf(name, id);
  }

  /** Adds a service in a steady state, without events (the fleet a scenario starts with). */
  seed(spec: ServiceSpec): SimService {
    return this.fleet.seed(spec);
  }

  /** Every live service (not deleted). */
  list(): SimService[] {
    return this.fleet.list();
  }

  /** Live and deleted services, for the report. */
  all(): SimService[] {
    return this.fleet.all();
  }

  /** A live service by name. */
  byName(name: string): SimService | undefined {
    return this.fleet.byName(name);
  }

  /** Sets injected failures for a service's next operations of a kind. */
  failNext(name: string, kind: OperationKind, times: number): void {
    this.fleet.failNext(name, kind, times);
  }

  /** Makes the next creation of a service of that name fail (CREATE_FAILED). */
  failCreation(name: string): void {
    this.fleet.failCreation(name);
  }

  /**
   * A push moved a tag: like App Runner's ECR automatic deployments, every RUNNING service with
   * automatic deployments on that exact identifier starts a deployment.
   */
  onImagePushed(identifier: string): void {
    this.fleet.onImagePushed(identifier);
  }

  /** Serves one JSON 1.0 request (`X-Amz-Target: AppRunner.<operation>`). */
  dispatch(operation: string, req: HttpRequest): Promise<HttpResponse> {
    return this.api.dispatch(operation, req);
  }

  /** Runs one API operation with a wire-shaped input; throws `ApiError` for modelled errors. */
  call(operation: string, input: Record<string, unknown>): Record<string, unknown> {
    return this.api.call(operation, input);
  }

  /** The `Service` structure of DescribeService and friends. */
  toService(s: SimService): Record<string, unknown> {
    return this.api.toService(s);
  }
}
