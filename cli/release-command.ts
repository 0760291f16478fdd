import { createEventBridgeClient, createGuardEventPublisher } from '../lib/aws/guard-events.ts';
import { createDynamoDBClient } from '../lib/aws/idempotency.ts';
import { createLedgerGateway } from '../lib/aws/ledger.ts';
import { loadCliConfig } from '../lib/config.ts';
import { servicePortsFor } from './where.ts';

/**
 * What `guard rollback` and `guard unpin` act with: the settings they need (each missing one named),
 * App Runner and ECR where the service is (`--region`, `--account`), the stack's ledger and its
 * event bus, and the trigger that names the operator in the ledger and the published event.
 */
export function releaseCommandSetup(
  values: { region?: string | undefined; account?: string | undefined },
  env: Record<string, string | undefined>,
) {
  const config = loadCliConfig({ ...env, ...(values.region ? { AWS_REGION: values.region } : {}) }, [
    'region',
    'ledgerTable',
    'eventBusName',
    'operator',
  ]);
  // The SDK clients take their region from the environment, as in Lambda.
  process.env.AWS_REGION = config.region;
  const ports = {
    ...servicePortsFor(values, env, config.region),
    ledger: createLedgerGateway(createDynamoDBClient(), config.ledgerTable),
    publisher: createGuardEventPublisher(createEventBridgeClient(), config.eventBusName),
  };
  /** A manual trigger now: `manual:<operator>@<time>`. */
  const manualTrigger = () => {
    const time = new Date().toISOString();
    const who = config.operator.replace(/[^\w.-]/g, '_').slice(0, 64);
    return { kind: 'manual' as const, id: `manual:${who}@${time}`, time };
  };
  return { config, ports, manualTrigger };
}
