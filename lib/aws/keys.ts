/**
 * Partition keys of the ledger table (docs/architecture.md, "Data"): the one place their formats
 * are written. Jobs never see them; ports speak of services and fleets.
 */

/** Partition of a service's records (releases, quarantines, rollbacks, cleanup snapshots and claims). */
export function servicePartitionKey(serviceArn: string): string {
  return `service#${serviceArn}`;
}

/** Partition of fleet-wide records (quota warnings) of one account and region. */
export function fleetPartitionKey(account: string, region: string): string {
  return `fleet#${account}#${region}`;
}

/**
 * Partition of the pin records of one image repository (`<registry>/<name>`): a second copy of each
 * service's pin record, so a push to the repository finds the pinned services with one query.
 */
export function repositoryPinsPartitionKey(repository: string): string {
  return `pins#${repository}`;
}

/**
 * Partition of the bakes one CloudWatch alarm watches (account, region, alarm name): a second copy
 * of each service's bake record, so an alarm's state change finds its services with one query.
 */
export function alarmBakesPartitionKey(account: string, region: string, alarmName: string): string {
  return `alarm#${account}#${region}#${alarmName}`;
}
