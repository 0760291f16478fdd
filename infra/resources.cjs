// CloudFormation resources of apprunner-guard, referenced from serverless.yml with ${file(...)}.
// Written as code rather than YAML so each function's role, queues and alarms come from one table
// below: least-privilege IAM per function, one place to read what each function may do. Which
// function hears which pattern files, and the queue settings, come from infra/routes.ts (the one
// routing table, which the sandbox reads too).
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { require: tsRequire } = require('tsx/cjs/api');

const { QUEUE_ROUTES, queueIds } = tsRequire('./routes.ts', __filename);
const { QUEUE_DELIVERY } = tsRequire('../lib/core/delivery-policy.ts', __filename);
const { hubResources } = require('./hub.cjs');

const sub = (s) => ({ 'Fn::Sub': s });
const serviceArns = sub('arn:${AWS::Partition}:apprunner:${AWS::Region}:${AWS::AccountId}:service/*/*');
const ledger = { 'Fn::GetAtt': ['LedgerTable', 'Arn'] };
const idempotency = { 'Fn::GetAtt': ['IdempotencyTable', 'Arn'] };
const defaultBus = sub('arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default');
const guardSchedules = sub(
  'arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:schedule/${GuardScheduleGroup}/*',
);
const functionArn = (name) =>
  sub(`arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:\${AWS::StackName}-${name}`);

const ledgerReadWrite = {
  Effect: 'Allow',
  Action: [
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:Query',
    'dynamodb:BatchWriteItem',
  ],
  Resource: [ledger],
};
const publishGuardEvents = { Effect: 'Allow', Action: ['events:PutEvents'], Resource: [defaultBus] };
// One-time schedules (cleanup deletions, pause/resume follow-ups, the notifier's storm timer),
// only in the guard's own schedule group.
const manageGuardSchedules = {
  Effect: 'Allow',
  Action: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'scheduler:GetSchedule'],
  Resource: [guardSchedules],
};
const passSchedulerRole = {
  Effect: 'Allow',
  Action: ['iam:PassRole'],
  Resource: [{ 'Fn::GetAtt': ['SchedulerInvokeRole', 'Arn'] }],
  Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
};
const resolveDigests = {
  Effect: 'Allow',
  Action: ['ecr:DescribeImages'],
  Resource: [sub('arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/*')],
};
// The bake window's default alarms: created, tagged, read back and deleted only under the guard's
// own name prefix (BAKE_ALARM_PREFIX, `<stack>-bake-`). DescribeAlarms takes no resource: IAM only
// accepts "*" for it; it reads the alarms the service's tags name (the user's alarms included).
const guardAlarms = sub(
  'arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:${AWS::StackName}-bake-*',
);
const manageGuardAlarms = {
  Effect: 'Allow',
  Action: [
    'cloudwatch:PutMetricAlarm',
    'cloudwatch:DeleteAlarms',
    'cloudwatch:TagResource',
    'cloudwatch:ListTagsForResource',
  ],
  Resource: [guardAlarms],
};
const describeAlarms = { Effect: 'Allow', Action: ['cloudwatch:DescribeAlarms'], Resource: ['*'] };
// ListServices has no resource type: IAM only accepts "*" for it. It reads, never mutates.
const listServices = { Effect: 'Allow', Action: ['apprunner:ListServices'], Resource: ['*'] };
// The fleet runs read every service's tags in bulk (Resource Groups Tagging API): GetResources has
// no resource type either, and it only reads.
const readTagsInBulk = { Effect: 'Allow', Action: ['tag:GetResources'], Resource: ['*'] };

const ssmParameter = (cfnParameter) =>
  sub(`arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter\${${cfnParameter}}`);

/**
 * Each function: its logical prefix and the statements beyond logs, idempotency table and queues.
 * `scheduled`: Scheduler invokes it directly (the sweep, one-time deletions, the storm timer, the
 * pause/resume fires), so it keeps Lambda's async-invoke retries and on-failure DLQ for those.
 * A function with neither a route (infra/routes.ts) nor `scheduled` is invoked synchronously (the
 * slack-actions Function URL): no async retries, so no DLQ, and no rejection metric (it answers
 * the caller with 400/401 instead). `job`: the job it runs, when not named like the function (the
 * rejection metric's dimension).
 */
const FUNCTIONS = {
  'record-release': {
    id: 'RecordRelease',
    // The bake window's promotion wake-up invokes it directly.
    scheduled: true,
    statements: [
      // ListOperations: a success is recorded only if no later deployment failed since.
      // ListTagsForResource: the bake window's opt-in (bake-minutes, alarms).
      {
        Effect: 'Allow',
        Action: ['apprunner:DescribeService', 'apprunner:ListOperations', 'apprunner:ListTagsForResource'],
        Resource: [serviceArns],
      },
      resolveDigests,
      ledgerReadWrite,
      publishGuardEvents,
      manageGuardAlarms,
      describeAlarms,
      manageGuardSchedules,
      passSchedulerRole,
    ],
  },
  rollback: {
    id: 'Rollback',
    statements: [
      {
        Effect: 'Allow',
        Action: [
          'apprunner:DescribeService',
          'apprunner:ListOperations',
          'apprunner:ListTagsForResource',
          'apprunner:UpdateService',
        ],
        Resource: [serviceArns],
      },
      resolveDigests,
      ledgerReadWrite,
      publishGuardEvents,
    ],
  },
  'fix-forward': {
    id: 'FixForward',
    statements: [
      // Release a pin: read the service and its opt-out tag, then UpdateService back to the tag.
      {
        Effect: 'Allow',
        Action: ['apprunner:DescribeService', 'apprunner:ListTagsForResource', 'apprunner:UpdateService'],
        Resource: [serviceArns],
      },
      ledgerReadWrite,
      publishGuardEvents,
    ],
  },
  notify: {
    id: 'Notify',
    scheduled: true,
    statements: [
      { Effect: 'Allow', Action: ['sns:Publish'], Resource: [{ Ref: 'AlertTopic' }] },
      // Publishing to a KMS-encrypted topic needs the key.
      {
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: [{ 'Fn::GetAtt': ['AlertTopicKey', 'Arn'] }],
      },
      {
        Effect: 'Allow',
        Action: ['ssm:GetParameter'],
        Resource: [
          sub(
            'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${SlackWebhookParameterName}',
          ),
        ],
      },
      ledgerReadWrite,
      // The storm timer: a one-time schedule at a storm window's end that invokes notify itself.
      manageGuardSchedules,
      passSchedulerRole,
    ],
  },
  cleanup: {
    id: 'Cleanup',
    scheduled: true,
    statements: [
      {
        Effect: 'Allow',
        Action: [
          'apprunner:DescribeService',
          'apprunner:ListOperations',
          'apprunner:ListTagsForResource',
          'apprunner:DeleteService',
        ],
        Resource: [serviceArns],
      },
      listServices,
      manageGuardSchedules,
      passSchedulerRole,
      ledgerReadWrite,
      publishGuardEvents,
    ],
  },
  'pause-resume': {
    id: 'PauseResume',
    scheduled: true,
    statements: [
      {
        Effect: 'Allow',
        Action: [
          'apprunner:DescribeService',
          'apprunner:ListTagsForResource',
          'apprunner:TagResource',
          'apprunner:UntagResource',
          'apprunner:PauseService',
          'apprunner:ResumeService',
        ],
        Resource: [serviceArns],
      },
      listServices,
      readTagsInBulk,
      manageGuardSchedules,
      passSchedulerRole,
      ledgerReadWrite,
      publishGuardEvents,
    ],
  },
  'slack-actions': {
    id: 'SlackActions',
    statements: [
      // The signing secret, and the bot token when user groups are allowlisted (read-only); the
      // bot token's ARN joins this statement when the param names one (see the export below).
      {
        Effect: 'Allow',
        Action: ['ssm:GetParameter'],
        Resource: [ssmParameter('SlackSigningSecretParameterName')],
      },
      // The hand-off to slack-actions-job, and the audit of refused clicks.
      publishGuardEvents,
    ],
  },
  'slack-actions-job': {
    id: 'SlackActionsJob',
    // The job it runs (and counts rejections under) is `slack-actions`.
    job: 'slack-actions',
    statements: [
      {
        Effect: 'Allow',
        Action: [
          'apprunner:DescribeService',
          'apprunner:ListOperations',
          'apprunner:ListTagsForResource',
          // Keep this service (cleanup=off), Keep running until… (override-until, resume if paused).
          'apprunner:TagResource',
          'apprunner:UntagResource',
          'apprunner:ResumeService',
          // Roll back now.
          'apprunner:UpdateService',
        ],
        Resource: [serviceArns],
      },
      resolveDigests,
      // Keep running until… on a paused service: the schedule's definition, read from its deployed
      // pause schedule, and the wake-up that pauses it again when the override ends.
      {
        Effect: 'Allow',
        Action: ['scheduler:GetSchedule'],
        Resource: [
          sub(
            'arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:schedule/${PauseResumeScheduleGroup}/*',
          ),
        ],
      },
      manageGuardSchedules,
      passSchedulerRole,
      ledgerReadWrite,
      publishGuardEvents,
    ],
  },
};

const dlqAlarm = (name, dlq, what) => ({
  Type: 'AWS::CloudWatch::Alarm',
  Properties: {
    AlarmDescription: `apprunner-guard ${name}: ${what} waiting in its DLQ (see \`guard dlq\`)`,
    Namespace: 'AWS/SQS',
    MetricName: 'ApproximateNumberOfMessagesVisible',
    Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq, 'QueueName'] } }],
    Statistic: 'Maximum',
    Period: 300,
    EvaluationPeriods: 1,
    Threshold: 0,
    ComparisonOperator: 'GreaterThanThreshold',
    TreatMissingData: 'notBreaching',
    AlarmActions: [{ Ref: 'AlertTopic' }],
  },
});

const dlqQueue = () => ({
  Type: 'AWS::SQS::Queue',
  Properties: { MessageRetentionPeriod: QUEUE_DELIVERY.dlqRetentionSeconds, SqsManagedSseEnabled: true },
});

/**
 * The queue an event-driven function reads its events from (buffered delivery, README): one rule
 * per pattern file targeting the queue, a queue policy admitting only those rules, the redrive
 * policy to the function's DLQ (with its alarm), and the queue permissions of the function.
 */
function queueResources(name, route) {
  const ids = queueIds(name);
  const queueArn = { 'Fn::GetAtt': [ids.queue, 'Arn'] };
  const rules = Object.fromEntries(
    route.patterns.map((file, i) => [
      ids.rules[i],
      {
        Type: 'AWS::Events::Rule',
        Properties: {
          Description: sub(`\${AWS::StackName} ${name}: ${file} to the ${name} queue`),
          EventBusName: 'default',
          State: 'ENABLED',
          EventPattern: JSON.parse(fs.readFileSync(path.join(__dirname, 'patterns', file), 'utf8')),
          Targets: [{ Id: `${name}-queue`, Arn: queueArn }],
        },
      },
    ]),
  );
  return {
    resources: {
      [ids.queue]: {
        Type: 'AWS::SQS::Queue',
        Properties: {
          VisibilityTimeout: QUEUE_DELIVERY.visibilityTimeoutSeconds,
          MessageRetentionPeriod: QUEUE_DELIVERY.retentionSeconds,
          SqsManagedSseEnabled: true,
          RedrivePolicy: {
            deadLetterTargetArn: { 'Fn::GetAtt': [ids.dlq, 'Arn'] },
            maxReceiveCount: QUEUE_DELIVERY.maxReceiveCount,
          },
        },
      },
      [ids.dlq]: dlqQueue(),
      [`${route.id}DlqAlarm`]: dlqAlarm(name, ids.dlq, 'events the function could not handle are'),
      [ids.policy]: {
        Type: 'AWS::SQS::QueuePolicy',
        Properties: {
          Queues: [{ Ref: ids.queue }],
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'OwnRulesOnly',
                Effect: 'Allow',
                Principal: { Service: 'events.amazonaws.com' },
                Action: 'sqs:SendMessage',
                Resource: queueArn,
                Condition: {
                  ArnEquals: { 'aws:SourceArn': ids.rules.map((r) => ({ 'Fn::GetAtt': [r, 'Arn'] })) },
                },
              },
            ],
          },
        },
      },
      ...rules,
    },
    statements: [
      {
        Effect: 'Allow',
        Action: [
          'sqs:ReceiveMessage',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
          'sqs:ChangeMessageVisibility',
          'sqs:GetQueueUrl',
        ],
        Resource: [queueArn],
      },
    ],
  };
}

function functionResources(name, { id, job = name, statements, scheduled }) {
  const route = QUEUE_ROUTES[name];
  const queue = route ? queueResources(name, route) : { resources: {}, statements: [] };
  // Lambda's on-failure destination of direct (Scheduler) invocations; a queue-fed function's own
  // DLQ holds events, so its direct invocations get a queue of their own.
  const invokeDlq = scheduled ? (route ? `${id}InvokeDlq` : `${id}Dlq`) : undefined;
  // Neither queue-fed nor scheduled: invoked synchronously (a Function URL).
  const synchronous = !route && !scheduled;
  return {
    ...queue.resources,
    ...(invokeDlq
      ? {
          [invokeDlq]: dlqQueue(),
          [`${invokeDlq}Alarm`]: dlqAlarm(name, invokeDlq, 'scheduled runs that failed every attempt are'),
        }
      : {}),
    // Events the function rejected as invalid (lib/rejections.ts counts them, by job and by job +
    // reason): the guard did nothing about them, so a human should look at the logs.
    ...(synchronous
      ? {}
      : {
          [`${id}RejectionAlarm`]: {
            Type: 'AWS::CloudWatch::Alarm',
            Properties: {
              AlarmDescription: `apprunner-guard ${name}: the function rejected events as invalid and did not act on them (see its logs: "event rejected")`,
              Namespace: 'AppRunnerGuard',
              MetricName: 'RejectedEvents',
              Dimensions: [
                { Name: 'service', Value: 'apprunner-guard' },
                { Name: 'job', Value: job },
              ],
              Statistic: 'Sum',
              Period: 300,
              EvaluationPeriods: 1,
              Threshold: 0,
              ComparisonOperator: 'GreaterThanThreshold',
              TreatMissingData: 'notBreaching',
              AlarmActions: [{ Ref: 'AlertTopic' }],
            },
          },
        }),
    [`${id}Role`]: {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] },
          ],
        },
        Policies: [
          {
            PolicyName: `apprunner-guard-${name}`,
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
                  Resource: [
                    sub(
                      `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/\${AWS::StackName}-${name}:*`,
                    ),
                  ],
                },
                {
                  Effect: 'Allow',
                  Action: [
                    'dynamodb:GetItem',
                    'dynamodb:PutItem',
                    'dynamodb:UpdateItem',
                    'dynamodb:DeleteItem',
                  ],
                  Resource: [idempotency],
                },
                ...(invokeDlq
                  ? [
                      {
                        Effect: 'Allow',
                        Action: ['sqs:SendMessage'],
                        Resource: [{ 'Fn::GetAtt': [invokeDlq, 'Arn'] }],
                      },
                    ]
                  : []),
                ...queue.statements,
                ...statements,
              ],
            },
          },
        ],
      },
    },
  };
}

module.exports = async ({ resolveVariable }) => {
  const slackParameter = await resolveVariable('param:slackWebhookParameter');
  const signingSecretParameter = await resolveVariable('param:slackSigningSecretParameter');
  const botTokenParameter = await resolveVariable('param:slackBotTokenParameter');
  const functions = structuredClone(FUNCTIONS);
  if (botTokenParameter !== 'none') {
    functions['slack-actions'].statements[0].Resource.push(ssmParameter('SlackBotTokenParameterName'));
    // App mode: notify posts with the bot token.
    functions.notify.statements[2].Resource.push(ssmParameter('SlackBotTokenParameterName'));
  }
  // The spoke external id from SSM (param spokeExternalIdParameter): the functions that assume spoke
  // roles read that one parameter. A SecureString under the AWS-managed aws/ssm key needs no KMS
  // grant (as the Slack parameters); with a customer-managed key, grant kms:Decrypt on it.
  const externalIdParameter = await resolveVariable('param:spokeExternalIdParameter');
  if (externalIdParameter) {
    for (const fn of Object.values(functions)) {
      if (fn.statements.some((s) => s.Action.some((a) => a.startsWith('apprunner:'))))
        fn.statements.push({
          Effect: 'Allow',
          Action: ['ssm:GetParameter'],
          Resource: [ssmParameter('SpokeExternalIdParameterName')],
        });
    }
  }
  // Cross-account: the hub bus policy and the roles spokes trust (infra/hub.cjs).
  const hub = hubResources({
    organizationId: await resolveVariable('param:organizationId'),
    guardTargets: await resolveVariable('param:guardTargets'),
    functionRoles: Object.values(functions).map(({ id }) => `${id}Role`),
    actingRoles: Object.values(functions)
      .filter(({ statements }) => statements.some((s) => s.Action.some((a) => a.startsWith('apprunner:'))))
      .map(({ id }) => `${id}Role`),
  });
  return {
    Parameters: {
      SlackWebhookParameterName: {
        Type: 'String',
        Default: slackParameter,
        Description: 'SSM SecureString parameter holding the Slack incoming-webhook URL',
      },
      SlackSigningSecretParameterName: {
        Type: 'String',
        Default: signingSecretParameter,
        Description: "SSM SecureString parameter holding the Slack app's signing secret",
      },
      ...(externalIdParameter
        ? {
            SpokeExternalIdParameterName: {
              Type: 'String',
              Default: externalIdParameter,
              Description: 'SSM SecureString parameter holding the external id the spoke roles require',
            },
          }
        : {}),
      // Only with a bot token: an unused parameter is a template smell.
      ...(botTokenParameter === 'none'
        ? {}
        : {
            SlackBotTokenParameterName: {
              Type: 'String',
              Default: botTokenParameter,
              Description: "SSM SecureString parameter holding the Slack app's bot token",
            },
          }),
    },
    Resources: {
      IdempotencyTable: {
        Type: 'AWS::DynamoDB::Table',
        Properties: {
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
          SSESpecification: { SSEEnabled: true },
        },
      },
      LedgerTable: {
        Type: 'AWS::DynamoDB::Table',
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: {
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          SSESpecification: { SSEEnabled: true },
        },
      },
      // A customer-managed key rather than alias/aws/sns: CloudWatch alarms (the DLQ alarms) cannot
      // publish to a topic encrypted with the AWS-managed key, whose policy cannot be changed.
      AlertTopicKey: {
        Type: 'AWS::KMS::Key',
        Properties: {
          Description: 'apprunner-guard alert topic',
          EnableKeyRotation: true,
          KeyPolicy: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'AccountAdministers',
                Effect: 'Allow',
                Principal: { AWS: sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:root') },
                Action: 'kms:*',
                Resource: '*',
              },
              {
                Sid: 'CloudWatchAlarmsPublish',
                Effect: 'Allow',
                Principal: { Service: 'cloudwatch.amazonaws.com' },
                Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
                Resource: '*',
                Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
              },
            ],
          },
        },
      },
      AlertTopic: {
        Type: 'AWS::SNS::Topic',
        Properties: { DisplayName: 'apprunner-guard alerts', KmsMasterKeyId: { Ref: 'AlertTopicKey' } },
      },
      GuardScheduleGroup: {
        Type: 'AWS::Scheduler::ScheduleGroup',
        Properties: { Name: sub('${AWS::StackName}') },
      },
      // The recurring pause/resume schedules of infra/schedules.yml (infra/schedules.cjs), named
      // `<schedule>-pause`/`-resume`, apart from the one-time ones so no sweep of wake-ups meets them.
      PauseResumeScheduleGroup: {
        Type: 'AWS::Scheduler::ScheduleGroup',
        Properties: { Name: sub('${AWS::StackName}-schedules') },
      },
      SchedulerInvokeRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: ['scheduler.amazonaws.com'] },
                Action: ['sts:AssumeRole'],
                Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
              },
            ],
          },
          Policies: [
            {
              PolicyName: 'invoke-guard-functions',
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [
                  {
                    Effect: 'Allow',
                    Action: ['lambda:InvokeFunction'],
                    Resource: [
                      functionArn('cleanup'),
                      functionArn('pause-resume'),
                      functionArn('notify'),
                      functionArn('record-release'),
                    ],
                  },
                ],
              },
            },
          ],
        },
      },
      // Function URLs created since October 2025 need lambda:InvokeFunction besides the
      // lambda:InvokeFunctionUrl permission the framework adds, limited to calls through the URL.
      SlackActionsUrlInvokePermission: {
        Type: 'AWS::Lambda::Permission',
        Properties: {
          Action: 'lambda:InvokeFunction',
          FunctionName: { 'Fn::GetAtt': ['SlackDashactionsLambdaFunction', 'Arn'] },
          Principal: '*',
          InvokedViaFunctionUrl: true,
        },
      },
      ...Object.assign({}, ...Object.entries(functions).map(([name, spec]) => functionResources(name, spec))),
      ...hub.Resources,
    },
    Outputs: hub.Outputs,
  };
};
