import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createExternalIdSource, createWebhookUrlSource } from '../../../lib/aws/secrets.ts';
import { classifyError } from '../../../lib/core/errors.ts';
import { failureOf } from '../../support/failure.ts';
import { sdkError } from '../../support/sdk-errors.ts';

const ssm = mockClient(SSMClient);
afterEach(() => ssm.reset());

const NAME = '/apprunner-guard/slack-webhook-url';
const URL_VALUE = 'https://hooks.slack.com/services/T0000/B0000/s3cr3tT0k3nXYZ';
const parameter = (Value: string) => ({ Parameter: { Name: NAME, Type: 'SecureString' as const, Value } });

describe('webhook URL from SSM', () => {
  it('reads the SecureString with decryption, once, from cache afterwards', async () => {
    ssm.on(GetParameterCommand).resolves(parameter(URL_VALUE));
    const source = createWebhookUrlSource(new SSMClient({}), NAME);
    expect(await source.get()).toBe(URL_VALUE);
    expect(await source.get()).toBe(URL_VALUE);
    const calls = ssm.commandCalls(GetParameterCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({ Name: NAME, WithDecryption: true });
  });

  it('re-reads the parameter after invalidate (a rotated URL)', async () => {
    ssm
      .on(GetParameterCommand)
      .resolvesOnce(parameter(URL_VALUE))
      .resolves(parameter(`${URL_VALUE}-rotated`));
    const source = createWebhookUrlSource(new SSMClient({}), NAME);
    await source.get();
    source.invalidate();
    expect(await source.get()).toBe(`${URL_VALUE}-rotated`);
    expect(await source.get()).toBe(`${URL_VALUE}-rotated`);
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(2);
  });

  it('a missing parameter is terminal and names the parameter', async () => {
    ssm.on(GetParameterCommand).rejects(sdkError('ParameterNotFound', 'not found'));
    const error = await failureOf(createWebhookUrlSource(new SSMClient({}), NAME).get());
    expect(classifyError(error)).toBe('terminal');
    expect(error.message).toBe(
      `could not read the Slack webhook URL from SSM parameter ${NAME} (ParameterNotFound)`,
    );
  });

  it('SSM throttling is retryable', async () => {
    ssm
      .on(GetParameterCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const error = await failureOf(createWebhookUrlSource(new SSMClient({}), NAME).get());
    expect(classifyError(error)).toBe('retryable');
  });

  it('rejects a value that is not an https URL without quoting it', async () => {
    ssm.on(GetParameterCommand).resolves(parameter('http://hooks.slack.com/services/s3cr3t'));
    const error = await failureOf(createWebhookUrlSource(new SSMClient({}), NAME).get());
    expect(classifyError(error)).toBe('terminal');
    expect(error.message).not.toContain('s3cr3t');
  });
});

describe('the spoke external id from SSM', () => {
  const ID_PARAMETER = '/apprunner-guard/spoke-external-id';
  const ID = 'ext-id-0123456789abcdef';
  const idParameter = (Value: string) => ({
    Parameter: { Name: ID_PARAMETER, Type: 'SecureString' as const, Value },
  });

  it('is read, decrypted, when the source is made, and kept for the container', async () => {
    ssm.on(GetParameterCommand).resolves(idParameter(ID));
    const externalId = createExternalIdSource(new SSMClient({}), ID_PARAMETER);
    await Promise.resolve();
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
    expect(await externalId()).toBe(ID);
    expect(await externalId()).toBe(ID);
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
    expect(ssm.commandCalls(GetParameterCommand)[0]!.args[0].input).toEqual({
      Name: ID_PARAMETER,
      WithDecryption: true,
    });
  });

  it('reads again after a failed read, and a missing parameter is terminal and named', async () => {
    ssm
      .on(GetParameterCommand)
      .rejectsOnce(sdkError('ParameterNotFound', 'not found'))
      .resolves(idParameter(ID));
    const externalId = createExternalIdSource(new SSMClient({}), ID_PARAMETER);
    const error = await failureOf(externalId());
    expect(classifyError(error)).toBe('terminal');
    expect(error.message).toContain(
      `the spoke external id from SSM parameter ${ID_PARAMETER} (ParameterNotFound)`,
    );
    expect(await externalId()).toBe(ID);
  });

  it('refuses a value that cannot be an external id, without showing it', async () => {
    ssm.on(GetParameterCommand).resolves(idParameter('short s3cr3t'));
    const error = await failureOf(createExternalIdSource(new SSMClient({}), ID_PARAMETER)());
    expect(classifyError(error)).toBe('terminal');
    expect(error.message).toContain('does not hold an external id');
    expect(error.message).not.toContain('s3cr3t');
  });
});
