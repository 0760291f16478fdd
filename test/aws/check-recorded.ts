import { parseAppRunnerEvent } from '../../lib/events/app-runner.ts';
import { createTargets } from '../../lib/targets.ts';
import { loadRoutes, type Route, routeEvent } from '../../sandbox/routes.ts';
import type { SeenEvent } from './target.ts';

/** Which function must receive an App Runner event with this status (operation or service status). */
const MUST_REACH: Record<string, string> = {
  DeploymentFailed: 'rollback',
  CreateServiceFailed: 'notify',
  UpdateServiceFailed: 'notify',
  DeploymentCompletedSuccessfully: 'record-release',
  CreateServiceCompletedSuccessfully: 'record-release',
  UpdateServiceCompletedSuccessfully: 'record-release',
  CREATE_FAILED: 'cleanup',
  DELETE_FAILED: 'cleanup',
};

/**
 * Checks the App Runner events a run saw against the guard's own reading of them: each must pass
 * the guard's parser (in its own account), and each status the guard acts on must be routed, by
 * the deployed rules (`serverless.yml` + `infra/patterns/`), to the function that acts on it.
 * Returns one sentence per problem (none: reality and the fixtures agree).
 */
export function checkRecorded(events: readonly SeenEvent[], rootDir: string, routes?: Route[]): string[] {
  const rules = routes ?? loadRoutes(rootDir);
  const problems: string[] = [];
  for (const e of events) {
    const d = e.detail;
    const status = String(d.Status ?? d.operationStatus ?? d.CurrentStatus ?? d.currentServiceStatus ?? '?');
    const label = `${status} event ${e.id}`;
    try {
      parseAppRunnerEvent(e, {
        targets: createTargets({ entries: [] }, { account: e.account, region: e.region }),
      });
    } catch (error) {
      problems.push(
        `${label}: the guard's parser rejects it: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const expected = MUST_REACH[status];
    if (expected && !routeEvent(rules, e).includes(expected)) {
      problems.push(`${label}: no deployed rule routes it to ${expected}`);
    }
  }
  return problems;
}
