/**
 * The port factory (lib/aws/targets.ts): each call goes to the account and region its service ARN
 * names, with the hub's own clients for the hub; nothing is ever sent outside the targets.
 */
import { AppRunnerClient, DescribeServiceCommand, PauseServiceCommand } from '@aws-sdk/client-apprunner';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createTargetPorts, partitionOf, spokeRoleArn } from '../../../lib/aws/targets.ts';
import { loadConfig } from '../../../lib/config.ts';
import { classifyError } from '../../../lib/core/errors.ts';
import { ACCOUNT_ID, guardEnv, REGION } from '../../support/env.ts';

const appRunner = mockClient(AppRunnerClient);
const SPOKE = '222233334444';
const arn = (account: string, region: string) =>
  `arn:aws:apprunner:${region}:${account}:service/payments-api/${'a'.repeat(32)}`;
const config = loadConfig(
  guardEnv({
    GUARD_TARGETS: `${SPOKE}:eu-west-1`,
    GUARD_STACK_NAME: 'apprunner-guard-prod',
    GUARD_SPOKE_EXTERNAL_ID: 'a-long-enough-external-id',
  }),
);

beforeEach(() => {
  appRunner.reset();
  appRunner.on(PauseServiceCommand).resolves({ OperationId: 'op' });
  appRunner.on(DescribeServiceCommand).resolves({});
});

describe('createTargetPorts', () => {
  it('lists the hub first, then the targets, and answers isTarget', () => {
    const { targets } = createTargetPorts(config);
    expect(targets.listTargets()).toEqual([
      { account: ACCOUNT_ID, region: REGION },
      { account: SPOKE, region: 'eu-west-1' },
    ]);
    expect(targets.isTarget(SPOKE, 'eu-west-1')).toBe(true);
    expect(targets.isTarget(SPOKE, 'us-east-1')).toBe(false);
  });

  it("acts in the region the service ARN names, with one client per target kept for the container's life", async () => {
    const ports = createTargetPorts(config);
    await ports.appRunner.pauseService(arn(ACCOUNT_ID, REGION));
    const regionOf = async (i: number) => (appRunner.call(i).thisValue as AppRunnerClient).config.region();
    expect(await regionOf(0)).toBe(REGION);
    expect(ports.portsFor(SPOKE, 'eu-west-1')).toBe(ports.portsFor(SPOKE, 'eu-west-1'));
    expect(ports.portsFor(SPOKE, 'eu-west-1').appRunner).not.toBe(
      ports.portsFor(ACCOUNT_ID, REGION).appRunner,
    );
  });

  it('refuses, as a terminal error naming the place, anything outside the targets (no call is made)', async () => {
    const ports = createTargetPorts(config);
    const error = await ports.appRunner.pauseService(arn('999988887777', 'eu-west-1')).catch((e) => e);
    expect(classifyError(error)).toBe('terminal');
    expect(String(error.message)).toContain("999988887777/eu-west-1 is not one of the guard's targets");
    await expect(ports.appRunner.describeService(arn(SPOKE, 'us-west-2'))).rejects.toThrow(/us-west-2/);
    expect(() => ports.targets.appRunnerIn({ account: SPOKE, region: 'us-west-2' })).toThrow(/not one of/);
    expect(appRunner.calls()).toHaveLength(0);
  });

  it('without GUARD_TARGETS acts in the hub only', async () => {
    const ports = createTargetPorts(loadConfig(guardEnv()));
    expect(ports.targets.listTargets()).toEqual([{ account: ACCOUNT_ID, region: REGION }]);
    await expect(ports.appRunner.pauseService(arn(SPOKE, 'eu-west-1'))).rejects.toThrow(/not one of/);
  });

  it('names the spoke role as infra/spoke creates it, in the partition of its region', () => {
    expect(spokeRoleArn('apprunner-guard-prod', { account: SPOKE, region: 'eu-west-1' })).toBe(
      `arn:aws:iam::${SPOKE}:role/apprunner-guard-prod-spoke-eu-west-1`,
    );
    expect(partitionOf('cn-north-1')).toBe('aws-cn');
    expect(partitionOf('us-gov-west-1')).toBe('aws-us-gov');
    expect(partitionOf('eu-west-1')).toBe('aws');
  });
});
