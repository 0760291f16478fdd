/**
 * Port: AWS Organizations as the targets need it (docs/architecture.md, "Many accounts and
 * regions"): which accounts an organisational unit named in `GUARD_TARGETS` stands for.
 */
export interface OrganizationPort {
  /**
   * The active accounts in `organizationalUnit` and in every unit below it, each once. Throws a
   * terminal error naming what to do when the hub may not read the organisation (not the
   * management account or a delegated administrator, Organizations not in use, no such unit).
   */
  listActiveAccounts(organizationalUnit: string): Promise<string[]>;
}
