/**
 * Several accounts and regions in one scenario: one App Runner simulator per target (the hub is the
 * scenario's `account` and `region`), the Resource Groups Tagging API over them, and the routing of
 * each signed request to the simulator of its caller's account and region (the access key STS
 * issued names the account, the SigV4 scope the region). Steps and expectations address a service
 * as `<account>/<region>/<name>`, or by its plain name in the hub.
 *
 * @module
 */
import { AppRunnerSimulator, type OperationKind, type SimService } from './app-runner.ts';
import { ApiError, type HttpRequest, type HttpResponse, jsonResponse, parseJsonBody } from './http.ts';
import { callerOf, type SandboxIdentities } from './sts.ts';

/** One account × region. */
export interface Where {
  account: string;
  region: string;
}

const ADDRESS = /^(\d{12})\/([a-z]{2}(?:-[a-z]+)+-\d)\/([A-Za-z0-9][A-Za-z0-9_-]{3,39})$/;
const SERVICE_ARN = /^arn:aws[\w-]*:apprunner:([a-z0-9-]+):(\d{12}):service\//;

/** `<account>/<region>/<name>` → its parts; a plain name → the hub's. */
export function parseAddress(address: string, hub: Where): Where & { name: string } {
  const m = ADDRESS.exec(address);
  return m ? { account: m[1]!, region: m[2]!, name: m[3]! } : { ...hub, name: address };
}

const key = (w: Where) => `${w.account}/${w.region}`;

/** The simulators of a scenario's targets, and how requests and steps find theirs. */
export class SandboxFleets {
  private readonly sims = new Map<string, AppRunnerSimulator>();

  constructor(
    readonly hub: Where,
    private readonly make: (where: Where) => AppRunnerSimulator,
    private readonly identities: SandboxIdentities,
  ) {
    this.sims.set(key(hub), make(hub));
  }

  /** The simulator of `where`, created on first use (a target the scenario lists). */
  at(where: Where): AppRunnerSimulator {
    let sim = this.sims.get(key(where));
    if (!sim) {
      sim = this.make(where);
      this.sims.set(key(where), sim);
    }
    return sim;
  }

  /** The hub's simulator. */
  get hubSim(): AppRunnerSimulator {
    return this.at(this.hub);
  }

  private known(where: Where): AppRunnerSimulator | undefined {
    return this.sims.get(key(where));
  }

  /** A live service by address (`<account>/<region>/<name>`, or a hub name). */
  byName(address: string): SimService | undefined {
    const a = parseAddress(address, this.hub);
    return this.known(a)?.byName(a.name);
  }

  failNext(address: string, kind: OperationKind, times: number): void {
    const a = parseAddress(address, this.hub);
    this.at(a).failNext(a.name, kind, times);
  }

  failCreation(address: string): void {
    const a = parseAddress(address, this.hub);
    this.at(a).failCreation(a.name);
  }

  /** An API call of a step: sent to the simulator its service ARN names (else the hub's). */
  call(operation: string, input: Record<string, unknown>): Record<string, unknown> {
    const arn = String(input.ServiceArn ?? input.ResourceArn ?? '');
    const m = SERVICE_ARN.exec(arn);
    return (m ? this.at({ account: m[2]!, region: m[1]! }) : this.hubSim).call(operation, input);
  }

  /** A push: every target's services following that exact tag deploy (each sim checks its own). */
  onImagePushed(identifier: string): void {
    for (const sim of this.sims.values()) sim.onImagePushed(identifier);
  }

  /** Every service of every target, live and deleted. */
  all(): Array<SimService & Where> {
    return [...this.sims.entries()].flatMap(([k, sim]) => {
      const [account, region] = k.split('/') as [string, string];
      return sim.all().map((s) => Object.assign(s, { account, region }));
    });
  }

  /** An App Runner request, answered by the simulator of its caller's account and region. */
  dispatch(operation: string, req: HttpRequest): Promise<HttpResponse> {
    return this.at(callerOf(req, this.identities, this.hub.region)).dispatch(operation, req);
  }

  /**
   * The Resource Groups Tagging API's `GetResources` over the caller's simulator: App Runner
   * services only (`apprunner:service`), tag filters by key (and values), paginated.
   */
  async tagging(operation: string, req: HttpRequest): Promise<HttpResponse> {
    if (operation !== 'GetResources')
      throw new ApiError('InvalidParameterException', `The sandbox does not simulate tagging ${operation}`);
    const input = parseJsonBody(req);
    const types = (input.ResourceTypeFilters as string[] | undefined) ?? [];
    const filters = (input.TagFilters as Array<{ Key: string; Values?: string[] }> | undefined) ?? [];
    const perPage = Number(input.ResourcesPerPage ?? 50);
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100)
      throw new ApiError('InvalidParameterException', 'ResourcesPerPage must be from 1 to 100');
    const start = input.PaginationToken ? Number(input.PaginationToken) : 0;
    if (types.length > 0 && !types.some((t) => t === 'apprunner' || t === 'apprunner:service')) {
      return jsonResponse({ ResourceTagMappingList: [], PaginationToken: '' }, '1.1');
    }
    const sim = this.known(callerOf(req, this.identities, this.hub.region));
    const matching = (sim?.list() ?? []).filter((s) =>
      filters.every((f) => s.tags.has(f.Key) && (!f.Values?.length || f.Values.includes(s.tags.get(f.Key)!))),
    );
    const page = matching.slice(start, start + perPage);
    const next = start + perPage < matching.length ? String(start + perPage) : '';
    return jsonResponse(
      {
        ResourceTagMappingList: page.map((s) => ({
          ResourceARN: s.arn,
          Tags: [...s.tags].map(([Key, Value]) => ({ Key, Value })),
        })),
        PaginationToken: next,
      },
      '1.1',
    );
  }
}

export { AppRunnerSimulator };
