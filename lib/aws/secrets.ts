import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { SSMClient } from '@aws-sdk/client-ssm';
import { RetryableError, TerminalError } from '../core/errors.ts';
import { clientConfig } from './client-config.ts';
import { translateAwsError } from './errors.ts';

/** Where the Slack webhook URL comes from. The URL is a secret: never log, return or store it. */
export interface WebhookUrlSource {
  get(): Promise<string>;
  /** Forces the next `get` to read the parameter again (after Slack rejected the URL). */
  invalidate(): void;
}

/** Creates the SSM client once per container. */
export function createSsmClient(): SSMClient {
  return new SSMClient(clientConfig());
}

/** How long a container keeps the URL before reading the parameter again (a rotation takes effect). */
export const WEBHOOK_URL_MAX_AGE_SECONDS = 300;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function isWebhookUrl(value: string): boolean {
  try {
    const url = new URL(value);
    // Plain http only to the loopback interface: the sandbox's local Slack receiver.
    return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
  } catch {
    return false;
  }
}

/**
 * Reads the webhook URL from an SSM SecureString parameter through Powertools Parameters,
 * decrypted and cached for {@link WEBHOOK_URL_MAX_AGE_SECONDS}. Errors name the parameter and the
 * SSM error, never the value: a missing parameter or denied access is terminal, anything else
 * retryable.
 */
export function createWebhookUrlSource(
  client: SSMClient,
  parameterName: string,
  maxAgeSeconds = WEBHOOK_URL_MAX_AGE_SECONDS,
): WebhookUrlSource {
  const provider = new SSMProvider({ awsSdkV3Client: client });
  let forceFetch = false;
  return {
    async get() {
      let value: unknown;
      try {
        value = await provider.get(parameterName, { decrypt: true, maxAge: maxAgeSeconds, forceFetch });
      } catch (error) {
        const cause = (error as Error).cause ?? error;
        const name = cause instanceof Error ? cause.name : 'Error';
        const message = `could not read the Slack webhook URL from SSM parameter ${parameterName} (${name})`;
        const kind = translateAwsError(cause).kind;
        throw kind === 'terminal'
          ? new TerminalError(message, { cause })
          : new RetryableError(message, { cause });
      }
      forceFetch = false;
      if (typeof value !== 'string' || !isWebhookUrl(value.trim())) {
        throw new TerminalError(`SSM parameter ${parameterName} does not hold an https webhook URL`);
      }
      return value.trim();
    },
    invalidate() {
      forceFetch = true;
    },
  };
}
