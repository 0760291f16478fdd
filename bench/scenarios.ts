// The sandbox scenarios of `npm run bench`, generated in code (sandbox/README.md format): a fleet
// large enough to be bound by App Runner's request rate, and an alert storm bound by Slack's.

/** The App Runner API the fleet run meets: requests per real second, real latency per request. */
export const FLEET_API = { maxRequestsPerSecond: 10, latencyMs: 50 } as const;

const SCHEDULE = 'bench-fleet';
const DEFINITION = { timezone: 'Europe/Berlin', pause: 'cron(0 20 * * ? *)', resume: 'cron(0 7 * * ? *)' };
const pad = (i: number) => String(i).padStart(3, '0');

/**
 * The accounts × regions the fleet is spread over: the hub (111122223333, us-east-1) and five more
 * targets, 3 accounts × 2 regions in all. App Runner's request rate is per account and region: each
 * is a partition of its own.
 */
export const FLEET_PARTITIONS = [
  { account: '111122223333', region: 'us-east-1' },
  { account: '111122223333', region: 'eu-west-1' },
  { account: '222233334444', region: 'us-east-1' },
  { account: '222233334444', region: 'eu-west-1' },
  { account: '333344445555', region: 'us-east-1' },
  { account: '333344445555', region: 'eu-west-1' },
] as const;

/**
 * `services` running services opted in to one schedule, spread evenly over
 * {@link FLEET_PARTITIONS}; its 20:00 Berlin pause fire (a Friday) is invoked once, like Scheduler
 * would, with App Runner limited to {@link FLEET_API} in each account and region. Deployed
 * schedules (the cleanup sweep, infra/schedules.yml) are off: only the pause run talks to App
 * Runner. A marker step just before the fire lets the bench time the run in real time.
 */
export function fleetScenario(services: number) {
  const [hub, ...others] = FLEET_PARTITIONS;
  const accounts = [...new Set(others.map((p) => p.account))];
  return {
    name: `bench-fleet-${services}`,
    description: `Pause ${services} services tagged for one schedule over ${FLEET_PARTITIONS.length} accounts × regions; App Runner allows ${FLEET_API.maxRequestsPerSecond} requests/s at ${FLEET_API.latencyMs} ms each, per account and region.`,
    start: '2026-11-20T18:55:00Z',
    end: '+3h',
    account: hub.account,
    region: hub.region,
    targets: accounts.map((account) => ({
      account,
      regions: others.filter((p) => p.account === account).map((p) => p.region),
    })),
    settings: { deployedSchedules: false, serviceQuota: services + 10, durations: { pause: 60 } },
    images: [{ image: 'app:v1', digest: 'app-v1' }],
    fleet: Array.from({ length: services }, (_, i) => {
      const where = FLEET_PARTITIONS[i % FLEET_PARTITIONS.length]!;
      return {
        name: `svc-${pad(i + 1)}`,
        image: 'app:v1',
        account: where.account,
        region: where.region,
        tags: { 'apprunner-guard:schedule': SCHEDULE },
      };
    }),
    steps: [
      {
        at: '+4m',
        failNext: { service: `${hub.account}/${hub.region}/svc-001`, operation: 'delete', times: 1 },
        note: 'bench: timing starts',
      },
      {
        at: '+5m',
        invoke: {
          function: 'pause-resume',
          payload: {
            action: 'pause',
            schedule: SCHEDULE,
            scheduledTime: '2026-11-20T19:00:00Z',
            definition: DEFINITION,
          },
        },
      },
    ],
    faults: { apprunner: { ...FLEET_API } },
  };
}

/**
 * `failures` services each deploy a bad image within one minute: `failures` DeploymentFailed
 * events, each handled by the rollback (no known-good release: nothing to pin) whose outcome the
 * notifier sends to SNS and Slack. Slack allows one message per second per webhook.
 */
export function stormScenario(failures: number) {
  const spacingMs = Math.floor(60_000 / failures);
  return {
    name: `bench-storm-${failures}`,
    description: `${failures} deployment failures in one minute → alerts through a Slack webhook limited to 1 message/s.`,
    start: '2026-11-20T10:00:00Z',
    end: '+2h',
    settings: { deployedSchedules: false, serviceQuota: failures + 10 },
    images: [
      { image: 'shop:v1', digest: 'shop-v1' },
      { image: 'shop:v2', digest: 'shop-v2', bad: true },
    ],
    fleet: Array.from({ length: failures }, (_, i) => ({ name: `shop-${pad(i + 1)}`, image: 'shop:v1' })),
    steps: Array.from({ length: failures }, (_, i) => ({
      at: `+${60 + Math.floor((i * spacingMs) / 1000)}s`,
      update: { service: `shop-${pad(i + 1)}`, image: 'shop:v2' },
    })),
  };
}
