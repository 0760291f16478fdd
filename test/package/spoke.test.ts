import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { matchesPattern } from '../../sandbox/event-pattern.ts';
import { listFixtures, loadFixture } from '../support/fixtures.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(import.meta.url);
const { renderSpokeTemplate } = require('../../infra/spoke/build.cjs') as {
  renderSpokeTemplate: () => string;
};
const { hubResources } = require('../../infra/hub.cjs') as {
  hubResources: (o: {
    organizationId?: string;
    guardTargets?: string;
    functionRoles: string[];
    actingRoles?: string[];
  }) => {
    Resources: Record<string, Resource>;
    Outputs: Record<string, { Value: unknown }>;
  };
};
const resourcesModule = require('../../infra/resources.cjs') as (o: {
  resolveVariable: (v: string) => Promise<string>;
}) => Promise<{ Resources: Record<string, Resource> }>;

type Resource = { Type: string; Condition?: string; Properties: Record<string, unknown> };
type Statement = {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
};

const SPOKE_PATH = join(ROOT, 'infra/spoke/spoke.yml');
const spoke = parse(readFileSync(SPOKE_PATH, 'utf8')) as {
  Parameters: Record<string, Record<string, unknown>>;
  Resources: Record<string, Resource>;
};
const ofType = (resources: Record<string, Resource>, type: string) =>
  Object.entries(resources).filter(([, r]) => r.Type === type);
const statementsOf = (role: Resource): Statement[] =>
  (role.Properties.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>).flatMap(
    (p) => p.PolicyDocument.Statement,
  );
const HUB_BUS = {
  'Fn::Sub': 'arn:${AWS::Partition}:events:${HubRegion}:${HubAccountId}:event-bus/${HubEventBusName}',
};
const SERVICES_HERE = 'arn:${AWS::Partition}:apprunner:${AWS::Region}:${AWS::AccountId}:service/*/*';
/** Actions that change something: none may have a "*" resource. */
const isMutating = (action: string) =>
  !/^[a-z0-9-]+:(Describe|List|Get|BatchGet)/.test(action) && action !== 'sts:AssumeRole';

const cfnLint = (path: string, ignore: string[] = []) => {
  const probe = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
  if (probe.error) return undefined;
  const args = ignore.length ? ['--ignore-checks', ...ignore, '--', path] : ['--', path];
  return spawnSync('cfn-lint', args, { encoding: 'utf8' });
};

const tmp = mkdtempSync(join(tmpdir(), 'guard-spoke-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the spoke template (infra/spoke/spoke.yml)', () => {
  it('is up to date with infra/patterns (regenerate with `npm run spoke`)', () => {
    expect(readFileSync(SPOKE_PATH, 'utf8')).toBe(renderSpokeTemplate());
  });

  it('passes cfn-lint when it is installed', (ctx) => {
    const run = cfnLint(SPOKE_PATH);
    if (!run) return ctx.skip('cfn-lint is not on PATH: template not linted');
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  }, 120_000);

  it('forwards, exactly once, every AWS event some hub rule hears, and never the guard’s own events', () => {
    const hubPatterns = readdirSync(join(ROOT, 'infra/patterns')).map((f) =>
      JSON.parse(readFileSync(join(ROOT, 'infra/patterns', f), 'utf8')),
    );
    const rules = ofType(spoke.Resources, 'AWS::Events::Rule').map(([, r]) => r.Properties.EventPattern);
    let heard = 0;
    for (const name of listFixtures()) {
      const event = loadFixture<Record<string, unknown>>(name);
      if (typeof event !== 'object' || event === null || Array.isArray(event)) continue;
      const forwarded = rules.filter((p) => matchesPattern(p, event)).length;
      if (String(event.source).startsWith('aws.') && hubPatterns.some((p) => matchesPattern(p, event))) {
        heard++;
        expect(forwarded, name).toBe(1);
      }
      if (event.source === 'apprunner-guard') expect(forwarded, name).toBe(0);
    }
    expect(heard).toBeGreaterThan(10);
  });

  it('forwards ECR pushes and CloudWatch alarm state changes (the bake window) as well as App Runner events', () => {
    const patterns = ofType(spoke.Resources, 'AWS::Events::Rule').map(([, r]) => r.Properties.EventPattern);
    const event = (source: string, detailType: string) => ({
      version: '0',
      id: 'x',
      source,
      'detail-type': detailType,
      account: '222233334444',
      region: 'eu-west-1',
      time: '2026-12-01T10:00:00Z',
      resources: [],
      detail: {},
    });
    for (const [source, detailType] of [
      ['aws.ecr', 'ECR Image Action'],
      ['aws.cloudwatch', 'CloudWatch Alarm State Change'],
      ['aws.apprunner', 'AppRunner Service Operation Status Change'],
    ] as const)
      expect(
        patterns.filter((p) => matchesPattern(p, event(source, detailType))),
        source,
      ).toHaveLength(1);
    expect(patterns.filter((p) => matchesPattern(p, event('aws.cloudwatch', 'Metric Stream')))).toHaveLength(
      0,
    );
  });

  it('forwards App Runner services’ tag changes (the bake opt-in), never the account’s other tag changes', () => {
    const patterns = ofType(spoke.Resources, 'AWS::Events::Rule').map(([, r]) => r.Properties.EventPattern);
    const forwarded = (name: string) => patterns.filter((p) => matchesPattern(p, loadFixture(name))).length;
    expect(forwarded('tag/bake-opt-in-removed')).toBe(1);
    // The hub's rule filters the keys; the spoke forwards every App Runner tag change once.
    expect(forwarded('tag/unrelated-tag-change')).toBe(1);
    expect(forwarded('tag/other-service-tag-change')).toBe(0);
  });

  it('sends forwarded events only to the hub bus, through a role that may put events on it alone', () => {
    const rules = ofType(spoke.Resources, 'AWS::Events::Rule');
    expect(rules.length).toBeGreaterThan(0);
    for (const [id, rule] of rules) {
      expect(rule.Condition, id).toBe('NotTheHub');
      expect(rule.Properties.EventBusName).toBe('default');
      const targets = rule.Properties.Targets as Array<Record<string, unknown>>;
      expect(targets, id).toHaveLength(1);
      expect(targets[0]).toMatchObject({ Arn: HUB_BUS, RoleArn: { 'Fn::GetAtt': ['ForwardRole', 'Arn'] } });
    }
    const forward = spoke.Resources.ForwardRole!;
    expect(statementsOf(forward)).toEqual([
      { Effect: 'Allow', Action: 'events:PutEvents', Resource: HUB_BUS },
    ]);
    expect(JSON.stringify(forward.Properties.AssumeRolePolicyDocument)).toContain('"events.amazonaws.com"');
  });

  it('creates no forwarding rule in the hub’s own account and region (it would loop onto the hub bus)', () => {
    expect(JSON.stringify((spoke as unknown as { Conditions: unknown }).Conditions)).toContain('HubRegion');
    for (const [id, r] of Object.entries(spoke.Resources))
      if (id !== 'GuardRole') expect(r.Condition, id).toBe('NotTheHub');
  });

  it('lets the guard role only act on App Runner services, images and the guard’s alarms of its own account and region', () => {
    const role = spoke.Resources.GuardRole!;
    expect(role.Properties.RoleName).toEqual({ 'Fn::Sub': '${GuardStackName}-spoke-${AWS::Region}' });
    for (const s of statementsOf(role)) {
      const actions = [s.Action].flat();
      const resources = [s.Resource].flat();
      expect(s.Effect).toBe('Allow');
      for (const action of actions) {
        expect(action).not.toMatch(/\*/);
        if (isMutating(action)) expect(resources, action).not.toContain('*');
        if (action.startsWith('apprunner:') && action !== 'apprunner:ListServices')
          expect(resources, action).toEqual([{ 'Fn::Sub': SERVICES_HERE }]);
        if (action.startsWith('cloudwatch:') && isMutating(action))
          expect(JSON.stringify(resources), action).toMatch(/:alarm:\$\{GuardStackName\}-bake-\*"/);
      }
      // Only reads without a resource type may have "*": listing the services, reading their tags in bulk.
      if (resources.includes('*'))
        expect([['apprunner:ListServices'], ['tag:GetResources']]).toContainEqual(actions);
      for (const r of resources)
        if (r !== '*') expect(JSON.stringify(r)).toContain(':${AWS::Region}:${AWS::AccountId}:');
    }
  });

  it('allows every App Runner and ECR action the hub functions have today (the same jobs, elsewhere)', async () => {
    // The stack's resources with the default params, as osls would resolve them.
    const params = (
      parse(readFileSync(join(ROOT, 'serverless.yml'), 'utf8')) as {
        params: { default: Record<string, unknown> };
      }
    ).params.default;
    const hub = await resourcesModule({
      resolveVariable: async (v) => String(params[v.replace(/^param:/, '')] ?? ''),
    });
    const hubActions = new Set(
      ofType(hub.Resources, 'AWS::IAM::Role')
        .flatMap(([, r]) => statementsOf(r))
        .flatMap((s) => [s.Action].flat())
        .filter((a) => /^(apprunner|ecr|cloudwatch|tag):/.test(a)),
    );
    const spokeActions = new Set(statementsOf(spoke.Resources.GuardRole!).flatMap((s) => [s.Action].flat()));
    expect(hubActions.size).toBeGreaterThan(5);
    expect(hubActions).toContain('tag:GetResources');
    for (const action of hubActions) expect(spokeActions, action).toContain(action);
  });

  it('lets only the functions assuming spoke roles read the external id parameter, when one is named', async () => {
    const params = (
      parse(readFileSync(join(ROOT, 'serverless.yml'), 'utf8')) as {
        params: { default: Record<string, unknown> };
      }
    ).params.default;
    const readers = async (extra: Record<string, string>) => {
      const all = { ...params, ...extra };
      const hub = (await resourcesModule({
        resolveVariable: async (v) => String(all[v.replace(/^param:/, '')] ?? ''),
      })) as { Resources: Record<string, Resource>; Parameters?: Record<string, { Default: string }> };
      const roles = ofType(hub.Resources, 'AWS::IAM::Role')
        .filter(([, r]) =>
          statementsOf(r).some(
            (s) =>
              [s.Action].flat().includes('ssm:GetParameter') &&
              JSON.stringify(s.Resource).includes('SpokeExternalIdParameterName'),
          ),
        )
        .map(([id]) => id);
      return { roles, parameter: hub.Parameters?.SpokeExternalIdParameterName };
    };
    expect(await readers({})).toEqual({ roles: [], parameter: undefined });
    const named = await readers({ spokeExternalIdParameter: '/apprunner-guard/spoke-external-id' });
    expect(named.parameter?.Default).toBe('/apprunner-guard/spoke-external-id');
    expect(named.roles.sort()).toEqual(
      [
        'CleanupRole',
        'FixForwardRole',
        'PauseResumeRole',
        'RecordReleaseRole',
        'RollbackRole',
        'SlackActionsJobRole',
      ].sort(),
    );
  });

  it('trusts only the hub function roles, with the external id (and the organisation when given)', () => {
    const document = spoke.Resources.GuardRole!.Properties.AssumeRolePolicyDocument as { Statement: unknown };
    const trust = document.Statement as Array<
      Statement & { Principal: unknown; Condition: { 'Fn::If': [string, unknown, unknown] } }
    >;
    expect(trust).toHaveLength(1);
    expect(trust[0]).toMatchObject({
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${HubAccountId}:root' } },
    });
    const [condition, withOrganization, without] = trust[0]!.Condition['Fn::If'];
    expect(condition).toBe('HasOrganization');
    const base = {
      StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' } },
      ArnLike: { 'aws:PrincipalArn': { Ref: 'HubFunctionRoleArns' } },
    };
    expect(without).toEqual(base);
    expect(withOrganization).toEqual({
      ...base,
      StringEquals: { ...base.StringEquals, 'aws:PrincipalOrgID': { Ref: 'OrganizationId' } },
    });
    expect(spoke.Parameters.ExternalId).toMatchObject({ NoEcho: true, MinLength: 16 });
  });
});

describe('the hub bus policy (infra/hub.cjs)', () => {
  const ROLES = ['RollbackRole', 'CleanupRole'];
  const policies = (o: { organizationId?: string; guardTargets?: string }) =>
    ofType(hubResources({ ...o, functionRoles: ROLES }).Resources, 'AWS::Events::EventBusPolicy').map(
      ([, r]) => r.Properties,
    );
  const BUS = {
    'Fn::Sub': 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default',
  };

  it('admits no other account when neither the organisation nor target accounts are set', () => {
    expect(policies({})).toEqual([]);
    expect(policies({ organizationId: '', guardTargets: '' })).toEqual([]);
  });

  it('admits PutEvents on the guard bus from the organisation only', () => {
    expect(policies({ organizationId: 'o-abcdefghij' })).toEqual([
      {
        EventBusName: 'default',
        StatementId: { 'Fn::Sub': '${AWS::StackName}-spokes-organization' },
        Statement: {
          Effect: 'Allow',
          Principal: '*',
          Action: 'events:PutEvents',
          Resource: BUS,
          Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdefghij' } },
        },
      },
    ]);
  });

  it('admits PutEvents on the guard bus from the listed target accounts only', () => {
    const [policy, ...more] = policies({
      guardTargets: '123456789012:eu-west-1,us-east-1;210987654321:eu-west-1',
    });
    expect(more).toEqual([]);
    expect(policy!.Statement).toEqual({
      Effect: 'Allow',
      Principal: {
        AWS: [
          { 'Fn::Sub': 'arn:${AWS::Partition}:iam::123456789012:root' },
          { 'Fn::Sub': 'arn:${AWS::Partition}:iam::210987654321:root' },
        ],
      },
      Action: 'events:PutEvents',
      Resource: BUS,
    });
  });

  it('fails the package on a bad organisation id, bad targets, or an OU without the organisation', () => {
    expect(() => policies({ organizationId: 'acme' })).toThrow(/organizationId "acme" is not/);
    expect(() => policies({ guardTargets: '12345:eu-west-1' })).toThrow(/param guardTargets: entry 1/);
    expect(() => policies({ guardTargets: 'ou-ab12-cdefgh34:eu-west-1' })).toThrow(
      /names ou-ab12-cdefgh34: set param organizationId/,
    );
    expect(
      policies({ guardTargets: 'ou-ab12-cdefgh34:eu-west-1', organizationId: 'o-abcdefghij' }),
    ).toHaveLength(1);
  });

  it('lets only the acting functions assume spoke roles, only in the listed accounts or the organisation', () => {
    const assumePolicies = (o: { organizationId?: string; guardTargets?: string }) =>
      ofType(
        hubResources({ ...o, functionRoles: [...ROLES, 'NotifyRole'], actingRoles: ROLES }).Resources,
        'AWS::IAM::Policy',
      ).map(([, r]) => r.Properties as { Roles: unknown; PolicyDocument: { Statement: Statement[] } });
    expect(assumePolicies({})).toEqual([]);
    // The spoke role is <GuardStackName>-spoke-<region>, GuardStackName being the hub stack's name.
    expect(spoke.Resources.GuardRole!.Properties.RoleName).toEqual({
      'Fn::Sub': '${GuardStackName}-spoke-${AWS::Region}',
    });
    const role = (account: string) => ({
      'Fn::Sub': `arn:\${AWS::Partition}:iam::${account}:role/\${AWS::StackName}-spoke-*`,
    });
    const [listed] = assumePolicies({ guardTargets: '123456789012:eu-west-1;210987654321:us-east-1' });
    expect(listed!.Roles).toEqual([{ Ref: 'RollbackRole' }, { Ref: 'CleanupRole' }]);
    expect(listed!.PolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: [role('123456789012'), role('210987654321')] },
    ]);
    const [organization] = assumePolicies({ organizationId: 'o-abcdefghij' });
    expect(organization!.PolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: role('*'),
        Condition: { StringEquals: { 'aws:ResourceOrgID': 'o-abcdefghij' } },
      },
    ]);
  });

  it('lets every function read the accounts of an OU, only when the targets name one', () => {
    const policy = (guardTargets: string) =>
      hubResources({ organizationId: 'o-abcdefghij', guardTargets, functionRoles: [...ROLES, 'NotifyRole'] })
        .Resources.ReadOrganizationalUnitsPolicy;
    expect(policy('123456789012:eu-west-1')).toBeUndefined();
    const read = policy('ou-ab12-cdefgh34:eu-west-1;123456789012:eu-west-1')!;
    expect(read.Properties.Roles).toEqual([
      { Ref: 'RollbackRole' },
      { Ref: 'CleanupRole' },
      { Ref: 'NotifyRole' },
    ]);
    expect((read.Properties.PolicyDocument as { Statement: Statement[] }).Statement).toEqual([
      {
        Effect: 'Allow',
        Action: ['organizations:ListAccountsForParent', 'organizations:ListOrganizationalUnitsForParent'],
        Resource: '*',
      },
    ]);
  });

  it('outputs the function roles the spokes trust', () => {
    const out = hubResources({ functionRoles: ROLES }).Outputs.SpokeTrustedRoleArns!.Value;
    expect(out).toEqual({
      'Fn::Join': [',', ROLES.map((r) => ({ 'Fn::GetAtt': [r, 'Arn'] }))],
    });
  });

  it('passes cfn-lint with every policy', (ctx) => {
    const hub = hubResources({
      organizationId: 'o-abcdefghij',
      guardTargets: '123456789012:eu-west-1;ou-ab12-cdefgh34:eu-west-1',
      functionRoles: ['RollbackRole'],
      actingRoles: ['RollbackRole'],
    });
    const lambdaRole = {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
          ],
        },
      },
    };
    const path = join(tmp, 'hub.json');
    writeFileSync(
      path,
      JSON.stringify({
        AWSTemplateFormatVersion: '2010-09-09',
        Resources: { RollbackRole: lambdaRole, ...hub.Resources },
        Outputs: hub.Outputs,
      }),
    );
    const run = cfnLint(path);
    if (!run) return ctx.skip('cfn-lint is not on PATH: template not linted');
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  }, 120_000);
});
