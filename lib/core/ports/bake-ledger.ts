/**
 * The bake window's ledger (docs/architecture.md, "Bake window"): per service, the current bake (the
 * candidate release, its window and the alarms watching it), findable by alarm name so an alarm's
 * state change finds the services it watches.
 */

/** Where a bake stands. */
export type BakeStatus = 'baking' | 'promoted' | 'rolled-back';

/** A service's current (or last) bake. */
export interface BakeRecord {
  serviceArn: string;
  /** The success event that started the bake: a promotion wake-up names it. */
  trigger: string;
  /** The candidate: image as configured, its repository and digest. */
  imageIdentifier: string;
  repository: string;
  digest: string;
  /** When the deployment started (its operation's start; else the success) and succeeded. */
  deploymentStartedAt: string;
  deployedAt: string;
  bakeMinutes: number;
  /** `deployedAt` + `bakeMinutes`: the promotion time. */
  bakeUntil: string;
  /** The alarms watching the bake (account and region of the service). */
  alarms: string[];
  /** The guard's own default alarm, when it is one of `alarms`. */
  ownAlarm?: string;
  /** Alarms already in ALARM when the deployment started: they do not blame it. */
  firingAtStart: string[];
  status: BakeStatus;
  /** When and why the bake ended (promotion, rollback). */
  endedAt?: string;
  endedBy?: string;
}

/** Port: bake records (implemented in `lib/aws/bake-ledger.ts`). */
export interface BakeLedger {
  getBake(serviceArn: string): Promise<BakeRecord | undefined>;
  /** Writes (or replaces) the service's bake, findable under each of its alarms. */
  recordBake(bake: BakeRecord): Promise<void>;
  /** The bakes watched by an alarm of that account and region. */
  listBakesByAlarm(account: string, region: string, alarmName: string): Promise<BakeRecord[]>;
  /** Forgets the service's bake (the opt-in was removed). */
  removeBake(serviceArn: string): Promise<void>;
}
