import type { ServiceStatus } from '../../events/app-runner.ts';
import type { Tags } from '../../tags.ts';

/** What the guard needs to know of a service, read live. */
export interface ServiceView {
  arn: string;
  name: string;
  id: string;
  status: ServiceStatus;
  /** `image` for ImageRepository sources, `code` for CodeRepository (the API cannot pin a commit). */
  sourceType: 'image' | 'code';
  /** The configured image, exactly as App Runner holds it (`repo:tag` or `repo@sha256:…`). */
  imageIdentifier?: string;
  imageRepositoryType?: 'ECR' | 'ECR_PUBLIC';
  autoDeploymentsEnabled?: boolean;
  createdAt?: string;
  updatedAt?: string;
}

/** A service as `ListServices` summarizes it. */
export interface ServiceSummaryView {
  arn: string;
  name: string;
  id: string;
  status: ServiceStatus;
  createdAt?: string;
  updatedAt?: string;
}

/** One entry of `ListOperations` (newest first). */
export interface OperationView {
  id: string;
  type: string;
  status: string;
  startedAt?: string;
  endedAt?: string;
  updatedAt?: string;
}

/** Port: the App Runner calls the jobs make. No use case imports the SDK; they get this. */
export interface AppRunnerPort {
  /** Describes a service; `undefined` when it does not exist (deleted). */
  describeService(arn: string): Promise<ServiceView | undefined>;
  listTags(arn: string): Promise<Tags>;
  /** Newest first, at most `max`. */
  listOperations(arn: string, max?: number): Promise<OperationView[]>;
  /** Every service of the region, following pagination. */
  listServices(): AsyncIterable<ServiceSummaryView>;
  /**
   * One `ListServices` page (at most 20 services) from `nextToken` (the first without): for a
   * caller that paces and retries each request itself (a fleet run).
   */
  listServicesPage(nextToken?: string): Promise<{ services: ServiceSummaryView[]; nextToken?: string }>;
  /**
   * Points the service at another image (keeping the rest of its source configuration). With
   * `autoDeploymentsEnabled`, sets App Runner's automatic deployments too (a digest pin sets false:
   * a digest cannot follow pushes).
   */
  updateImage(
    arn: string,
    imageIdentifier: string,
    options?: { autoDeploymentsEnabled?: boolean },
  ): Promise<{ operationId?: string }>;
  pauseService(arn: string): Promise<{ operationId?: string }>;
  resumeService(arn: string): Promise<{ operationId?: string }>;
  deleteService(arn: string): Promise<{ operationId?: string }>;
  tagService(arn: string, tags: Record<string, string>): Promise<void>;
  untagService(arn: string, keys: readonly string[]): Promise<void>;
}
