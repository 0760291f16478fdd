/**
 * App Runner's API as the SDK speaks it (AWS JSON 1.0, `X-Amz-Target: AppRunner.<Op>`): input
 * validation, the modelled errors, paging, tags and the wire shapes of services and operations.
 * What an operation does to a service is the lifecycle's (`lifecycle.ts`).
 *
 * @module
 */
import type { ServiceStatus } from '../../lib/events/app-runner.ts';
import { ApiError, type HttpRequest, type HttpResponse, jsonResponse, parseJsonBody } from '../http.ts';
import { parseImage } from '../images.ts';
import type { AppRunnerEvents } from './events.ts';
import type { ServiceLifecycle } from './lifecycle.ts';
import { SERVICE_NAME, type SimService, type SimSource, type SimulatorSettings } from './model.ts';

const SERVICE_ARN =
  /^arn:aws[\w-]*:apprunner:([a-z0-9-]+):(\d{12}):service\/([A-Za-z0-9][A-Za-z0-9_-]{3,39})\/([0-9a-f]{32})$/;

const secs = (ms: number) => ms / 1000;

/** The JSON 1.0 operations of App Runner, on a fleet. */
export class AppRunnerApi {
  constructor(
    private readonly fleet: ServiceLifecycle,
    private readonly settings: SimulatorSettings,
    private readonly events: Pick<AppRunnerEvents, 'tagChange'>,
  ) {}

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
    const s = this.fleet.get(arn);
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
    if (typeof name !== 'string' || !SERVICE_NAME.test(name)) {
      throw new ApiError('InvalidRequestException', 'ServiceName must match [A-Za-z0-9][A-Za-z0-9-_]{3,39}');
    }
    if (this.fleet.byName(name))
      throw new ApiError('InvalidRequestException', `Service with the provided name already exists: ${name}`);
    if (this.fleet.size >= this.settings.serviceQuota) {
      throw new ApiError(
        'ServiceQuotaExceededException',
        `You have reached the maximum number of services (${this.settings.serviceQuota}) in this region.`,
        402,
      );
    }
    const source = this.sourceFromInput(input.SourceConfiguration, undefined);
    const s = this.fleet.create(name, source, (created) => this.applyTags(created, input.Tags));
    const operationId = this.fleet.startOperation(s, 'CREATE_SERVICE');
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
    const before = s.source;
    s.source = this.sourceFromInput(input.SourceConfiguration, s.source);
    const operationId = this.fleet.startOperation(s, 'UPDATE_SERVICE', before);
    return { Service: this.toService(s), OperationId: operationId };
  }

  private startDeployment(input: Record<string, unknown>) {
    const s = this.find(input.ServiceArn);
    this.requireStatus(s, ['RUNNING'], 'start a deployment');
    return { OperationId: this.fleet.startOperation(s, 'START_DEPLOYMENT') };
  }

  private pauseService(input: Record<string, unknown>) {
    const s = this.find(input.ServiceArn);
    this.requireStatus(s, ['RUNNING'], 'be paused');
    const operationId = this.fleet.startOperation(s, 'PAUSE_SERVICE');
    return { Service: this.toService(s), OperationId: operationId };
  }

  private resumeService(input: Record<string, unknown>) {
    const s = this.find(input.ServiceArn);
    this.requireStatus(s, ['PAUSED'], 'be resumed');
    const operationId = this.fleet.startOperation(s, 'RESUME_SERVICE');
    return { Service: this.toService(s), OperationId: operationId };
  }

  private deleteService(input: Record<string, unknown>) {
    const s = this.find(input.ServiceArn);
    this.requireStatus(s, ['RUNNING', 'PAUSED', 'CREATE_FAILED', 'DELETE_FAILED'], 'be deleted');
    const operationId = this.fleet.startOperation(s, 'DELETE_SERVICE');
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
    const { items, NextToken } = this.page(this.fleet.list(), input, 'services');
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
    this.events.tagChange(
      s,
      [...s.tags.keys()].filter((k) => before.get(k) !== s.tags.get(k)),
    );
    return {};
  }

  private untagResource(input: Record<string, unknown>) {
    const s = this.find(input.ResourceArn, 'ResourceArn');
    if (!Array.isArray(input.TagKeys)) throw new ApiError('InvalidRequestException', 'TagKeys is required');
    const removed = input.TagKeys.map(String).filter((k) => s.tags.has(k));
    for (const k of removed) s.tags.delete(k);
    this.events.tagChange(s, removed);
    return {};
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
