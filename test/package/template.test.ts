import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRICS_NAMESPACE, METRICS_SERVICE, REJECTED_EVENTS_METRIC } from '../../lib/aws/metrics.ts';
import { QUEUE_DELIVERY } from '../../lib/core/delivery-policy.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FUNCTIONS = [
  'record-release',
  'rollback',
  'fix-forward',
  'notify',
  'cleanup',
  'pause-resume',
  'slack-actions',
  'slack-actions-job',
];
/** The Function URL's endpoint: invoked synchronously, so no queue, no DLQ, no rejection metric. */
const SYNCHRONOUS = ['slack-actions'];
/** The job each function counts rejections under, where it is not named like the function. */
const JOB_OF: Record<string, string> = { 'slack-actions-job': 'slack-actions' };
const MUTATING = [
  'apprunner:UpdateService',
  'apprunner:DeleteService',
  'apprunner:PauseService',
  'apprunner:ResumeService',
  'apprunner:TagResource',
  'apprunner:UntagResource',
  'apprunner:StartDeployment',
];

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: unknown };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown };
let outDir: string;
let template: { Resources: Record<string, Resource> };
let templatePath: string;

const resourcesOfType = (type: string) =>
  Object.entries(template.Resources).filter(([, r]) => r.Type === type);
const logicalIdOf = (fn: string) =>
  `${fn.replace(/-(.)/g, (_, c: string) => `Dash${c}`).replace(/^./, (c) => c.toUpperCase())}LambdaFunction`;

beforeAll(() => {
  outDir = mkdtempSync(join(tmpdir(), 'guard-package-'));
  execFileSync(
    join(ROOT, 'node_modules/.bin/osls'),
    ['package', '--stage', 'test', '--region', 'eu-west-1', '--package', outDir],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        SLS_TELEMETRY_DISABLED: '1',
      },
      stdio: 'pipe',
    },
  );
  templatePath = join(outDir, 'cloudformation-template-update-stack.json');
  template = JSON.parse(readFileSync(templatePath, 'utf8'));
}, 180_000);
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('the packaged CloudFormation template', () => {
  it('has every function on nodejs22.x, arm64, each bundled on its own', () => {
    for (const fn of FUNCTIONS) {
      const r = template.Resources[logicalIdOf(fn)]!;
      expect(r.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'] });
      expect(readFileSync(join(outDir, `${fn}.zip`)).length).toBeGreaterThan(1000);
    }
  });

  const QUEUED = ['record-release', 'rollback', 'fix-forward', 'notify', 'cleanup', 'slack-actions-job'];
  const SCHEDULED = ['notify', 'cleanup', 'pause-resume', 'record-release'];
  const arnOf = (v: unknown) => (v as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;
  const queueOf = (fn: string) => {
    const esm = resourcesOfType('AWS::Lambda::EventSourceMapping').find(
      ([, r]) => arnOf(r.Properties.FunctionName) === logicalIdOf(fn),
    );
    return { esm: esm?.[1], queue: esm ? arnOf(esm[1].Properties.EventSourceArn) : undefined };
  };
  const statementsOf = (fn: string) => {
    const role = arnOf(template.Resources[logicalIdOf(fn)]!.Properties.Role);
    return (
      template.Resources[role]!.Properties.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>
    ).flatMap((p) => p.PolicyDocument.Statement);
  };
  const dlqAlarmOn = (dlq: string) =>
    resourcesOfType('AWS::CloudWatch::Alarm').find(
      ([, r]) =>
        r.Properties.MetricName === 'ApproximateNumberOfMessagesVisible' &&
        JSON.stringify(r.Properties.Dimensions).includes(`"${dlq}"`),
    );

  it("has one EventBridge rule per pattern file, targeting the expected function's queue", () => {
    const expected: Record<string, string> = {
      'record-release.json': 'record-release',
      'bake-tag-change.json': 'record-release',
      'bake-service-deleted.json': 'record-release',
      'rollback.json': 'rollback',
      'bake-alarm.json': 'rollback',
      'notify-operation-failed.json': 'notify',
      'notify-service-failed.json': 'notify',
      'notify-guard-actions.json': 'notify',
      'cleanup-failed-service.json': 'cleanup',
      'fix-forward.json': 'fix-forward',
      'slack-action-requested.json': 'slack-actions-job',
    };
    const rules = resourcesOfType('AWS::Events::Rule');
    expect(rules).toHaveLength(Object.keys(expected).length);
    for (const [file, fn] of Object.entries(expected)) {
      const pattern = JSON.parse(readFileSync(join(ROOT, 'infra/patterns', file), 'utf8'));
      const rule = rules.find(
        ([, r]) => JSON.stringify(r.Properties.EventPattern) === JSON.stringify(pattern),
      );
      expect(rule, file).toBeDefined();
      const targets = rule![1].Properties.Targets as Array<{ Arn: unknown }>;
      expect(targets).toHaveLength(1);
      expect(arnOf(targets[0]!.Arn), file).toBe(queueOf(fn).queue);
      expect(template.Resources[queueOf(fn).queue!]!.Type).toBe('AWS::SQS::Queue');
    }
  });

  it('admits to each queue only its own rules (events.amazonaws.com, aws:SourceArn)', () => {
    for (const fn of QUEUED) {
      const { queue } = queueOf(fn);
      const ownRules = resourcesOfType('AWS::Events::Rule')
        .filter(([, r]) => arnOf((r.Properties.Targets as Array<{ Arn: unknown }>)[0]!.Arn) === queue)
        .map(([id]) => id)
        .sort();
      expect(ownRules.length, fn).toBeGreaterThan(0);
      const policies = resourcesOfType('AWS::SQS::QueuePolicy').filter(([, r]) =>
        (r.Properties.Queues as Array<{ Ref: string }>).some((q) => q.Ref === queue),
      );
      expect(policies, fn).toHaveLength(1);
      const statements = (
        policies[0]![1].Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }
      ).Statement;
      for (const s of statements) {
        expect(s, fn).toMatchObject({
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: { 'Fn::GetAtt': [queue, 'Arn'] },
        });
        const sources = (s.Condition as { ArnEquals: { 'aws:SourceArn': unknown[] } }).ArnEquals[
          'aws:SourceArn'
        ];
        expect(sources.map(arnOf).sort(), fn).toEqual(ownRules);
      }
    }
  });

  it('feeds each event-driven function from its queue with ReportBatchItemFailures, a redrive to an alarmed DLQ and SSE', () => {
    const queues = new Set<string>();
    for (const fn of QUEUED) {
      const { esm, queue } = queueOf(fn);
      expect(esm, fn).toBeDefined();
      queues.add(queue!);
      expect(esm!.Properties).toMatchObject({
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        Enabled: true,
      });
      expect(esm!.Properties.BatchSize as number).toBeLessThanOrEqual(10);
      expect(esm!.Properties.MaximumBatchingWindowInSeconds as number).toBeLessThanOrEqual(10);
      const q = template.Resources[queue!]!.Properties;
      const timeout = template.Resources[logicalIdOf(fn)]!.Properties.Timeout as number;
      // AWS: a queue feeding Lambda should have a visibility timeout of at least six times the function's.
      expect(q.VisibilityTimeout as number, fn).toBeGreaterThanOrEqual(6 * timeout);
      expect(q.SqsManagedSseEnabled, fn).toBe(true);
      const redrive = q.RedrivePolicy as { deadLetterTargetArn: unknown; maxReceiveCount: number };
      expect(redrive.maxReceiveCount).toBe(QUEUE_DELIVERY.maxReceiveCount);
      const dlq = arnOf(redrive.deadLetterTargetArn);
      expect(template.Resources[dlq]!.Properties.SqsManagedSseEnabled).toBe(true);
      expect(dlqAlarmOn(dlq), `${fn} DLQ alarm`).toBeDefined();
      expect(dlqAlarmOn(dlq)![1].Properties.AlarmActions).toEqual([{ Ref: 'AlertTopic' }]);
    }
    expect(queues.size).toBe(QUEUED.length);
    expect(queueOf('pause-resume').esm).toBeUndefined();
    expect(queueOf('slack-actions').esm).toBeUndefined();
  });

  it('keeps async-invoke retries and an alarmed on-failure DLQ only for what Scheduler invokes directly', () => {
    const configs = resourcesOfType('AWS::Lambda::EventInvokeConfig');
    const configured = configs.map(([, r]) => (r.Properties.FunctionName as { Ref: string }).Ref).sort();
    expect(configured).toEqual(SCHEDULED.map(logicalIdOf).sort());
    for (const fn of SCHEDULED) {
      const config = configs.find(
        ([, r]) => (r.Properties.FunctionName as { Ref: string }).Ref === logicalIdOf(fn),
      )!;
      const dest = arnOf(
        (config[1].Properties.DestinationConfig as { OnFailure: { Destination: unknown } }).OnFailure
          .Destination,
      );
      expect(template.Resources[dest]!.Type).toBe('AWS::SQS::Queue');
      // Never the queue's DLQ: that one holds events, which `guard dlq redrive` moves back.
      if (QUEUED.includes(fn)) {
        const redrive = template.Resources[queueOf(fn).queue!]!.Properties.RedrivePolicy as {
          deadLetterTargetArn: unknown;
        };
        expect(dest).not.toBe(arnOf(redrive.deadLetterTargetArn));
      }
      expect(config[1].Properties.MaximumRetryAttempts).toBe(2);
      expect(dlqAlarmOn(dest), `${fn} on-failure DLQ alarm`).toBeDefined();
    }
  });

  it('lets each function read, delete and delay messages of its own queue only', () => {
    const QUEUE_ACTIONS = [
      'sqs:ReceiveMessage',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:ChangeMessageVisibility',
    ];
    for (const fn of FUNCTIONS) {
      const sqs = statementsOf(fn).filter((s) => [s.Action].flat().some((a) => a.startsWith('sqs:')));
      const reading = sqs.filter((s) => [s.Action].flat().some((a) => QUEUE_ACTIONS.includes(a)));
      if (!QUEUED.includes(fn)) {
        expect(reading, fn).toEqual([]);
        continue;
      }
      expect([...new Set(reading.flatMap((s) => [s.Action].flat()))], fn).toEqual(
        expect.arrayContaining(QUEUE_ACTIONS),
      );
      for (const s of reading) {
        expect([s.Resource].flat().map(arnOf), fn).toEqual([queueOf(fn).queue]);
      }
      // Sending is only for Lambda's on-failure destination of its direct invocations.
      for (const s of sqs.filter((x) => [x.Action].flat().includes('sqs:SendMessage'))) {
        expect([s.Resource].flat().map(arnOf).join(), fn).toMatch(/InvokeDlq|Dlq$/);
        expect([s.Resource].flat().map(arnOf), fn).not.toContain(queueOf(fn).queue);
      }
    }
  });

  it("alarms on each function's rejected events (the RejectedEvents metric by job), notifying the alert topic", () => {
    const rejectionAlarms = resourcesOfType('AWS::CloudWatch::Alarm').filter(
      ([, r]) => r.Properties.MetricName === REJECTED_EVENTS_METRIC,
    );
    expect(rejectionAlarms).toHaveLength(FUNCTIONS.length - SYNCHRONOUS.length);
    for (const fn of FUNCTIONS.filter((f) => !SYNCHRONOUS.includes(f))) {
      const job = JOB_OF[fn] ?? fn;
      const alarm = rejectionAlarms.find(([, r]) =>
        JSON.stringify(r.Properties.Dimensions).includes(`{"Name":"job","Value":"${job}"}`),
      );
      expect(alarm, `${fn} rejection alarm`).toBeDefined();
      expect(alarm![1].Properties).toMatchObject({
        Namespace: METRICS_NAMESPACE,
        // A CloudWatch alarm matches dimensions exactly: these must be the set the counter emits.
        Dimensions: [
          { Name: 'service', Value: METRICS_SERVICE },
          { Name: 'job', Value: job },
        ],
        Statistic: 'Sum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [{ Ref: 'AlertTopic' }],
      });
    }
  });

  it('has the idempotency table with id hash key and TTL on expiration', () => {
    const table = template.Resources.IdempotencyTable!;
    expect(table.Properties.KeySchema).toEqual([{ AttributeName: 'id', KeyType: 'HASH' }]);
    expect(table.Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'expiration', Enabled: true });
  });

  it('encrypts the alert topic with a key the DLQ alarms can publish with (not alias/aws/sns)', () => {
    expect(template.Resources.AlertTopic!.Properties.KmsMasterKeyId).toEqual({ Ref: 'AlertTopicKey' });
    const policy = JSON.stringify(template.Resources.AlertTopicKey!.Properties.KeyPolicy);
    expect(policy).toContain('cloudwatch.amazonaws.com');
  });

  it('has the release ledger and the alert topic', () => {
    expect(template.Resources.LedgerTable!.Type).toBe('AWS::DynamoDB::Table');
    expect(template.Resources.AlertTopic!.Type).toBe('AWS::SNS::Topic');
  });

  it('gives each function its own role, with no wildcard resource on App Runner mutating actions', () => {
    const roles = new Set<string>();
    for (const fn of FUNCTIONS) {
      const role = (template.Resources[logicalIdOf(fn)]!.Properties.Role as { 'Fn::GetAtt': string[] })[
        'Fn::GetAtt'
      ][0]!;
      roles.add(role);
      const statements = (
        template.Resources[role]!.Properties.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>
      ).flatMap((p) => p.PolicyDocument.Statement);
      for (const s of statements) {
        const actions = [s.Action].flat();
        const resources = [s.Resource].flat();
        if (actions.some((a) => MUTATING.includes(a) || a.includes('*'))) {
          expect(resources, `${fn}: ${actions.join(',')}`).not.toContain('*');
          expect(JSON.stringify(resources)).toContain(':service/*/*');
        }
        expect(
          actions.some((a) => a === '*' || a.endsWith(':*')),
          `${fn} has a wildcard action`,
        ).toBe(false);
      }
    }
    expect(roles.size).toBe(FUNCTIONS.length);
  });

  it('grants destructive App Runner actions only to the job that needs each', () => {
    const actionsOf = (fn: string) => {
      const role = (template.Resources[logicalIdOf(fn)]!.Properties.Role as { 'Fn::GetAtt': string[] })[
        'Fn::GetAtt'
      ][0]!;
      return (
        template.Resources[role]!.Properties.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>
      )
        .flatMap((p) => p.PolicyDocument.Statement)
        .flatMap((s) => [s.Action].flat());
    };
    expect(actionsOf('cleanup')).toContain('apprunner:DeleteService');
    // A schedule run reads tags in bulk (one GetResources page per 100 services, not one call each).
    expect(actionsOf('pause-resume')).toContain('tag:GetResources');
    expect(actionsOf('rollback')).not.toContain('apprunner:DeleteService');
    expect(actionsOf('notify').filter((a) => a.startsWith('apprunner:'))).toEqual([]);
    expect(actionsOf('pause-resume')).toEqual(
      expect.arrayContaining(['apprunner:PauseService', 'apprunner:ResumeService']),
    );
    expect(actionsOf('record-release')).not.toContain('apprunner:UpdateService');
    // Fix forward releases a pin (UpdateService) and deletes, pauses or lists nothing.
    expect(
      actionsOf('fix-forward')
        .filter((a) => a.startsWith('apprunner:'))
        .sort(),
    ).toEqual(['apprunner:DescribeService', 'apprunner:ListTagsForResource', 'apprunner:UpdateService']);
    // The Slack endpoint only verifies and hands over; the job acts, and never deletes or pauses.
    expect(actionsOf('slack-actions').filter((a) => a.startsWith('apprunner:'))).toEqual([]);
    expect(actionsOf('slack-actions-job')).not.toContain('apprunner:DeleteService');
    expect(actionsOf('slack-actions-job')).not.toContain('apprunner:PauseService');
  });

  it('lets slack-actions-job read the deployed pause/resume schedules, and nothing else of that group', () => {
    const role = (
      template.Resources[logicalIdOf('slack-actions-job')]!.Properties.Role as { 'Fn::GetAtt': string[] }
    )['Fn::GetAtt'][0]!;
    const statements = (
      template.Resources[role]!.Properties.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>
    ).flatMap((p) => p.PolicyDocument.Statement);
    const onRecurring = statements.filter((st) =>
      JSON.stringify(st.Resource).includes('PauseResumeScheduleGroup'),
    );
    expect(onRecurring.flatMap((st) => [st.Action].flat())).toEqual(['scheduler:GetSchedule']);
  });

  it('puts the Slack endpoint behind a Function URL without IAM auth (Slack signs), invocable only through the URL', () => {
    const fn = logicalIdOf('slack-actions');
    const url = resourcesOfType('AWS::Lambda::Url').map(([, r]) => r.Properties);
    expect(url).toEqual([{ AuthType: 'NONE', TargetFunctionArn: { 'Fn::GetAtt': [fn, 'Arn'] } }]);
    const permissions = resourcesOfType('AWS::Lambda::Permission')
      .map(([, r]) => r.Properties)
      .filter((p) => JSON.stringify(p.FunctionName).includes(fn));
    expect(permissions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: 'lambda:InvokeFunctionUrl',
          Principal: '*',
          FunctionUrlAuthType: 'NONE',
        }),
        expect.objectContaining({
          Action: 'lambda:InvokeFunction',
          Principal: '*',
          InvokedViaFunctionUrl: true,
        }),
      ]),
    );
    // The signing secret comes from SSM at run time, never from the template or the environment.
    const env = JSON.stringify(template.Resources[fn]!.Properties.Environment);
    expect(env).toContain('SLACK_SIGNING_SECRET_PARAMETER');
    expect(env).not.toMatch(/"SLACK_SIGNING_SECRET"/);
  });

  it('turns every pause/resume schedule of infra/schedules.yml into a zoned Scheduler schedule on pause-resume', async () => {
    const { loadScheduleConfig, toSchedulerJobs } = await import('../../lib/pause-resume/schedule-config.ts');
    const jobs = toSchedulerJobs(loadScheduleConfig(join(ROOT, 'infra/schedules.yml')));
    const schedules = resourcesOfType('AWS::Scheduler::Schedule')
      .map(
        ([, r]) =>
          r.Properties as {
            ScheduleExpressionTimezone?: string;
            ScheduleExpression: string;
            Name?: string;
            GroupName?: unknown;
            Target: { Arn: unknown; Input: string; RoleArn: unknown };
          },
      )
      .filter((p) => JSON.stringify(p.Target.Arn).includes(logicalIdOf('pause-resume')));
    expect(jobs.length).toBeGreaterThan(0);
    expect(schedules).toHaveLength(jobs.length);
    for (const job of jobs) {
      const s = schedules.find(
        (p) =>
          JSON.parse(p.Target.Input).action === job.input.action &&
          JSON.parse(p.Target.Input).schedule === job.input.schedule,
      );
      expect(s, job.name).toMatchObject({
        // Named in their own group: Slack's Keep running until… reads a definition back by name.
        Name: job.name,
        GroupName: { Ref: 'PauseResumeScheduleGroup' },
        ScheduleExpression: job.expression,
        ScheduleExpressionTimezone: job.timezone,
        Target: { RoleArn: { 'Fn::GetAtt': ['SchedulerInvokeRole', 'Arn'] } },
      });
      expect(JSON.parse(s!.Target.Input)).toEqual(job.input);
    }
  });

  it('runs the hourly pass over the guard’s bake alarms on record-release (tag change events may never come)', () => {
    const passes = resourcesOfType('AWS::Scheduler::Schedule')
      .map(([, r]) => r.Properties as { ScheduleExpression: string; Target: { Arn: unknown; Input: string } })
      .filter((p) => JSON.stringify(p.Target.Arn).includes(logicalIdOf('record-release')));
    expect(passes).toHaveLength(1);
    expect(passes[0]!.ScheduleExpression).toBe('rate(1 hour)');
    expect(JSON.parse(passes[0]!.Target.Input)).toMatchObject({ action: 'retire-alarms' });
  });

  it('lets notify create schedules only in the guard group, and Scheduler invoke notify (the storm timer)', () => {
    const role = (template.Resources[logicalIdOf('notify')]!.Properties.Role as { 'Fn::GetAtt': string[] })[
      'Fn::GetAtt'
    ][0]!;
    const statements = (
      template.Resources[role]!.Properties.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>
    ).flatMap((p) => p.PolicyDocument.Statement);
    const scheduling = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('scheduler:')));
    expect(scheduling.length).toBeGreaterThan(0);
    for (const s of scheduling) {
      expect(JSON.stringify(s.Resource)).toMatch(/:schedule\/\$\{GuardScheduleGroup\}\/\*"/);
    }
    const invoke = JSON.stringify(template.Resources.SchedulerInvokeRole!.Properties.Policies);
    expect(invoke).toContain('function:${AWS::StackName}-notify');
  });

  it('scopes CloudWatch to the guard’s own alarms: only record-release writes them, only DescribeAlarms on "*"', () => {
    for (const fn of FUNCTIONS) {
      const cloudwatch = statementsOf(fn).filter((s) =>
        [s.Action].flat().some((a) => a.startsWith('cloudwatch:')),
      );
      if (fn !== 'record-release') {
        expect(cloudwatch, fn).toEqual([]);
        continue;
      }
      const actions = cloudwatch.flatMap((s) => [s.Action].flat()).sort();
      expect(actions).toEqual(
        [
          'cloudwatch:DeleteAlarms',
          'cloudwatch:DescribeAlarms',
          'cloudwatch:ListTagsForResource',
          'cloudwatch:PutMetricAlarm',
          'cloudwatch:TagResource',
        ].sort(),
      );
      for (const s of cloudwatch) {
        const resource = JSON.stringify(s.Resource);
        if ([s.Action].flat().includes('cloudwatch:DescribeAlarms')) {
          expect([s.Action].flat()).toEqual(['cloudwatch:DescribeAlarms']);
          expect([s.Resource].flat()).toEqual(['*']);
        } else {
          expect(resource).toContain(':alarm:${AWS::StackName}-bake-*');
        }
      }
    }
    const env = (
      template.Resources[logicalIdOf('record-release')]!.Properties.Environment as {
        Variables: Record<string, unknown>;
      }
    ).Variables;
    expect(env.BAKE_ALARM_PREFIX).toEqual({ 'Fn::Sub': '${AWS::StackName}-bake-' });
    const invoke = JSON.stringify(template.Resources.SchedulerInvokeRole!.Properties.Policies);
    expect(invoke).toContain('function:${AWS::StackName}-record-release');
  });

  it('never puts a Slack webhook URL in the template', () => {
    expect(readFileSync(templatePath, 'utf8')).not.toMatch(/hooks\.slack\.com/);
  });

  it('admits no other account on the guard bus unless organizationId or guardTargets says so', () => {
    // The defaults: the guard hears its own account and region only (infra/hub.cjs, spoke.test.ts).
    expect(resourcesOfType('AWS::Events::EventBusPolicy')).toEqual([]);
    expect(template.Resources.AssumeSpokeRolesPolicy).toBeUndefined();
    for (const fn of FUNCTIONS) {
      const env = (template.Resources[logicalIdOf(fn)]!.Properties.Environment as { Variables: object })
        .Variables;
      expect(env, fn).toMatchObject({ GUARD_TARGETS: '' });
    }
    const outputs = (template as unknown as { Outputs: Record<string, { Value: unknown }> }).Outputs;
    expect(JSON.stringify(outputs.SpokeTrustedRoleArns!.Value)).toContain('"RollbackRole"');
  });

  // cfn-lint takes 20 s alone on this template and much longer on a loaded machine.
  it('passes cfn-lint when it is installed', { timeout: 180_000 }, (ctx) => {
    const probe = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
    if (probe.error) {
      ctx.skip('cfn-lint is not on PATH: template not linted');
      return;
    }
    // W3005 comes from osls itself (DependsOn on the role next to a GetAtt of it).
    const run = spawnSync('cfn-lint', ['--ignore-checks', 'W3005', '--', templatePath], { encoding: 'utf8' });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
