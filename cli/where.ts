/**
 * Where a command acts (README "Many accounts and regions"): `--region` names the service's
 * region, `--account` a spoke account, reached through the spoke role there with the external id.
 * Without `--account`, the caller's own credentials, as before.
 *
 * @module
 */
import { createExternalIdSource, createSsmClient } from '../lib/aws/secrets.ts';
import { createServicePortsAt } from '../lib/aws/targets.ts';
import { loadCliConfig } from '../lib/config.ts';
import { isAccountId } from '../lib/targets.ts';
import { type OptionSpec, UsageError } from './args.ts';

/** The `--account` option of the commands acting on one service. */
export const ACCOUNT_OPTION = {
  type: 'string',
  value: '<account id>',
  help: "the service's account when it is a spoke: acts through the spoke role <GUARD_STACK_NAME>-spoke-<region>",
} as const satisfies OptionSpec;

/** Notes of the commands with `--account`. */
export const ACCOUNT_NOTES = `With --account: GUARD_STACK_NAME and GUARD_SPOKE_EXTERNAL_ID (the spokeExternalId param), or
GUARD_SPOKE_EXTERNAL_ID_PARAMETER (the SSM SecureString holding it, read with your credentials), are
required, and the spoke role must trust your role (add it to the spoke's HubFunctionRoleArns).`;

/** App Runner and ECR ports where the command acts, and how messages name that place. */
export function servicePortsFor(
  values: { account?: string | undefined },
  env: Record<string, string | undefined>,
  region: string,
) {
  const account = values.account;
  if (account !== undefined && !isAccountId(account))
    throw new UsageError(`--account must be a 12-digit account id, got "${account}"`);
  const spokes =
    account === undefined
      ? undefined
      : (() => {
          // The external id as the stack has it: a value, or the SSM parameter holding it.
          const parameter = env.GUARD_SPOKE_EXTERNAL_ID_PARAMETER;
          if (parameter && !env.GUARD_SPOKE_EXTERNAL_ID) {
            const c = loadCliConfig(env, ['stackName']);
            return {
              roleNamePrefix: c.stackName,
              externalId: createExternalIdSource(createSsmClient(), parameter),
            };
          }
          const c = loadCliConfig(env, ['stackName', 'spokeExternalId']);
          return { roleNamePrefix: c.stackName, externalId: c.spokeExternalId };
        })();
  return {
    ...createServicePortsAt({ region, account, spokes }),
    where: account === undefined ? region : `${account}/${region}`,
  };
}
