import { ApiError, type HttpRequest, type HttpResponse, jsonResponse, parseJsonBody } from './http.ts';

/** An account of the scenario's organisation: its id, and its state (`ACTIVE` unless told). */
export type OrganizationAccount =
  | string
  | { id: string; state: 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE' | 'CLOSED' };

/** An organisational unit of the scenario: its accounts and the units below it. */
export interface OrganizationUnit {
  id: string;
  accounts: OrganizationAccount[];
  units: OrganizationUnit[];
}

/** The scenario's organisation, as the Organizations stand-in serves it. */
export interface SandboxOrganization {
  /**
   * What Organizations answers the hub: `allowed` (the hub is the management account or a
   * delegated administrator), `denied` (`AccessDeniedException`), `not-in-use` (the hub's account
   * is in no organisation: `AWSOrganizationsNotInUseException`).
   */
  access: 'allowed' | 'denied' | 'not-in-use';
  units: OrganizationUnit[];
}

const idOf = (a: OrganizationAccount) => (typeof a === 'string' ? a : a.id);
const stateOf = (a: OrganizationAccount) => (typeof a === 'string' ? 'ACTIVE' : a.state);

/** Every unit of the organisation, depth first. */
function allUnits(units: readonly OrganizationUnit[]): OrganizationUnit[] {
  return units.flatMap((u) => [u, ...allUnits(u.units)]);
}

/**
 * The accounts an OU stands for as the guard reads them: every active account in the unit and
 * the units below it (the scenario's `targets` use this to seed the spokes of an `ou` entry).
 */
export function activeAccountsIn(organization: SandboxOrganization, unitId: string): string[] {
  const unit = allUnits(organization.units).find((u) => u.id === unitId);
  if (!unit) return [];
  return [
    ...new Set(allUnits([unit]).flatMap((u) => u.accounts.filter((a) => stateOf(a) === 'ACTIVE').map(idOf))),
  ];
}

/** Results per page: fewer than Organizations' maximum (20), so every reader must follow `NextToken`. */
const PAGE = 2;

/**
 * AWS Organizations stand-in (AWS JSON 1.1, `AWSOrganizationsV20161128.<Op>`):
 * `ListAccountsForParent` and `ListOrganizationalUnitsForParent` over the scenario's
 * `organization`, two results a page with `NextToken`; a parent the organisation does not have is
 * `ParentNotFoundException`; a hub not allowed to read it gets `AccessDeniedException` or
 * `AWSOrganizationsNotInUseException`, as Organizations answers a member account that is not a
 * delegated administrator, or an account in no organisation.
 */
export class OrganizationsStandIn {
  constructor(
    private readonly organization: SandboxOrganization,
    private readonly managementAccount: string,
  ) {}

  async dispatch(operation: string, req: HttpRequest): Promise<HttpResponse> {
    if (this.organization.access === 'denied')
      throw new ApiError(
        'AccessDeniedException',
        "You don't have permissions to access this resource. This operation can be called only from the organization's management account or by a member account that is a delegated administrator.",
      );
    if (this.organization.access === 'not-in-use')
      throw new ApiError(
        'AWSOrganizationsNotInUseException',
        'Your account is not a member of an organization.',
      );
    const input = parseJsonBody(req);
    const parentId = String(input.ParentId ?? '');
    const parent = allUnits(this.organization.units).find((u) => u.id === parentId);
    if (!parent)
      throw new ApiError(
        'ParentNotFoundException',
        "We can't find a root or OU with the ParentId that you specified.",
      );
    const start = input.NextToken ? Number(input.NextToken) : 0;
    const page = <T>(items: T[]) => ({
      items: items.slice(start, start + PAGE),
      ...(start + PAGE < items.length ? { NextToken: String(start + PAGE) } : {}),
    });
    const org = `o-sandbox0001`;
    if (operation === 'ListAccountsForParent') {
      const { items, ...next } = page(parent.accounts);
      return jsonResponse(
        {
          Accounts: items.map((a) => ({
            Id: idOf(a),
            Arn: `arn:aws:organizations::${this.managementAccount}:account/${org}/${idOf(a)}`,
            Name: `account-${idOf(a)}`,
            State: stateOf(a),
          })),
          ...next,
        },
        '1.1',
      );
    }
    if (operation === 'ListOrganizationalUnitsForParent') {
      const { items, ...next } = page(parent.units);
      return jsonResponse(
        {
          OrganizationalUnits: items.map((u) => ({
            Id: u.id,
            Arn: `arn:aws:organizations::${this.managementAccount}:ou/${org}/${u.id}`,
            Name: u.id,
          })),
          ...next,
        },
        '1.1',
      );
    }
    throw new ApiError('InvalidInputException', `The sandbox does not simulate Organizations ${operation}`);
  }
}

/**
 * Moves `account` (wherever it is in the organisation) into the unit `to`, as
 * `organizations:MoveAccount` does. Throws when the organisation has no such account or unit.
 */
export function moveAccount(organization: SandboxOrganization, account: string, to: string): void {
  const units = allUnits(organization.units);
  const target = units.find((u) => u.id === to);
  if (!target) throw new Error(`the organization has no unit ${to}`);
  const from = units.find((u) => u.accounts.some((a) => idOf(a) === account));
  if (!from) throw new Error(`the organization has no account ${account}`);
  const entry = from.accounts.find((a) => idOf(a) === account)!;
  from.accounts = from.accounts.filter((a) => a !== entry);
  target.accounts.push(entry);
}

/** Every account of the organisation, whichever unit it is in (any state). */
export function organizationAccounts(organization: SandboxOrganization): string[] {
  return [...new Set(allUnits(organization.units).flatMap((u) => u.accounts.map(idOf)))];
}
