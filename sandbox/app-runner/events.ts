/**
 * What App Runner emits: the operation events (`<Op>Started`, `<Op>CompletedSuccessfully`,
 * `<Op>Failed`) and the service status changes, with App Runner's own messages, in the PascalCase
 * detail spelling of the developer guide or the camelCase one.
 *
 * @module
 */
import {
  DETAIL_TYPE,
  type OperationName,
  type ServiceStatus,
  toCamelCaseEvent,
} from '../../lib/events/app-runner.ts';
import type {
  AppRunnerWireEvent,
  OperationType,
  SimOperation,
  SimService,
  SimulatorDeps,
  SimulatorSettings,
} from './model.ts';

const EVENT_NAME: Record<OperationType, OperationName> = {
  CREATE_SERVICE: 'CreateService',
  START_DEPLOYMENT: 'Deployment',
  UPDATE_SERVICE: 'UpdateService',
  PAUSE_SERVICE: 'PauseService',
  RESUME_SERVICE: 'ResumeService',
  DELETE_SERVICE: 'DeleteService',
};

export const STARTED_MESSAGE: Record<OperationType, string> = {
  CREATE_SERVICE: 'Service creation started.',
  START_DEPLOYMENT: 'Deployment started.',
  UPDATE_SERVICE: 'Service update started.',
  PAUSE_SERVICE: 'Service pause started.',
  RESUME_SERVICE: 'Service resume started.',
  DELETE_SERVICE: 'Service deletion started.',
};

export const SUCCESS_MESSAGE: Record<OperationType, string> = {
  CREATE_SERVICE: 'Service creation completed successfully.',
  START_DEPLOYMENT: 'Deployment completed successfully.',
  UPDATE_SERVICE: 'Service update completed successfully. New application and configuration is deployed.',
  PAUSE_SERVICE: 'Service pause completed successfully.',
  RESUME_SERVICE: 'Service resume completed successfully.',
  DELETE_SERVICE: 'Service deletion completed successfully.',
};

/** Event time format of EventBridge: second precision, `Z`. */
export const eventTime = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

/** The `Message` of an operation's `Failed` event, as App Runner words it. */
export function failureMessage(op: SimOperation, failure: string): string {
  return op.type === 'START_DEPLOYMENT'
    ? `Deployment with ID : ${op.id} failed. Failure reason : ${failure}`
    : op.type === 'UPDATE_SERVICE'
      ? `Service update failed. Failure reason : ${failure}`
      : op.type === 'CREATE_SERVICE'
        ? `Service creation failed. Failure reason : ${failure}`
        : `${STARTED_MESSAGE[op.type].replace(' started.', ' failed.')}`;
}

/** Emits App Runner's events for a service, in the scenario's detail spelling. */
export class AppRunnerEvents {
  constructor(
    private readonly deps: Pick<SimulatorDeps, 'clock' | 'prng' | 'emit'>,
    private readonly settings: Pick<SimulatorSettings, 'account' | 'region' | 'spelling' | 'tagEvents'>,
  ) {}

  /** Per service: the version of its tags a tag change event carries (EventBridge's `detail.version`). */
  private readonly tagVersions = new Map<string, number>();

  /**
   * EventBridge's `Tag Change on Resource` (source `aws.tag`) for a service whose tags changed:
   * the keys added, changed or removed, and every tag it has now. Whether App Runner services
   * emit it is undocumented: the scenario setting `tagEvents: false` keeps it silent.
   */
  tagChange(s: SimService, changedKeys: readonly string[]) {
    if (!this.settings.tagEvents || changedKeys.length === 0) return;
    const version = (this.tagVersions.get(s.arn) ?? 0) + 1;
    this.tagVersions.set(s.arn, version);
    this.deps.emit({
      version: '0',
      id: this.deps.prng.uuid(),
      'detail-type': 'Tag Change on Resource',
      source: 'aws.tag',
      account: this.settings.account,
      time: eventTime(this.deps.clock.now),
      region: this.settings.region,
      resources: [s.arn],
      detail: {
        'changed-tag-keys': [...changedKeys],
        service: 'apprunner',
        'resource-type': 'service',
        version,
        tags: Object.fromEntries(s.tags),
      },
    });
  }

  /** An operation event: `<Op>Started`, `<Op>CompletedSuccessfully` or `<Op>Failed`. */
  operation(s: SimService, type: OperationType, phase: string, message: string) {
    this.emit(s, DETAIL_TYPE.operationStatus, {
      Status: `${EVENT_NAME[type]}${phase}`,
      ServiceName: s.name,
      ServiceId: s.id,
      Message: message,
      Severity: phase === 'Failed' ? 'ERROR' : 'INFO',
    });
  }

  /** A service status change event. */
  status(s: SimService, previous: ServiceStatus, current: ServiceStatus) {
    this.emit(s, DETAIL_TYPE.serviceStatus, {
      PreviousStatus: previous,
      CurrentStatus: current,
      ServiceName: s.name,
      ServiceId: s.id,
      Message: `Service status is set to ${current}.`,
      Severity: 'INFO',
    });
  }

  private emit(s: SimService, detailType: string, detail: Record<string, unknown>) {
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
}
