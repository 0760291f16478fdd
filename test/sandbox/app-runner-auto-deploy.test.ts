import { DescribeServiceCommand, UpdateServiceCommand } from '@aws-sdk/client-apprunner';
import { describe, expect, it } from 'vitest';
import { digestOf } from '../../sandbox/images.ts';
import { ACCOUNT, REGION, type startAppRunner, useAppRunner } from './support.ts';

// App Runner's automatic deployments follow the configured tag and nothing else: a push deploys a
// service only when it is configured with exactly that repo:tag and has them enabled.

type Env = Awaited<ReturnType<typeof startAppRunner>>;
const start = useAppRunner();

const REGISTRY = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;
const LATEST = `${REGISTRY}/payments:latest`;
const PINNED = `${REGISTRY}/payments@${digestOf('good-v1')}`;

async function setup() {
  const env = await start();
  env.registry.push('payments:stable', { digest: 'good-v1', at: env.clock.now });
  return env;
}

/** Pushes `payments:<tag>` to a new good digest, tells App Runner, and lets deployments finish. */
async function push(e: Env, tag: string, digest: string) {
  e.registry.push(`payments:${tag}`, { digest, at: e.clock.now });
  e.sim.onImagePushed(`${REGISTRY}/payments:${tag}`);
  await e.clock.runUntil(e.clock.now + 5 * 60_000);
}

const deployed = (e: Env) =>
  e.events.filter((x) => x.detail.Status === 'DeploymentStarted').map((x) => x.detail.ServiceName);

const sourceOf = async (e: Awaited<ReturnType<typeof setup>>, arn: string) => {
  const d = await e.client.send(new DescribeServiceCommand({ ServiceArn: arn }));
  return {
    image: d.Service?.SourceConfiguration?.ImageRepository?.ImageIdentifier,
    autoDeploy: d.Service?.SourceConfiguration?.AutoDeploymentsEnabled,
  };
};

describe('automatic deployments follow only the configured tag', () => {
  it('a push to repo:tag deploys exactly the services configured with it and automatic deployments on', async () => {
    const e = await setup();
    const follows = e.sim.seed({ name: 'follows-latest', image: LATEST, autoDeploy: true });
    e.sim.seed({ name: 'pinned-by-digest', image: PINNED, autoDeploy: true });
    e.sim.seed({ name: 'auto-deploy-off', image: LATEST, autoDeploy: false });
    e.sim.seed({ name: 'on-stable', image: `${REGISTRY}/payments:stable`, autoDeploy: true });
    e.sim.seed({ name: 'implicit-latest', image: `${REGISTRY}/payments`, autoDeploy: true });
    await push(e, 'latest', 'good-v2');
    expect(deployed(e).sort()).toEqual(['follows-latest', 'implicit-latest']);
    expect(follows.running).toBe(digestOf('good-v2'));
    expect(e.sim.byName('pinned-by-digest')!.running).toBe(digestOf('good-v1'));
    expect(e.sim.byName('auto-deploy-off')!.running).toBe(digestOf('good-v1'));
    // The timeline says why the services on that repository were not deployed.
    expect(e.notes).toEqual([
      'no automatic deployment of pinned-by-digest: it is pinned to a digest, which a push to payments:latest does not move',
      'no automatic deployment of auto-deploy-off: automatic deployments are disabled',
    ]);
  });

  it('a push to another tag changes nothing', async () => {
    const e = await setup();
    const s = e.sim.seed({ name: 'payments-api', image: LATEST, autoDeploy: true });
    await push(e, 'v3', 'good-v3');
    expect(e.events).toEqual([]);
    expect(s.running).toBe(digestOf('good-v1'));
    expect(await sourceOf(e, s.arn)).toEqual({ image: LATEST, autoDeploy: true });
  });

  it('UpdateService honours AutoDeploymentsEnabled, keeps it when absent, and DescribeService returns it', async () => {
    const e = await setup();
    const s = e.sim.seed({ name: 'payments-api', image: LATEST, autoDeploy: true });
    const update = async (SourceConfiguration: Record<string, unknown>) => {
      await e.client.send(new UpdateServiceCommand({ ServiceArn: s.arn, SourceConfiguration }));
      await e.clock.runUntil(e.clock.now + 5 * 60_000);
    };
    // A pin by digest that switches automatic deployments off explicitly.
    await update({
      ImageRepository: { ImageIdentifier: PINNED, ImageRepositoryType: 'ECR' },
      AutoDeploymentsEnabled: false,
    });
    expect(await sourceOf(e, s.arn)).toEqual({ image: PINNED, autoDeploy: false });
    // Back on the tag without AutoDeploymentsEnabled: it stays off, and a push does not deploy.
    await update({ ImageRepository: { ImageIdentifier: LATEST, ImageRepositoryType: 'ECR' } });
    expect(await sourceOf(e, s.arn)).toEqual({ image: LATEST, autoDeploy: false });
    const before = deployed(e).length;
    await push(e, 'latest', 'good-v2');
    expect(deployed(e)).toHaveLength(before);
    expect(s.running).toBe(digestOf('good-v1'));
    // Switched back on: the next push deploys.
    await update({
      ImageRepository: { ImageIdentifier: LATEST, ImageRepositoryType: 'ECR' },
      AutoDeploymentsEnabled: true,
    });
    expect(await sourceOf(e, s.arn)).toEqual({ image: LATEST, autoDeploy: true });
    // The update itself deployed what the tag points at now.
    expect(s.running).toBe(digestOf('good-v2'));
    await push(e, 'latest', 'good-v3');
    expect(deployed(e)).toEqual(['payments-api']);
    expect(s.running).toBe(digestOf('good-v3'));
  });
});
