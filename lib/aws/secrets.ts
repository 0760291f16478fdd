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

/** A secret read from an SSM SecureString. Never log, return or store its value. */
export interface SecretSource {
  get(): Promise<string>;
  /** Forces the next `get` to read the parameter again (after the secret was refused). */
  invalidate(): void;
}

/** What a secret is, for errors, and how to recognise a plausible value. */
export interface SecretSpec {
  /** Names the secret in errors: `the Slack webhook URL`. */
  what: string;
  /** Ends the error for a value that fails {@link SecretSpec.isValid}: `an https webhook URL`. */
  expected: string;
  /** Checks the trimmed value; the value itself never appears in an error. */
  isValid(value: string): boolean;
}

/**
 * Reads a secret from an SSM SecureString parameter through Powertools Parameters, decrypted and
 * cached for `maxAgeSeconds` (so a rotation takes effect). Errors name the parameter and the SSM
 * error, never the value: a missing parameter or denied access is terminal, anything else
 * retryable; a value that is not what `spec` expects is terminal.
 */
export function createSecretSource(
  client: SSMClient,
  parameterName: string,
  spec: SecretSpec,
  maxAgeSeconds = WEBHOOK_URL_MAX_AGE_SECONDS,
): SecretSource {
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
        const message = `could not read ${spec.what} from SSM parameter ${parameterName} (${name})`;
        const kind = translateAwsError(cause).kind;
        throw kind === 'terminal'
          ? new TerminalError(message, { cause })
          : new RetryableError(message, { cause });
      }
      forceFetch = false;
      if (typeof value !== 'string' || !spec.isValid(value.trim())) {
        throw new TerminalError(`SSM parameter ${parameterName} does not hold ${spec.expected}`);
      }
      return value.trim();
    },
    invalidate() {
      forceFetch = true;
    },
  };
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
  return createSecretSource(
    client,
    parameterName,
    { what: 'the Slack webhook URL', expected: 'an https webhook URL', isValid: isWebhookUrl },
    maxAgeSeconds,
  );
}

/**
 * The Slack app's signing secret (verifies interaction requests): a short opaque string, 32 hex
 * characters today. Cached like the webhook URL, so a rotated secret takes effect within minutes.
 */
export function createSigningSecretSource(client: SSMClient, parameterName: string): SecretSource {
  return createSecretSource(client, parameterName, {
    what: 'the Slack signing secret',
    expected: 'a Slack signing secret',
    isValid: (v) => /^[A-Za-z0-9]{16,128}$/.test(v),
  });
}

/** The Slack app's bot token (`xoxb-…`), for the Web API. */
export function createBotTokenSource(client: SSMClient, parameterName: string): SecretSource {
  return createSecretSource(client, parameterName, {
    what: 'the Slack bot token',
    expected: 'a Slack bot token (xoxb-…)',
    isValid: (v) => /^xoxb-[A-Za-z0-9-]{10,250}$/.test(v),
  });
}

/** What an external id may be (IAM's `sts:ExternalId`; the spoke template requires 16 or more). */
const EXTERNAL_ID = /^[\w+=,.@:/-]{16,1224}$/;

/**
 * The external id the spoke roles require, from an SSM SecureString parameter (the
 * `spokeExternalIdParameter` param): the read starts when the source is made (the cold start) and
 * its value is kept for the container's life; a failed read is not kept, the next call reads again.
 * Errors name the parameter, never the value.
 */
export function createExternalIdSource(client: SSMClient, parameterName: string): () => Promise<string> {
  const source = createSecretSource(
    client,
    parameterName,
    {
      what: 'the spoke external id',
      expected: 'an external id (16 to 1224 of A-Z a-z 0-9 _ + = , . @ : / -)',
      isValid: (v) => EXTERNAL_ID.test(v),
    },
    Number.POSITIVE_INFINITY,
  );
  let read: Promise<string> | undefined;
  const get = () => {
    if (!read) {
      const attempt = source.get();
      read = attempt;
      attempt.catch(() => {
        if (read === attempt) read = undefined;
      });
    }
    return read;
  };
  void get().catch(() => {});
  return get;
}
