import {
  AppRunnerClient,
  DeleteServiceCommand,
  DescribeServiceCommand,
  ListOperationsCommand,
  ListServicesCommand,
  ListTagsForResourceCommand,
  PauseServiceCommand,
  ResumeServiceCommand,
  type Service,
  type ServiceSummary,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-apprunner';
import type { AppRunnerPort, ServiceSummaryView, ServiceView } from '../core/ports/app-runner.ts';
import type { ServiceStatus } from '../events/app-runner.ts';
import { tagsToRecord } from '../tags.ts';
import { clientConfig } from './client-config.ts';
import { APP_RUNNER_IN_PROGRESS, translatePortErrors } from './errors.ts';

export type {
  AppRunnerPort,
  OperationView,
  ServiceSummaryView,
  ServiceView,
} from '../core/ports/app-runner.ts';

/** Creates the App Runner client once per container. */
export function createAppRunnerClient(): AppRunnerClient {
  return new AppRunnerClient(clientConfig());
}

const iso = (d: Date | undefined) => d?.toISOString();

function toView(s: Service): ServiceView {
  const image = s.SourceConfiguration?.ImageRepository;
  return {
    arn: s.ServiceArn!,
    name: s.ServiceName!,
    id: s.ServiceId!,
    status: s.Status as ServiceStatus,
    sourceType: image ? 'image' : 'code',
    ...(image?.ImageIdentifier ? { imageIdentifier: image.ImageIdentifier } : {}),
    ...(image?.ImageRepositoryType ? { imageRepositoryType: image.ImageRepositoryType } : {}),
    ...(s.SourceConfiguration?.AutoDeploymentsEnabled === undefined
      ? {}
      : { autoDeploymentsEnabled: s.SourceConfiguration.AutoDeploymentsEnabled }),
    ...(s.CreatedAt ? { createdAt: iso(s.CreatedAt) } : {}),
    ...(s.UpdatedAt ? { updatedAt: iso(s.UpdatedAt) } : {}),
  };
}

function toSummary(s: ServiceSummary): ServiceSummaryView {
  return {
    arn: s.ServiceArn!,
    name: s.ServiceName!,
    id: s.ServiceId!,
    status: s.Status as ServiceStatus,
    ...(s.CreatedAt ? { createdAt: iso(s.CreatedAt) } : {}),
    ...(s.UpdatedAt ? { updatedAt: iso(s.UpdatedAt) } : {}),
  };
}

/**
 * The App Runner adapter. Not-found on describe is a value (`undefined`), not an error: a deleted
 * service is an ordinary observation for a controller. Every other error propagates for the
 * handler stack to classify.
 */
export function createAppRunnerGateway(client: AppRunnerClient): AppRunnerPort {
  const listPage = async (nextToken?: string) => {
    const out = await client.send(new ListServicesCommand({ MaxResults: 20, NextToken: nextToken }));
    return {
      services: (out.ServiceSummaryList ?? []).map(toSummary),
      ...(out.NextToken ? { nextToken: out.NextToken } : {}),
    };
  };
  return translatePortErrors(
    {
      async describeService(arn) {
        try {
          const out = await client.send(new DescribeServiceCommand({ ServiceArn: arn }));
          return out.Service ? toView(out.Service) : undefined;
        } catch (error) {
          if ((error as Error).name === 'ResourceNotFoundException') return undefined;
          throw error;
        }
      },
      async listTags(arn) {
        const out = await client.send(new ListTagsForResourceCommand({ ResourceArn: arn }));
        return tagsToRecord(out.Tags);
      },
      async listOperations(arn, max = 20) {
        const out = await client.send(
          new ListOperationsCommand({ ServiceArn: arn, MaxResults: Math.min(max, 20) }),
        );
        return (out.OperationSummaryList ?? []).map((o) => ({
          id: o.Id!,
          type: o.Type!,
          status: o.Status!,
          ...(o.StartedAt ? { startedAt: iso(o.StartedAt) } : {}),
          ...(o.EndedAt ? { endedAt: iso(o.EndedAt) } : {}),
          ...(o.UpdatedAt ? { updatedAt: iso(o.UpdatedAt) } : {}),
        }));
      },
      async *listServices() {
        let nextToken: string | undefined;
        do {
          const page = await listPage(nextToken);
          yield* page.services;
          nextToken = page.nextToken;
        } while (nextToken);
      },
      listServicesPage: (nextToken) => listPage(nextToken),
      async updateImage(arn, imageIdentifier, options = {}) {
        // UpdateService replaces the whole ImageRepository block: carry over what is configured.
        const current = await client.send(new DescribeServiceCommand({ ServiceArn: arn }));
        const source = current.Service?.SourceConfiguration;
        const repo = source?.ImageRepository;
        if (!repo) throw new Error(`service ${arn} has no image repository to update`);
        const out = await client.send(
          new UpdateServiceCommand({
            ServiceArn: arn,
            SourceConfiguration: {
              ...source,
              ...(options.autoDeploymentsEnabled === undefined
                ? {}
                : { AutoDeploymentsEnabled: options.autoDeploymentsEnabled }),
              ImageRepository: { ...repo, ImageIdentifier: imageIdentifier },
            },
          }),
        );
        return out.OperationId ? { operationId: out.OperationId } : {};
      },
      async pauseService(arn) {
        const out = await client.send(new PauseServiceCommand({ ServiceArn: arn }));
        return out.OperationId ? { operationId: out.OperationId } : {};
      },
      async resumeService(arn) {
        const out = await client.send(new ResumeServiceCommand({ ServiceArn: arn }));
        return out.OperationId ? { operationId: out.OperationId } : {};
      },
      async deleteService(arn) {
        const out = await client.send(new DeleteServiceCommand({ ServiceArn: arn }));
        return out.OperationId ? { operationId: out.OperationId } : {};
      },
      async tagService(arn, tags) {
        await client.send(
          new TagResourceCommand({
            ResourceArn: arn,
            Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
          }),
        );
      },
      async untagService(arn, keys) {
        await client.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: [...keys] }));
      },
    },
    { inProgress: APP_RUNNER_IN_PROGRESS },
  );
}
