import { createBakeLedger } from '../lib/aws/bake-ledger.ts';
import { createAlarmsGateway, createCloudWatchClient } from '../lib/aws/cloudwatch.ts';
import { createDynamoDBClient } from '../lib/aws/idempotency.ts';
import { createLedgerGateway } from '../lib/aws/ledger.ts';
import { createSchedulerClient, createSchedulerGateway } from '../lib/aws/scheduler.ts';
import { loadCliConfig } from '../lib/config.ts';
import { describeError } from '../lib/core/errors.ts';
import type { AlarmsPort, AlarmView } from '../lib/core/ports/alarms.ts';
import type { AppRunnerPort, ServiceView } from '../lib/core/ports/app-runner.ts';
import type { BakeLedger, BakeRecord } from '../lib/core/ports/bake-ledger.ts';
import type { ImageDigestResolver } from '../lib/core/ports/image-registry.ts';
import {
  isKnownGood,
  type LedgerPort,
  type PinRecord,
  type QuarantineRecord,
  type ReleaseRecord,
} from '../lib/core/ports/release-ledger.ts';
import type { SchedulerPort, ScheduleView } from '../lib/core/ports/scheduler.ts';
import type { ServiceRef } from '../lib/events/app-runner.ts';
import { parseServiceArn } from '../lib/events/app-runner.ts';
import { isOptedOut, parseBakeMinutes, TAGS, type Tags } from '../lib/tags.ts';
import type { CommandRun } from './args.ts';
import type { STATUS } from './commands.ts';
import { findService } from './rollback.ts';
import { servicePortsFor } from './where.ts';

/** Schedules read back (GetSchedule) at most, to stay one screen and a few seconds. */
const MAX_SCHEDULES_READ = 200;

/** Everything `guard status` shows. */
export interface ServiceStatusReport {
  service: { name: string; arn: string; status: string; source: 'image' | 'code' };
  configured: { image?: string; digest?: string; unresolvedReason?: string; autoDeployments?: boolean };
  pin?: PinRecord & { fixForward: 'on' | 'off' };
  /** Promoted releases: the rollback targets, newest first. */
  knownGood: ReleaseRecord[];
  /** The newest release still baking (never a rollback target), if any. */
  candidate: ReleaseRecord | null;
  /** The bake window: the tag's minutes, and the last bake with its alarms' states now. */
  bake: {
    minutes: number | 'invalid' | null;
    last: (BakeRecord & { alarmStates: AlarmView[] }) | null;
  };
  quarantined: QuarantineRecord[];
  schedules: ScheduleView[];
  tags: Tags;
}

/** Reads one service's status through the ports (the CLI builds them; tests inject fakes). */
export async function readServiceStatus(
  ref: ServiceRef,
  ports: {
    appRunner: AppRunnerPort;
    images: ImageDigestResolver;
    ledger: LedgerPort;
    scheduler: SchedulerPort;
    bakes: BakeLedger;
    alarms: Pick<AlarmsPort, 'describeAlarms'>;
  },
): Promise<ServiceStatusReport | undefined> {
  const view: ServiceView | undefined = await ports.appRunner.describeService(ref.arn);
  if (!view) return undefined;
  const [tags, pin, releases, quarantined, schedules, resolved, bake] = await Promise.all([
    ports.appRunner.listTags(ref.arn),
    ports.ledger.getPin(ref.arn),
    ports.ledger.listReleases(ref.arn),
    ports.ledger.listQuarantined(ref.arn),
    pendingSchedules(ref, ports.scheduler),
    view.imageIdentifier ? ports.images.resolve(view.imageIdentifier, view.imageRepositoryType) : undefined,
    ports.bakes.getBake(ref.arn),
  ]);
  const alarmStates = bake && bake.alarms.length > 0 ? await ports.alarms.describeAlarms(bake.alarms) : [];
  return {
    service: { name: view.name, arn: view.arn, status: view.status, source: view.sourceType },
    configured: {
      ...(view.imageIdentifier ? { image: view.imageIdentifier } : {}),
      ...(resolved?.kind === 'resolved' ? { digest: resolved.digest } : {}),
      ...(resolved?.kind === 'unresolvable' ? { unresolvedReason: resolved.reason } : {}),
      ...(view.autoDeploymentsEnabled === undefined ? {} : { autoDeployments: view.autoDeploymentsEnabled }),
    },
    ...(pin ? { pin: { ...pin, fixForward: isOptedOut(tags, TAGS.fixForward) ? 'off' : 'on' } } : {}),
    knownGood: releases.filter(isKnownGood),
    candidate: releases.find((r) => !isKnownGood(r)) ?? null,
    bake: {
      minutes: parseBakeMinutes(tags[TAGS.bakeMinutes]) ?? null,
      last: bake ? { ...bake, alarmStates } : null,
    },
    quarantined,
    schedules,
    tags,
  };
}

/** The guard's one-time schedules about this service: named after its id, or carrying its ARN. */
async function pendingSchedules(ref: ServiceRef, scheduler: SchedulerPort): Promise<ScheduleView[]> {
  const out: ScheduleView[] = [];
  let read = 0;
  for await (const s of scheduler.list()) {
    if (read >= MAX_SCHEDULES_READ) break;
    read++;
    const full = await scheduler.get(s.name);
    if (!full) continue;
    if (s.name.includes(ref.id) || full.input?.includes(ref.arn)) out.push(full);
  }
  return out;
}

const short = (digest: string | undefined) => (digest ? `${digest.slice(0, 19)}…` : '—');

/** The report on one screen. */
export function formatStatus(r: ServiceStatusReport): string {
  const lines: string[] = [];
  const line = (label: string, value: string) => lines.push(`${label.padEnd(14)}${value}`);
  line('service', `${r.service.name} (${r.service.arn})`);
  const where = parseServiceArn(r.service.arn);
  // Which account and region: with many targets, a name alone does not say.
  if (where) line('where', `account ${where.account}, region ${where.region}`);
  line('status', r.service.status);
  if (r.service.source === 'code') {
    line('source', 'code repository: the guard never pins or releases a code-based service');
  } else {
    line(
      'configured',
      `${r.configured.image ?? '—'}${r.configured.digest ? ` → ${short(r.configured.digest)}` : r.configured.unresolvedReason ? ` (${r.configured.unresolvedReason})` : ''}`,
    );
    line(
      'auto-deploy',
      r.configured.autoDeployments === undefined ? 'unknown' : r.configured.autoDeployments ? 'on' : 'off',
    );
  }
  const p = r.pin;
  if (p) {
    line('pinned', `yes, to ${p.pinnedImage} since ${p.time}`);
    line('  why', p.reason);
    line(
      '  replaced',
      `${p.replacedImage} (automatic deployments ${p.autoDeploymentsEnabled ? 'on' : 'off'})`,
    );
    if (p.failedDigest) line('  failed', p.failedDigest);
    line(
      '  ends',
      p.tag
        ? `${p.fixForward === 'on' ? `a push of a new digest to ${p.repository}:${p.tag}, or ` : `fix forward is off (tag ${TAGS.fixForward}=off): only `}\`guard unpin ${r.service.name}\``
        : `\`guard rollback ${r.service.name} --to <digest>\` (the pin replaced a digest, not a tag)`,
    );
  } else {
    line('pinned', 'no');
  }
  line('known-good', r.knownGood.length === 0 ? 'none' : `${r.knownGood.length} (newest first)`);
  for (const k of r.knownGood.slice(0, 5)) lines.push(`  ${k.digest}  ${k.time}`);
  const b = r.bake.last;
  line(
    'candidate',
    r.candidate
      ? `${r.candidate.digest}${b?.digest === r.candidate.digest && b.status === 'baking' ? ` (baking until ${b.bakeUntil}; not a rollback target until promoted)` : ' (not promoted: never a rollback target)'}`
      : 'none',
  );
  line(
    'bake window',
    r.bake.minutes === null
      ? `off (tag ${TAGS.bakeMinutes} not set)`
      : r.bake.minutes === 'invalid'
        ? `off: tag ${TAGS.bakeMinutes} is not a whole number of minutes from 1 to 1440`
        : `${r.bake.minutes} minutes after each successful deployment`,
  );
  if (b) {
    const ended = b.endedAt ? ` at ${b.endedAt}${b.endedBy ? ` (${b.endedBy})` : ''}` : '';
    line(
      '  last bake',
      `${short(b.digest)} ${b.status}${ended}; window ${b.deploymentStartedAt} – ${b.bakeUntil}`,
    );
    for (const name of b.alarms) {
      const a = b.alarmStates.find((x) => x.name === name);
      const own = name === b.ownAlarm ? ' (the guard’s default alarm)' : '';
      lines.push(
        `  ${name}${own}  ${a ? `${a.state}${a.stateUpdatedAt ? ` since ${a.stateUpdatedAt}` : ''}` : 'missing'}`,
      );
    }
  }
  line('quarantined', r.quarantined.length === 0 ? 'none' : String(r.quarantined.length));
  for (const q of r.quarantined.slice(0, 5)) lines.push(`  ${q.digest}  ${q.time}  ${q.reason}`);
  line('schedules', r.schedules.length === 0 ? 'none pending' : String(r.schedules.length));
  for (const s of r.schedules) lines.push(`  ${s.name}  ${s.expression}${s.state ? `  ${s.state}` : ''}`);
  return `${lines.join('\n')}\n`;
}

/** `guard status <service|arn>`: one screen on what a service runs and what the guard did to it. */
export const runStatus: CommandRun<typeof STATUS.options> = async ({ values, positionals }, io) => {
  const target = positionals[0]!;
  const config = loadCliConfig({ ...io.env, ...(values.region ? { AWS_REGION: values.region } : {}) }, [
    'region',
    'ledgerTable',
    'schedulerGroup',
  ]);
  process.env.AWS_REGION = config.region;
  const dynamo = createDynamoDBClient();
  const ports = {
    ...servicePortsFor(values, io.env, config.region),
    ledger: createLedgerGateway(dynamo, config.ledgerTable),
    // Reading only: the role is never passed, so none is needed.
    scheduler: createSchedulerGateway(createSchedulerClient(), { group: config.schedulerGroup, roleArn: '' }),
    bakes: createBakeLedger(dynamo, config.ledgerTable),
    alarms: createAlarmsGateway(createCloudWatchClient()),
  };
  try {
    const ref = await findService(target, ports.appRunner);
    const report = ref ? await readServiceStatus(ref, ports) : undefined;
    if (!report) {
      io.err(`guard status: no App Runner service "${target}" in ${ports.where}\n`);
      return 1;
    }
    io.out(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatStatus(report));
    return 0;
  } catch (error) {
    io.err(`guard status: ${describeError(error)}\n`);
    return 1;
  }
};
