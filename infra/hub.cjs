// The hub side of "one guard for many accounts and regions": who may put events on the bus the guard
// reads (the spokes' forwarding rules, infra/spoke/), and which roles the spokes must trust. Merged
// into the stack by infra/resources.cjs. The accounts come from the same `guardTargets` param the
// functions read (parsed by lib/targets.ts, so the template and the functions agree on one list).
'use strict';

const { require: tsRequire } = require('tsx/cjs/api');

const sub = (s) => ({ 'Fn::Sub': s });
// The guard reads (and publishes to) the default bus: serverless.yml sets EVENT_BUS_NAME to it.
const GUARD_BUS = 'default';
const guardBusArn = sub(
  `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:event-bus/${GUARD_BUS}`,
);
const ORGANIZATION = /^o-[a-z0-9]{10,32}$/;

/**
 * Resources and outputs of the hub: an event bus policy admitting `events:PutEvents` from the
 * organisation (`organizationId`) and/or the accounts `guardTargets` lists, a policy letting
 * `actingRoles` (the functions acting on App Runner) assume the spoke roles there, and, when
 * `guardTargets` names an OU, a policy letting every function read the OU's accounts; neither set, no
 * cross-account permission at all (the guard then hears its own account only, as before). Throws,
 * failing the package, on a malformed organisation id or targets setting, or on targets naming an OU
 * without an organisation to admit.
 */
function hubResources({ organizationId = '', guardTargets = '', functionRoles, actingRoles = [] }) {
  const { parseTargets, listedAccounts, TargetsError } = tsRequire('../lib/targets.ts', __filename);
  if (organizationId !== '' && !ORGANIZATION.test(organizationId))
    throw new Error(`param organizationId "${organizationId}" is not an AWS Organizations id (o-xxxxxxxxxx)`);
  let setting;
  try {
    setting = parseTargets(guardTargets);
  } catch (error) {
    if (error instanceof TargetsError) throw new Error(`param guardTargets: ${error.message}`);
    throw error;
  }
  const ous = setting.entries.filter((e) => e.kind === 'organizational-unit');
  if (ous.length > 0 && organizationId === '')
    throw new Error(
      `param guardTargets names ${ous[0].organizationalUnit}: set param organizationId, so the hub bus admits the organisation its accounts belong to`,
    );
  const accounts = listedAccounts(setting);
  const statement = (principal, condition) => ({
    Effect: 'Allow',
    Principal: principal,
    Action: 'events:PutEvents',
    Resource: guardBusArn,
    ...(condition ? { Condition: condition } : {}),
  });
  const Resources = {};
  if (organizationId !== '') {
    Resources.GuardBusAdmitsOrganization = {
      Type: 'AWS::Events::EventBusPolicy',
      Properties: {
        EventBusName: GUARD_BUS,
        StatementId: sub('${AWS::StackName}-spokes-organization'),
        Statement: statement('*', { StringEquals: { 'aws:PrincipalOrgID': organizationId } }),
      },
    };
  }
  if (accounts.length > 0) {
    Resources.GuardBusAdmitsAccounts = {
      Type: 'AWS::Events::EventBusPolicy',
      Properties: {
        EventBusName: GUARD_BUS,
        StatementId: sub('${AWS::StackName}-spokes-accounts'),
        Statement: statement({ AWS: accounts.map((a) => sub(`arn:\${AWS::Partition}:iam::${a}:root`)) }),
      },
    };
  }
  // The functions that act on App Runner may assume the spoke role (infra/spoke: named
  // <hub stack>-spoke-<region>) in the listed accounts, or in any account of the organisation.
  const spokeRole = (account) =>
    sub(`arn:\${AWS::Partition}:iam::${account}:role/\${AWS::StackName}-spoke-*`);
  const assume = [];
  if (accounts.length > 0)
    assume.push({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: accounts.map(spokeRole) });
  if (organizationId !== '')
    assume.push({
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Resource: spokeRole('*'),
      Condition: { StringEquals: { 'aws:ResourceOrgID': organizationId } },
    });
  if (assume.length > 0 && actingRoles.length > 0) {
    Resources.AssumeSpokeRolesPolicy = {
      Type: 'AWS::IAM::Policy',
      Properties: {
        PolicyName: 'apprunner-guard-assume-spoke-roles',
        Roles: actingRoles.map((role) => ({ Ref: role })),
        PolicyDocument: { Version: '2012-10-17', Statement: assume },
      },
    };
  }
  // An OU in guardTargets stands for its accounts, read through AWS Organizations by every function
  // (each checks an event's account against the targets): only then may the functions read it.
  // These List actions take no resource type in the service authorisation reference, so "*";
  // Organizations itself answers them only in the management account or a delegated administrator.
  if (ous.length > 0) {
    Resources.ReadOrganizationalUnitsPolicy = {
      Type: 'AWS::IAM::Policy',
      Properties: {
        PolicyName: 'apprunner-guard-read-organizational-units',
        Roles: functionRoles.map((role) => ({ Ref: role })),
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: [
                'organizations:ListAccountsForParent',
                'organizations:ListOrganizationalUnitsForParent',
              ],
              Resource: '*',
            },
          ],
        },
      },
    };
  }
  return {
    Resources,
    Outputs: {
      SpokeTrustedRoleArns: {
        Description:
          "The hub functions' roles: the spoke template's HubFunctionRoleArns (the only principals its role trusts)",
        Value: { 'Fn::Join': [',', functionRoles.map((role) => ({ 'Fn::GetAtt': [role, 'Arn'] }))] },
      },
    },
  };
}

module.exports = { hubResources, GUARD_BUS };
