import {
  ApiError,
  awsQueryProtocol,
  type HttpRequest,
  type HttpResponse,
  type Protocol,
  requestId,
  xmlEscape,
} from './http.ts';

const XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';

/** STS query protocol (`Action=AssumeRole`, form-encoded, XML answers). */
export const stsProtocol: Protocol = awsQueryProtocol(XMLNS, (kind) =>
  kind === 'serverError'
    ? new ApiError('InternalFailure', 'injected by the sandbox', 500)
    : new ApiError('Throttling', 'Rate exceeded', 400),
);

/** A spoke as the STS stand-in knows it: its role and what the role's trust policy does. */
export interface SpokeRole {
  account: string;
  region: string;
  /** `ok` (deployed, trusts the hub), `missing` (no spoke stack there), `denies` (trust refuses). */
  role: 'ok' | 'missing' | 'denies';
}

/** Issued credentials and their account: how the other stand-ins tell a spoke's caller from the hub. */
export class SandboxIdentities {
  private readonly accounts = new Map<string, string>();
  constructor(private readonly hubAccount: string) {}

  /** The account of an access key (the hub's own credentials belong to the hub). */
  accountOf(accessKeyId: string | undefined): string {
    return (accessKeyId && this.accounts.get(accessKeyId)) ?? this.hubAccount;
  }

  issue(account: string, serial: number): string {
    const key = `ASIA${account}${String(serial).padStart(4, '0')}`;
    this.accounts.set(key, account);
    return key;
  }
}

/**
 * The caller of a signed request: the account (from the access key, see {@link SandboxIdentities})
 * and the region of the SigV4 credential scope (`Credential=<key>/<date>/<region>/<service>/…`).
 */
export function callerOf(
  req: HttpRequest,
  identities: SandboxIdentities,
  fallbackRegion: string,
): { account: string; region: string } {
  const auth = String(req.headers.authorization ?? '');
  const m = /Credential=([^/,\s]+)\/\d{8}\/([a-z0-9-]+)\//.exec(auth);
  return { account: identities.accountOf(m?.[1]), region: m?.[2] ?? fallbackRegion };
}

/**
 * STS stand-in: `AssumeRole` of a spoke role, checked as the spoke template's trust policy would: the
 * role ARN must be `arn:aws:iam::<spoke account>:role/<stack>-spoke-<region>` of a spoke the scenario
 * lists, the external id must match, and the spoke's role must exist (`missing`) and trust the hub
 * (`denies`). Answers with credentials whose access key names the spoke's account.
 */
export class StsStandIn {
  private serial = 0;
  readonly assumed: Array<{ time: string; roleArn: string; ok: boolean; reason?: string }> = [];

  constructor(
    private readonly options: {
      spokes: readonly SpokeRole[];
      roleNamePrefix: string;
      externalId: string;
      identities: SandboxIdentities;
      now: () => number;
    },
  ) {}

  async dispatch(operation: string, req: HttpRequest): Promise<HttpResponse> {
    if (operation !== 'AssumeRole')
      throw new ApiError('InvalidAction', `The sandbox does not simulate STS ${operation}`);
    const form = new URLSearchParams(req.body);
    const roleArn = form.get('RoleArn') ?? '';
    const refuse = (reason: string) => {
      this.assumed.push({ time: new Date(this.options.now()).toISOString(), roleArn, ok: false, reason });
      return new ApiError(
        'AccessDenied',
        `User: arn:aws:sts::hub:assumed-role/apprunner-guard is not authorized to perform: sts:AssumeRole on resource: ${roleArn} (${reason})`,
        403,
      );
    };
    const m = /^arn:aws:iam::(\d{12}):role\/(.+)-spoke-([a-z0-9-]+)$/.exec(roleArn);
    if (!m) throw refuse('not a spoke role ARN');
    const [, account, prefix, region] = m;
    const spoke = this.options.spokes.find((s) => s.account === account && s.region === region);
    if (!spoke || spoke.role === 'missing' || prefix !== this.options.roleNamePrefix)
      throw refuse('no such role');
    if (spoke.role === 'denies') throw refuse('the role trust policy does not admit the caller');
    if (form.get('ExternalId') !== this.options.externalId) throw refuse('wrong external id');
    const session = form.get('RoleSessionName') ?? 'session';
    const duration = Number(form.get('DurationSeconds') ?? 3600);
    const expiration = new Date(Date.now() + duration * 1000).toISOString();
    const key = this.options.identities.issue(account!, ++this.serial);
    this.assumed.push({ time: new Date(this.options.now()).toISOString(), roleArn, ok: true });
    const body = `<AssumeRoleResponse xmlns="${XMLNS}"><AssumeRoleResult><Credentials><AccessKeyId>${key}</AccessKeyId><SecretAccessKey>sandbox-secret</SecretAccessKey><SessionToken>sandbox-session-${this.serial}</SessionToken><Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROASANDBOX:${xmlEscape(session)}</AssumedRoleId><Arn>arn:aws:sts::${account}:assumed-role/${xmlEscape(roleArn.split('/').pop()!)}/${xmlEscape(session)}</Arn></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>${requestId()}</RequestId></ResponseMetadata></AssumeRoleResponse>`;
    return { status: 200, headers: { 'content-type': 'text/xml' }, body };
  }
}
