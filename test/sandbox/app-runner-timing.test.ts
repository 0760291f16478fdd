import {
  DescribeServiceCommand,
  InvalidStateException,
  ListOperationsCommand,
  PauseServiceCommand,
  StartDeploymentCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-apprunner';
import { describe, expect, it } from 'vitest';
import { parseAppRunnerEvent } from '../../lib/events/app-runner.ts';
import type { SimulatorSettings } from '../../sandbox/app-runner.ts';
import { digestOf } from '../../sandbox/images.ts';
import { parseScenario, ScenarioError } from '../../sandbox/scenario.ts';
import { hubTargets } from '../support/env.ts';
import { ACCOUNT, REGION, type startAppRunner, useAppRunner } from './support.ts';

// App Runner's undocumented timing, both ways: how long its own rollback of a failed deployment
// takes, when it emits the failure event, and whether a failed update reverts its configuration.

type Env = Awaited<ReturnType<typeof startAppRunner>>;
const start = useAppRunner();

const REGISTRY = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;
const LATEST = `${REGISTRY}/payments:latest`;
const V2 = `${REGISTRY}/payments:v2`;
const START = Date.parse('2026-11-20T10:00:00Z');
const DEPLOY_SECONDS = 180;
const ROLLBACK_SECONDS = 20 * 60;

async function setup(settings: Partial<SimulatorSettings>) {
  const env = await start({ settings });
  env.registry.push('payments:v2', { digest: 'bad-v2', bad: true, at: env.clock.now });
  const service = env.sim.seed({ name: 'payments-api', image: LATEST, autoDeploy: true });
  return { ...env, service };
}

/** Runs the simulated clock to `seconds` after the start. */
const at = (e: Env, seconds: number) => e.clock.runUntil(START + seconds * 1000);

/** Each event as `status-or-change @ seconds after start [service status when emitted]`. */
const timeline = (e: Env) =>
  e.events.map((x, i) => {
    const what = (x.detail.Status ?? `${x.detail.PreviousStatus}→${x.detail.CurrentStatus}`) as string;
    return `${what} @${(Date.parse(x.time as string) - START) / 1000}s [${e.statusAtEmit[i]}]`;
  });

const refused = (p: Promise<unknown>) => expect(p).rejects.toBeInstanceOf(InvalidStateException);

describe.each([
  { operation: 'StartDeployment', failed: 'DeploymentFailed', started: 'DeploymentStarted' },
  { operation: 'UpdateService', failed: 'UpdateServiceFailed', started: 'UpdateServiceStarted' },
] as const)('a failed $operation rolled back by App Runner', ({ operation, failed, started }) => {
  const fail = async (e: Awaited<ReturnType<typeof setup>>) => {
    if (operation === 'StartDeployment') {
      e.registry.push('payments:latest', { digest: 'bad-v2', at: e.clock.now });
      await e.client.send(new StartDeploymentCommand({ ServiceArn: e.service.arn }));
    } else {
      await e.client.send(
        new UpdateServiceCommand({
          ServiceArn: e.service.arn,
          SourceConfiguration: { ImageRepository: { ImageIdentifier: V2, ImageRepositoryType: 'ECR' } },
        }),
      );
    }
  };
  const mutations = (e: Awaited<ReturnType<typeof setup>>) => [
    e.client.send(new PauseServiceCommand({ ServiceArn: e.service.arn })),
    e.client.send(new StartDeploymentCommand({ ServiceArn: e.service.arn })),
    e.client.send(
      new UpdateServiceCommand({
        ServiceArn: e.service.arn,
        SourceConfiguration: { ImageRepository: { ImageIdentifier: LATEST, ImageRepositoryType: 'ECR' } },
      }),
    ),
  ];

  it('failureEventTiming detection: the failure event comes while the service is still OPERATION_IN_PROGRESS, for the whole rollback', async () => {
    const e = await setup({ rollbackSeconds: ROLLBACK_SECONDS, failureEventTiming: 'detection' });
    await fail(e);
    await at(e, DEPLOY_SECONDS);
    expect(timeline(e)).toEqual([
      `${started} @0s [OPERATION_IN_PROGRESS]`,
      'RUNNING→OPERATION_IN_PROGRESS @0s [OPERATION_IN_PROGRESS]',
      `${failed} @${DEPLOY_SECONDS}s [OPERATION_IN_PROGRESS]`,
    ]);
    // The failure event is one the guard's parser reads, and it names the failure.
    expect(parseAppRunnerEvent(e.events[2], { targets: hubTargets(ACCOUNT, REGION) })).toMatchObject({
      status: failed,
    });
    const ops = await e.client.send(new ListOperationsCommand({ ServiceArn: e.service.arn }));
    expect(ops.OperationSummaryList?.[0]?.Status).toBe('ROLLBACK_IN_PROGRESS');
    expect(ops.OperationSummaryList?.[0]?.EndedAt).toBeUndefined();

    // Late in the rollback, every mutating call is still refused; the old version keeps serving.
    await at(e, DEPLOY_SECONDS + ROLLBACK_SECONDS - 1);
    for (const call of mutations(e)) await refused(call);
    const busy = await e.client.send(new DescribeServiceCommand({ ServiceArn: e.service.arn }));
    expect(busy.Service?.Status).toBe('OPERATION_IN_PROGRESS');
    expect(e.service.running).toBe(digestOf('good-v1'));

    await at(e, DEPLOY_SECONDS + ROLLBACK_SECONDS);
    expect(timeline(e).slice(3)).toEqual([
      `OPERATION_IN_PROGRESS→RUNNING @${DEPLOY_SECONDS + ROLLBACK_SECONDS}s [RUNNING]`,
    ]);
    const done = await e.client.send(new ListOperationsCommand({ ServiceArn: e.service.arn }));
    expect(done.OperationSummaryList?.[0]).toMatchObject({ Status: 'ROLLBACK_SUCCEEDED' });
    expect(done.OperationSummaryList?.[0]?.EndedAt?.getTime()).toBe(
      START + (DEPLOY_SECONDS + ROLLBACK_SECONDS) * 1000,
    );
    await e.client.send(new PauseServiceCommand({ ServiceArn: e.service.arn }));
  });

  it('failureEventTiming after-rollback: no failure event until the rollback settles, then it comes with the service RUNNING', async () => {
    const e = await setup({ rollbackSeconds: ROLLBACK_SECONDS, failureEventTiming: 'after-rollback' });
    await fail(e);
    await at(e, DEPLOY_SECONDS + ROLLBACK_SECONDS - 1);
    expect(timeline(e)).toEqual([
      `${started} @0s [OPERATION_IN_PROGRESS]`,
      'RUNNING→OPERATION_IN_PROGRESS @0s [OPERATION_IN_PROGRESS]',
    ]);
    for (const call of mutations(e)) await refused(call);
    const ops = await e.client.send(new ListOperationsCommand({ ServiceArn: e.service.arn }));
    expect(ops.OperationSummaryList?.[0]?.Status).toBe('ROLLBACK_IN_PROGRESS');

    await at(e, DEPLOY_SECONDS + ROLLBACK_SECONDS);
    const settled = DEPLOY_SECONDS + ROLLBACK_SECONDS;
    expect(timeline(e).slice(2)).toEqual([
      `${failed} @${settled}s [RUNNING]`,
      `OPERATION_IN_PROGRESS→RUNNING @${settled}s [RUNNING]`,
    ]);
    expect(e.service.running).toBe(digestOf('good-v1'));
  });

  it('the defaults keep the sandbox as it was: an instant rollback, the failure event with the service RUNNING again', async () => {
    const e = await setup({});
    await fail(e);
    await at(e, DEPLOY_SECONDS);
    expect(timeline(e).slice(2)).toEqual([
      `${failed} @${DEPLOY_SECONDS}s [RUNNING]`,
      `OPERATION_IN_PROGRESS→RUNNING @${DEPLOY_SECONDS}s [RUNNING]`,
    ]);
    const ops = await e.client.send(new ListOperationsCommand({ ServiceArn: e.service.arn }));
    expect(ops.OperationSummaryList?.[0]?.Status).toBe('ROLLBACK_SUCCEEDED');
  });
});

describe('updateFailureRevertsConfig: what DescribeService shows after a failed UpdateService', () => {
  const failUpdate = async (e: Awaited<ReturnType<typeof setup>>) => {
    await e.client.send(
      new UpdateServiceCommand({
        ServiceArn: e.service.arn,
        SourceConfiguration: {
          ImageRepository: { ImageIdentifier: V2, ImageRepositoryType: 'ECR' },
          AutoDeploymentsEnabled: false,
        },
      }),
    );
  };
  const configured = async (e: Awaited<ReturnType<typeof setup>>) => {
    const d = await e.client.send(new DescribeServiceCommand({ ServiceArn: e.service.arn }));
    return {
      status: d.Service?.Status,
      image: d.Service?.SourceConfiguration?.ImageRepository?.ImageIdentifier,
      autoDeploy: d.Service?.SourceConfiguration?.AutoDeploymentsEnabled,
    };
  };

  it('false (the default): the failed image stays configured, automatic deployments as the update set them', async () => {
    const e = await setup({});
    await failUpdate(e);
    await at(e, DEPLOY_SECONDS);
    expect(await configured(e)).toEqual({ status: 'RUNNING', image: V2, autoDeploy: false });
    expect(e.service.running).toBe(digestOf('good-v1'));
  });

  it('true: the configuration returns to the previous image and automatic deployments once the rollback settles', async () => {
    const e = await setup({
      updateFailureRevertsConfig: true,
      rollbackSeconds: ROLLBACK_SECONDS,
      failureEventTiming: 'detection',
    });
    await failUpdate(e);
    await at(e, DEPLOY_SECONDS);
    // Still rolling back: the update's configuration is what DescribeService shows.
    expect(await configured(e)).toEqual({ status: 'OPERATION_IN_PROGRESS', image: V2, autoDeploy: false });
    await at(e, DEPLOY_SECONDS + ROLLBACK_SECONDS);
    expect(await configured(e)).toEqual({ status: 'RUNNING', image: LATEST, autoDeploy: true });
    expect(e.service.running).toBe(digestOf('good-v1'));
  });

  it('true: a failed StartDeployment has no configuration to revert; a successful update is kept', async () => {
    const e = await setup({ updateFailureRevertsConfig: true });
    e.registry.push('payments:v3', { digest: 'good-v3', at: e.clock.now });
    const v3 = `${REGISTRY}/payments:v3`;
    await e.client.send(
      new UpdateServiceCommand({
        ServiceArn: e.service.arn,
        SourceConfiguration: { ImageRepository: { ImageIdentifier: v3, ImageRepositoryType: 'ECR' } },
      }),
    );
    await at(e, DEPLOY_SECONDS);
    expect(await configured(e)).toEqual({ status: 'RUNNING', image: v3, autoDeploy: true });
    e.registry.push('payments:v3', { digest: 'bad-v3', bad: true, at: e.clock.now });
    await e.client.send(new StartDeploymentCommand({ ServiceArn: e.service.arn }));
    await at(e, 2 * DEPLOY_SECONDS);
    expect(await configured(e)).toEqual({ status: 'RUNNING', image: v3, autoDeploy: true });
    expect(e.service.running).toBe(digestOf('good-v3'));
  });
});

describe('scenario settings for App Runner timing', () => {
  const base = { name: 't', start: '2026-11-20T10:00:00Z' };

  it('defaults to an instant rollback, the failure event after it, the failed image left configured', () => {
    expect(parseScenario(base).settings).toMatchObject({
      appRunnerRollbackSeconds: 0,
      failureEventTiming: 'after-rollback',
      updateFailureRevertsConfig: false,
    });
    expect(
      parseScenario({
        ...base,
        settings: {
          appRunnerRollbackSeconds: 1200,
          failureEventTiming: 'detection',
          updateFailureRevertsConfig: true,
        },
      }).settings,
    ).toMatchObject({
      appRunnerRollbackSeconds: 1200,
      failureEventTiming: 'detection',
      updateFailureRevertsConfig: true,
      eventSpelling: 'PascalCase',
      deliveryDelaySeconds: 1,
    });
  });

  it('rejects bad values with a message naming the field', () => {
    let message = '';
    try {
      parseScenario(
        {
          ...base,
          settings: {
            appRunnerRollbackSeconds: -5,
            failureEventTiming: 'later',
            updateFailureRevertsConfig: 'yes',
          },
        },
        'bad.yml',
      );
    } catch (error) {
      expect(error).toBeInstanceOf(ScenarioError);
      message = (error as Error).message;
    }
    expect(message).toContain(
      'settings.appRunnerRollbackSeconds: must be a number of seconds from 0 to 86400',
    );
    expect(message).toContain('settings.failureEventTiming: must be detection or after-rollback');
    expect(message).toContain('settings.updateFailureRevertsConfig: must be true or false');
    expect(() => parseScenario({ ...base, settings: { appRunnerRollbackSeconds: '20m' } })).toThrow(
      'settings.appRunnerRollbackSeconds: must be a number of seconds from 0 to 86400',
    );
  });
});
