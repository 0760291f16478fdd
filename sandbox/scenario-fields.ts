import * as z from 'zod';

/**
 * Field schemas shared by the scenario format (`sandbox/scenario.ts`) and the step kinds
 * (`sandbox/steps/`), kept apart so that a step kind can use them without importing the scenario
 * schema that is built from the step kinds.
 */

/** The operation kinds of the App Runner simulator, as a scenario names them. */
export const OPERATION_KINDS = ['create', 'deploy', 'update', 'pause', 'resume', 'delete'] as const;

export const serviceName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{3,39}$/, 'must be a valid App Runner service name');

/**
 * A service as steps and expectations name it: `<account>/<region>/<name>` in a target, or its plain
 * name in the hub (the scenario's `account` and `region`).
 */
export const serviceAddress = z
  .string()
  .regex(
    /^(\d{12}\/[a-z]{2}(-[a-z]+)+-\d\/)?[A-Za-z0-9][A-Za-z0-9_-]{3,39}$/,
    'must be a service name, or <account>/<region>/<name>',
  );

/** Tag values may be written as numbers or booleans in YAML; App Runner stores strings. */
export const tagMap = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String));

/** A code-based service's repository. */
export const codeSource = z
  .object({ repositoryUrl: z.string().min(1), branch: z.string().optional() })
  .strict();

/** An image in the registry: `images:` entries and the `push` step. */
export const imageSchema = z
  .object({
    image: z.string().min(1),
    digest: z.string().min(1).optional(),
    bad: z.boolean().optional(),
    /** Deploys and passes its health check, then the service's default alarm goes to ALARM. */
    faulty: z.boolean().optional(),
  })
  .strict();

/** CloudWatch's alarm states, as a scenario writes them (`alarms:` and the `alarm` step). */
export const ALARM_STATE_VALUES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;
