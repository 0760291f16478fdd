import { AppRunnerClient, PauseServiceCommand } from '@aws-sdk/client-apprunner';
import { afterEach, describe, expect, it } from 'vitest';
import { clientConfig, fleetClientConfig } from '../../../lib/aws/client-config.ts';
import { simulateWaits } from '../../../lib/aws/waits.ts';

afterEach(() => simulateWaits(undefined));

const ARN = `arn:aws:apprunner:us-east-1:111122223333:service/web/${'a'.repeat(32)}`;

/** An App Runner client whose every request is answered with `status` and the error `type`, counting requests. */
function answering(
  config: ReturnType<typeof clientConfig> | ReturnType<typeof fleetClientConfig>,
  status: number,
  type: string,
) {
  let requests = 0;
  const client = new AppRunnerClient({
    ...config,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    requestHandler: {
      handle: async () => {
        requests++;
        return {
          response: {
            statusCode: status,
            headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': type },
            body: new TextEncoder().encode(JSON.stringify({ __type: type, message: 'refused' })),
          },
        };
      },
    },
  });
  const pause = () => client.send(new PauseServiceCommand({ ServiceArn: ARN }));
  return { pause, requests: () => requests };
}

describe('SDK client settings', () => {
  // No real waiting between the SDK's attempts (the retries themselves are unchanged).
  const noWaits = () => simulateWaits({ retryBackoff: () => 0, sleep: async () => {} });

  it('fleet clients hand a throttled call straight back (the pacer retries it), other clients retry it', async () => {
    noWaits();
    const fleet = answering(fleetClientConfig(), 400, 'ThrottlingException');
    await expect(fleet.pause()).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(fleet.requests()).toBe(1);
    const other = answering(clientConfig(), 400, 'ThrottlingException');
    await expect(other.pause()).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(other.requests()).toBe(3);
  });

  it('fleet clients still retry a transient server error like every other client', async () => {
    noWaits();
    const fleet = answering(fleetClientConfig(), 503, 'ServiceUnavailableException');
    await expect(fleet.pause()).rejects.toThrow();
    expect(fleet.requests()).toBe(3);
  });

  it('a deployment (no simulated waits) gets the same: no SDK retry of a throttle on fleet clients', async () => {
    const fleet = answering(fleetClientConfig(), 400, 'ThrottlingException');
    await expect(fleet.pause()).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(fleet.requests()).toBe(1);
  });
});
