import { eventTime } from './app-runner/events.ts';
import type { BusEvent } from './eventbridge.ts';
import { ApiError, type HttpRequest, type HttpResponse, jsonResponse, parseJsonBody } from './http.ts';
import type { ImageRecord, ImageRegistry } from './images.ts';
import { parseImage } from './images.ts';
import { stableHex } from './prng.ts';

/** The `detail-type` of ECR's image push (and delete) events. */
export const ECR_IMAGE_ACTION = 'ECR Image Action';

const PRIVATE_REGISTRY = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com$/;

/** What an image push did, as ECR's `ECR Image Action` event reports it. */
export interface ImagePush {
  /** The full image identifier pushed: `<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>`. */
  identifier: string;
  digest: string;
  /** Simulated epoch ms of the push. */
  at: number;
  result?: 'SUCCESS' | 'FAILURE';
}

/**
 * The EventBridge event ECR emits when an image push completes, in the shape of the ECR user
 * guide: source `aws.ecr`, detail-type `ECR Image Action`, `resources` empty, the account and
 * region of the registry pushed to, and `detail` with `result`, `repository-name`, `image-digest`,
 * `action-type: PUSH` and `image-tag` (absent for a push by digest). A private registry's push
 * only: ECR Public emits no such event, so `undefined` for anything else.
 */
export function imagePushEvent(push: ImagePush): BusEvent | undefined {
  const ref = parseImage(push.identifier);
  const where = ref ? PRIVATE_REGISTRY.exec(ref.registry) : null;
  if (!ref || !where) return undefined;
  const hex = stableHex(
    `ecr-push:${push.identifier}:${push.digest}:${push.at}:${push.result ?? 'SUCCESS'}`,
    32,
  );
  return {
    version: '0',
    id: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`,
    'detail-type': ECR_IMAGE_ACTION,
    source: 'aws.ecr',
    account: where[1]!,
    time: eventTime(push.at),
    region: where[2]!,
    resources: [],
    detail: {
      result: push.result ?? 'SUCCESS',
      'repository-name': ref.repository,
      'image-digest': push.digest,
      'action-type': 'PUSH',
      ...(ref.tag && !ref.digest ? { 'image-tag': ref.tag } : {}),
    },
  };
}

/**
 * ECR stand-in (AWS JSON 1.1, `AmazonEC2ContainerRegistry_V20150921.<Operation>`):
 * `DescribeImages` and `BatchGetImage` answered from the scenario's image registry.
 */
export class EcrStandIn {
  constructor(
    private readonly registry: () => ImageRegistry,
    private readonly where: () => { account: string; region: string },
  ) {}

  async dispatch(operation: string, req: HttpRequest): Promise<HttpResponse> {
    const input = parseJsonBody(req);
    if (operation === 'DescribeImages') return jsonResponse(this.describeImages(input), '1.1');
    if (operation === 'BatchGetImage') return jsonResponse(this.batchGetImage(input), '1.1');
    throw new ApiError('InvalidParameterException', `The sandbox does not simulate ECR ${operation}`);
  }

  private scope(input: Record<string, unknown>) {
    const { account, region } = this.where();
    const registryId = typeof input.registryId === 'string' ? input.registryId : account;
    const repositoryName = input.repositoryName;
    if (typeof repositoryName !== 'string' || repositoryName === '') {
      throw new ApiError('InvalidParameterException', 'repositoryName is required');
    }
    const host = `${registryId}.dkr.ecr.${region}.amazonaws.com`;
    if (!this.registry().hasRepository(host, repositoryName)) {
      throw new ApiError(
        'RepositoryNotFoundException',
        `The repository with name '${repositoryName}' does not exist in the registry with id '${registryId}'`,
      );
    }
    return { registryId, repositoryName, host };
  }

  private lookup(host: string, repositoryName: string, id: { imageTag?: unknown; imageDigest?: unknown }) {
    const reg = this.registry();
    if (typeof id.imageDigest === 'string') {
      const r = reg.byDigest(id.imageDigest);
      return r && r.repository === repositoryName ? r : undefined;
    }
    if (typeof id.imageTag === 'string') return reg.resolve(`${host}/${repositoryName}:${id.imageTag}`);
    return undefined;
  }

  private detail(r: ImageRecord, registryId: string, host: string) {
    return {
      registryId,
      repositoryName: r.repository,
      imageDigest: r.digest,
      imageTags: this.registry().tagsOf(host, r.repository, r.digest),
      imageSizeInBytes: 52_428_800,
      imagePushedAt: r.pushedAt / 1000,
      imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      artifactMediaType: 'application/vnd.docker.container.image.v1+json',
    };
  }

  private describeImages(input: Record<string, unknown>) {
    const { registryId, repositoryName, host } = this.scope(input);
    const ids = Array.isArray(input.imageIds)
      ? (input.imageIds as Array<Record<string, unknown>>)
      : undefined;
    if (!ids) {
      const all = this.registry()
        .list()
        .filter((r) => r.repository === repositoryName);
      return { imageDetails: all.map((r) => this.detail(r, registryId, host)) };
    }
    const details = ids.map((id) => {
      const r = this.lookup(host, repositoryName, id);
      if (!r) {
        throw new ApiError(
          'ImageNotFoundException',
          `The image with imageId {imageDigest:'${String(id.imageDigest ?? 'null')}', imageTag:'${String(id.imageTag ?? 'null')}'} does not exist within the repository with name '${repositoryName}' in the registry with id '${registryId}'`,
        );
      }
      return this.detail(r, registryId, host);
    });
    return { imageDetails: details };
  }

  private batchGetImage(input: Record<string, unknown>) {
    const { registryId, repositoryName, host } = this.scope(input);
    const ids = Array.isArray(input.imageIds) ? (input.imageIds as Array<Record<string, unknown>>) : [];
    const images: unknown[] = [];
    const failures: unknown[] = [];
    for (const id of ids) {
      const r = this.lookup(host, repositoryName, id);
      if (!r) {
        failures.push({
          imageId: id,
          failureCode: 'ImageNotFound',
          failureReason: 'Requested image not found',
        });
        continue;
      }
      images.push({
        registryId,
        repositoryName,
        imageId: {
          imageDigest: r.digest,
          ...(typeof id.imageTag === 'string' ? { imageTag: id.imageTag } : {}),
        },
        imageManifest: JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        }),
        imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      });
    }
    return { images, failures };
  }
}
