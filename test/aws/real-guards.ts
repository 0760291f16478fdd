import { randomBytes } from 'node:crypto';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';

/** The suite will not touch a real account: nothing was created. */
export class RefusalError extends Error {
  override readonly name = 'RefusalError';
}

/** Every resource a real run creates is named `agtest-<6 hex>-…`, so `agtest-` finds leftovers. */
export const PREFIX_ROOT = 'agtest-';

/** A fresh, unique resource-name prefix for one flow of a real run. */
export function newPrefix(): string {
  return `${PREFIX_ROOT}${randomBytes(3).toString('hex')}`;
}

/** Who the credentials are, once checked against `--confirm-account`. */
export interface ConfirmedIdentity {
  account: string;
  arn: string;
}

/**
 * Refuses a real run unless `--confirm-account` names, as 12 digits, the account the credentials
 * belong to (STS GetCallerIdentity). A missing or malformed flag refuses before any AWS call.
 */
export async function confirmAccount(
  sts: STSClient,
  confirm: string | undefined,
): Promise<ConfirmedIdentity> {
  if (confirm === undefined) {
    throw new RefusalError(
      '--real creates App Runner services in a real account and costs money: add --confirm-account <the 12-digit account id> to confirm which account',
    );
  }
  if (!/^\d{12}$/.test(confirm)) {
    throw new RefusalError(`--confirm-account must be a 12-digit AWS account id, got "${confirm}"`);
  }
  const identity = await sts.send(new GetCallerIdentityCommand({}));
  if (identity.Account !== confirm) {
    throw new RefusalError(
      `the credentials belong to account ${identity.Account ?? '(unknown)'} (${identity.Arn ?? 'unknown principal'}), not ${confirm} named by --confirm-account: refusing to run`,
    );
  }
  return { account: confirm, arn: identity.Arn ?? '' };
}
