import type { Target, Targets } from '../../targets.ts';
import type { AppRunnerPort } from './app-runner.ts';
import type { ServiceTagsPort } from './service-tags.ts';

export type { Target, Targets } from '../../targets.ts';

/** Answers "is this account × region one of the guard's targets" (what the event parsers need). */
export type TargetCheck = Pick<Targets, 'isTarget' | 'listTargets'>;

/**
 * Why `account` × `region` is not a target, naming the field to blame (`account` when the guard
 * watches no region of that account, else `region`); `undefined` when it is a target.
 */
export function outsideTargets(
  check: TargetCheck,
  account: string,
  region: string,
): { field: 'account' | 'region'; message: string } | undefined {
  if (check.isTarget(account, region)) return undefined;
  const regions = check
    .listTargets()
    .filter((t) => t.account === account)
    .map((t) => t.region);
  if (regions.length === 0)
    return { field: 'account', message: `event from account ${account}, not one of the guard's targets` };
  return {
    field: 'region',
    message: `event from ${region}; the guard watches account ${account} in ${regions.join(', ')} only`,
  };
}

/**
 * Port: the guard's targets and the App Runner APIs in each (docs/architecture.md, "Many accounts
 * and regions"). Calls naming a service (by ARN) go through the routing `AppRunnerPort` the jobs
 * already hold; what names no service — listing a target's fleet, reading its tags in bulk — is
 * asked of one target here. The hub's own account and region use the function's own credentials,
 * every other target the spoke role assumed there.
 */
export interface TargetRouter extends Targets {
  /** App Runner in one target. Throws a terminal error for an account × region outside the targets. */
  appRunnerIn(target: Target): AppRunnerPort;
  /**
   * App Runner in one target for paced fleet work: a throttled call fails at once (the SDK does
   * not retry it) for the caller's pacer to retry in its turn; other errors are retried as usual.
   */
  fleetAppRunnerIn(target: Target): AppRunnerPort;
  /** Bulk tag reads (Resource Groups Tagging API) in one target. */
  serviceTagsIn(target: Target): ServiceTagsPort;
}

/** `<account>/<region>`: how messages and results name a target. */
export function targetLabel(target: Target): string {
  return `${target.account}/${target.region}`;
}
