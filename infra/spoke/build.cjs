// Generates infra/spoke/spoke.yml, the template each spoke (account × region) deploys, usually with
// a StackSet on an OU. Its forwarding rules are built from the hub's own rule patterns
// (infra/patterns/*.json), so a spoke forwards exactly the AWS events some job hears: one fact, one
// place. Run `npm run spoke` after changing a pattern; test/package/spoke.test.ts fails while the
// committed template is out of date. Then update the StackSet.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');

const PATTERNS = path.join(__dirname, '..', 'patterns');
const OUTPUT = path.join(__dirname, 'spoke.yml');

const sub = (s) => ({ 'Fn::Sub': s });
const hubBus = sub('arn:${AWS::Partition}:events:${HubRegion}:${HubAccountId}:event-bus/${HubEventBusName}');

/**
 * AWS events the hub hears beyond infra/patterns today: the bake window's alarm changes (the bake
 * job's pattern, infra/patterns/bake-alarm.json, adds the hub's rule; a spoke must already forward
 * them so a StackSet rolled out now does not need updating when the bake lands). Merged with the
 * patterns' own `{ source, detail-type }`: once the pattern exists, the result is the same.
 */
const ALSO_FORWARDED = [{ source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'] }];

/**
 * What a spoke forwards, per AWS source: `{ source, detail-type }` with every detail-type some
 * pattern of infra/patterns hears from that source (the whole source when a pattern does not name
 * exact detail-types). The precise filter (statuses, fields) stays in the hub's rules, in one place:
 * the spoke forwards a superset, one rule per source, so each event crosses at most once (an event
 * has one source) and the rule stays far below EventBridge's 2,048-character pattern quota however
 * many jobs listen. One narrowing is kept: `detail.service` when every pattern of the source names
 * it (the tag change events of `aws.tag` come from every AWS service; the guard hears App Runner's
 * only, and forwarding the account's every tag change would be noise and cost). The guard's own
 * events (source "apprunner-guard") are published in the hub and never forwarded.
 */
function forwardedPatterns(dir = PATTERNS, also = ALSO_FORWARDED) {
  const bySource = new Map();
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => [file, JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'))]);
  for (const [file, pattern] of [...files, ...also.map((p) => ['(ALSO_FORWARDED)', p])]) {
    const branches = Object.keys(pattern).length === 1 && pattern.$or ? pattern.$or : [pattern];
    for (const branch of branches) {
      const sources = branch.source;
      if (!Array.isArray(sources) || sources.some((s) => typeof s !== 'string'))
        throw new Error(
          `${file}: each pattern (or top-level $or branch) must list its sources as exact strings`,
        );
      const types = branch['detail-type'];
      const exactTypes =
        Array.isArray(types) && types.every((t) => typeof t === 'string') ? types : undefined;
      const services = branch.detail?.service;
      const exactServices =
        Array.isArray(services) && services.every((t) => typeof t === 'string') ? services : undefined;
      for (const source of sources.filter((s) => s.startsWith('aws.'))) {
        // undefined: the whole source (a pattern hears it without naming exact detail-types or services).
        const known = bySource.has(source) ? bySource.get(source) : { types: new Set(), services: new Set() };
        bySource.set(source, {
          types: known.types && exactTypes ? new Set([...known.types, ...exactTypes]) : undefined,
          services:
            known.services && exactServices ? new Set([...known.services, ...exactServices]) : undefined,
        });
      }
    }
  }
  return [...bySource.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([source, { types, services }]) => ({
      source,
      pattern: {
        source: [source],
        ...(types ? { 'detail-type': [...types].sort() } : {}),
        ...(services ? { detail: { service: [...services].sort() } } : {}),
      },
    }));
}

const ruleId = (source) =>
  `Forward${source
    .split('.')
    .map((p) => p.replace(/^./, (c) => c.toUpperCase()))
    .join('')}Events`;

function spokeTemplate(patterns = forwardedPatterns()) {
  const rules = Object.fromEntries(
    patterns.map(({ source, pattern }) => [
      ruleId(source),
      {
        Type: 'AWS::Events::Rule',
        Condition: 'NotTheHub',
        Properties: {
          Description: sub(
            `Forwards the ${source} events apprunner-guard acts on to the \${GuardStackName} hub bus`,
          ),
          EventBusName: 'default',
          State: 'ENABLED',
          EventPattern: pattern,
          Targets: [
            {
              Id: 'hub-event-bus',
              Arn: hubBus,
              RoleArn: { 'Fn::GetAtt': ['ForwardRole', 'Arn'] },
              // EventBridge retries for a day; what still fails waits in the spoke's DLQ (alarmed).
              RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
              DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['ForwardDlq', 'Arn'] } },
            },
          ],
        },
      },
    ]),
  );
  const ruleArns = Object.keys(rules).map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] }));
  const appRunnerServices = sub(
    'arn:${AWS::Partition}:apprunner:${AWS::Region}:${AWS::AccountId}:service/*/*',
  );
  const trust = (extra) => ({
    StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' }, ...extra },
    ArnLike: { 'aws:PrincipalArn': { Ref: 'HubFunctionRoleArns' } },
  });
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description:
      'apprunner-guard spoke: forwards the App Runner, tag change, ECR push and alarm events the guard acts on to the hub bus, and a role the hub functions assume (generated by infra/spoke/build.cjs)',
    Parameters: {
      HubAccountId: {
        Type: 'String',
        AllowedPattern: '^\\d{12}$',
        Description: 'Account the guard (the hub) is deployed in',
      },
      HubRegion: {
        Type: 'String',
        AllowedPattern: '^[a-z]{2}(-[a-z]+)+-\\d{1,2}$',
        Description: 'Region the guard (the hub) is deployed in',
      },
      HubEventBusName: {
        Type: 'String',
        Default: 'default',
        AllowedPattern: '^[\\w.\\-/]{1,256}$',
        Description: 'Event bus the guard reads in the hub (default)',
      },
      GuardStackName: {
        Type: 'String',
        // The role is named <GuardStackName>-spoke-<region>: IAM names stop at 64 characters.
        AllowedPattern: '^[A-Za-z][A-Za-z0-9-]{0,42}$',
        Description: 'Name of the hub stack (apprunner-guard-<stage>); names the role the hub assumes',
      },
      HubFunctionRoleArns: {
        Type: 'CommaDelimitedList',
        Description:
          "ARNs of the hub functions' roles (the hub stack's SpokeTrustedRoleArns output): the only principals that may assume the spoke role",
      },
      ExternalId: {
        Type: 'String',
        NoEcho: true,
        MinLength: 16,
        MaxLength: 1224,
        AllowedPattern: '^[\\w+=,.@:/-]+$',
        Description:
          'Secret the hub passes when assuming the spoke role (sts:ExternalId), at least 16 characters',
      },
      OrganizationId: {
        Type: 'String',
        Default: '',
        AllowedPattern: '^(o-[a-z0-9]{10,32})?$',
        Description:
          'Optional: the hub must also belong to this AWS Organizations organisation (aws:PrincipalOrgID)',
      },
      AlarmTopicArn: {
        Type: 'String',
        Default: '',
        AllowedPattern: '^(arn:[\\w-]+:sns:[a-z0-9-]+:\\d{12}:[\\w-]+)?$',
        Description:
          'Optional: SNS topic (in this account and region) told when events could not be forwarded to the hub',
      },
    },
    Conditions: {
      HasAlarmTopic: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AlarmTopicArn' }, ''] }] },
      HasOrganization: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'OrganizationId' }, ''] }] },
      // In the hub's own account and region the guard reads the bus directly: a forwarding rule there
      // would send each event back onto the bus it came from. Only the role is created there.
      NotTheHub: {
        'Fn::Not': [
          {
            'Fn::And': [
              { 'Fn::Equals': [{ Ref: 'AWS::AccountId' }, { Ref: 'HubAccountId' }] },
              { 'Fn::Equals': [{ Ref: 'AWS::Region' }, { Ref: 'HubRegion' }] },
            ],
          },
        ],
      },
    },
    Resources: {
      ...rules,
      ForwardRole: {
        Type: 'AWS::IAM::Role',
        Condition: 'NotTheHub',
        Properties: {
          Description:
            'EventBridge puts the forwarded events on the apprunner-guard hub bus, and nowhere else',
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'events.amazonaws.com' },
                Action: 'sts:AssumeRole',
                Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
              },
            ],
          },
          Policies: [
            {
              PolicyName: 'put-events-on-hub-bus',
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: hubBus }],
              },
            },
          ],
        },
      },
      ForwardDlq: {
        Type: 'AWS::SQS::Queue',
        Condition: 'NotTheHub',
        Properties: { MessageRetentionPeriod: 1209600, SqsManagedSseEnabled: true },
      },
      ForwardDlqPolicy: {
        Type: 'AWS::SQS::QueuePolicy',
        Condition: 'NotTheHub',
        Properties: {
          Queues: [{ Ref: 'ForwardDlq' }],
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'events.amazonaws.com' },
                Action: 'sqs:SendMessage',
                Resource: { 'Fn::GetAtt': ['ForwardDlq', 'Arn'] },
                Condition: { ArnEquals: { 'aws:SourceArn': ruleArns } },
              },
            ],
          },
        },
      },
      ForwardDlqAlarm: {
        Type: 'AWS::CloudWatch::Alarm',
        Condition: 'NotTheHub',
        Properties: {
          AlarmDescription: sub(
            'apprunner-guard spoke: App Runner events could not be forwarded to the ${GuardStackName} hub bus (they wait in the spoke DLQ; check the hub bus policy)',
          ),
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['ForwardDlq', 'QueueName'] } }],
          Statistic: 'Maximum',
          Period: 300,
          EvaluationPeriods: 1,
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
          TreatMissingData: 'notBreaching',
          AlarmActions: { 'Fn::If': ['HasAlarmTopic', [{ Ref: 'AlarmTopicArn' }], { Ref: 'AWS::NoValue' }] },
        },
      },
      GuardRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          // One per region: IAM names are account-wide, and the role acts in its own region only.
          RoleName: sub('${GuardStackName}-spoke-${AWS::Region}'),
          Description: sub(
            'Assumed by the ${GuardStackName} hub functions to act on App Runner services here',
          ),
          MaxSessionDuration: 3600,
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                // The hub account as principal, narrowed to the function roles by aws:PrincipalArn:
                // unlike listing the role ARNs as principals, this survives the hub recreating a role
                // and does not require the hub to exist before the spoke.
                Effect: 'Allow',
                Principal: { AWS: sub('arn:${AWS::Partition}:iam::${HubAccountId}:root') },
                Action: 'sts:AssumeRole',
                Condition: {
                  'Fn::If': [
                    'HasOrganization',
                    trust({ 'aws:PrincipalOrgID': { Ref: 'OrganizationId' } }),
                    trust({}),
                  ],
                },
              },
            ],
          },
          Policies: [
            {
              PolicyName: 'apprunner-guard-spoke',
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [
                  {
                    Sid: 'AppRunnerServicesHere',
                    Effect: 'Allow',
                    Action: [
                      'apprunner:DescribeService',
                      'apprunner:ListOperations',
                      'apprunner:ListTagsForResource',
                      'apprunner:UpdateService',
                      'apprunner:DeleteService',
                      'apprunner:PauseService',
                      'apprunner:ResumeService',
                      'apprunner:TagResource',
                      'apprunner:UntagResource',
                    ],
                    Resource: appRunnerServices,
                  },
                  // ListServices has no resource type: IAM only accepts "*" for it. It reads, never mutates.
                  {
                    Sid: 'ListAppRunnerServices',
                    Effect: 'Allow',
                    Action: 'apprunner:ListServices',
                    Resource: '*',
                  },
                  // The fleet runs read the services' tags in bulk; GetResources has no resource type
                  // either, and only reads (what it returns is this account and region's).
                  {
                    Sid: 'ReadTagsInBulk',
                    Effect: 'Allow',
                    Action: 'tag:GetResources',
                    Resource: '*',
                  },
                  {
                    Sid: 'ResolveImageDigests',
                    Effect: 'Allow',
                    Action: 'ecr:DescribeImages',
                    Resource: sub('arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/*'),
                  },
                  // A bake watches alarms named by the service's tags (any name): reading is open in
                  // this account and region; writing only the guard's own alarms (BAKE_ALARM_PREFIX,
                  // `<stack>-bake-`): created, tagged, read back and deleted when their opt-in ends.
                  {
                    Sid: 'ReadAlarms',
                    Effect: 'Allow',
                    Action: 'cloudwatch:DescribeAlarms',
                    Resource: sub(
                      'arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*',
                    ),
                  },
                  {
                    Sid: 'ManageGuardAlarms',
                    Effect: 'Allow',
                    Action: [
                      'cloudwatch:PutMetricAlarm',
                      'cloudwatch:DeleteAlarms',
                      'cloudwatch:TagResource',
                      'cloudwatch:ListTagsForResource',
                    ],
                    Resource: sub(
                      'arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:${GuardStackName}-bake-*',
                    ),
                  },
                ],
              },
            },
          ],
        },
      },
    },
    Outputs: {
      GuardRoleArn: {
        Description: 'The role the hub functions assume in this account and region',
        Value: { 'Fn::GetAtt': ['GuardRole', 'Arn'] },
      },
    },
  };
}

const HEADER = `# apprunner-guard spoke — GENERATED by infra/spoke/build.cjs from infra/patterns/*.json; do not edit.
# Regenerate with \`npm run spoke\`. Deploy once per account × region the guard watches (a StackSet
# on an OU, or a stack), except the hub's own account and region, which needs none. See README
# "Many accounts and regions".
`;

/** The spoke template as committed (YAML text). */
function renderSpokeTemplate() {
  return HEADER + YAML.stringify(spokeTemplate(), { lineWidth: 0, aliasDuplicateObjects: false });
}

module.exports = { ALSO_FORWARDED, forwardedPatterns, spokeTemplate, renderSpokeTemplate, OUTPUT };

if (require.main === module) {
  fs.writeFileSync(OUTPUT, renderSpokeTemplate());
  process.stdout.write(`wrote ${path.relative(process.cwd(), OUTPUT)}\n`);
}
