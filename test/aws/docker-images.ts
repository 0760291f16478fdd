import { execFileSync } from 'node:child_process';
import { DescribeImagesCommand, type ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import type { ImagePusher } from './real-target.ts';

/** AWS's public sample image for App Runner: a small web page on port 8000. */
export const DEFAULT_SOURCE_IMAGE = 'public.ecr.aws/aws-containers/hello-app-runner:latest';
export const DEFAULT_SOURCE_PORT = '8000';

/**
 * Pushes images with the local `docker` CLI (a real run needs Docker; the sandbox does not).
 * `good` is the source image as it is; `bad` is built `FROM` it with an entrypoint that exits at
 * once, so App Runner's health check fails. Each push carries a label naming the run, so every
 * push is a new digest even when the content is the same.
 */
export function dockerImagePusher(ecr: ECRClient, source = DEFAULT_SOURCE_IMAGE): ImagePusher {
  let loggedIn: Promise<void> | undefined;
  let pushes = 0;
  const docker = (args: string[], input?: string) =>
    execFileSync('docker', args, {
      input,
      stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'inherit'],
    });
  return async (repositoryUri, tag, kind) => {
    const registry = repositoryUri.split('/')[0]!;
    loggedIn ??= (async () => {
      const auth = await ecr.send(new GetAuthorizationTokenCommand({}));
      const token = Buffer.from(auth.authorizationData?.[0]?.authorizationToken ?? '', 'base64').toString();
      docker(['login', '--username', 'AWS', '--password-stdin', registry], token.slice('AWS:'.length));
    })();
    await loggedIn;
    const image = `${repositoryUri}:${tag}`;
    const dockerfile = [
      `FROM ${source}`,
      `LABEL apprunner-guard.acceptance="${repositoryUri.split('/').pop()}-${++pushes}"`,
      ...(kind === 'bad' ? ['ENTRYPOINT ["/bin/false"]', 'CMD []'] : []),
    ].join('\n');
    // App Runner runs linux/amd64 images.
    docker(['build', '--platform', 'linux/amd64', '--tag', image, '-'], dockerfile);
    docker(['push', image]);
    const described = await ecr.send(
      new DescribeImagesCommand({
        repositoryName: repositoryUri.slice(registry.length + 1),
        imageIds: [{ imageTag: tag }],
      }),
    );
    const digest = described.imageDetails?.[0]?.imageDigest;
    if (!digest) throw new Error(`pushed ${image} but ECR does not list it`);
    return digest;
  };
}
