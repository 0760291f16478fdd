import { ApiError, type HttpRequest, type HttpResponse, jsonResponse, parseJsonBody } from './http.ts';

/** One parameter of the SSM stand-in. */
export interface SsmParameter {
  value: string;
  type: 'String' | 'SecureString';
}

/** One `GetParameter(s)` the stand-in answered (names only: values are secrets). */
export interface SsmRead {
  time: string;
  name: string;
  found: boolean;
  withDecryption: boolean;
}

/** SSM Parameter Store stand-in (AWS JSON 1.1, `AmazonSSM.<Operation>`): GetParameter, GetParameters. */
export class SsmStandIn {
  readonly reads: SsmRead[] = [];

  constructor(
    private readonly parameters: Map<string, SsmParameter>,
    private readonly where: { account: string; region: string },
    private readonly now: () => number,
  ) {}

  async dispatch(operation: string, req: HttpRequest): Promise<HttpResponse> {
    const input = parseJsonBody(req);
    const decrypt = input.WithDecryption === true;
    if (operation === 'GetParameter') {
      const name = input.Name;
      if (typeof name !== 'string' || name === '')
        throw new ApiError('ValidationException', 'Name is required');
      const p = this.read(name, decrypt);
      if (!p) throw new ApiError('ParameterNotFound', `Parameter ${name} not found.`);
      return jsonResponse({ Parameter: this.view(name, p, decrypt) }, '1.1');
    }
    if (operation === 'GetParameters') {
      const names = Array.isArray(input.Names) ? input.Names.map(String) : [];
      const found = names.flatMap((n) => {
        const p = this.read(n, decrypt);
        return p ? [this.view(n, p, decrypt)] : [];
      });
      return jsonResponse(
        { Parameters: found, InvalidParameters: names.filter((n) => !this.parameters.has(n)) },
        '1.1',
      );
    }
    throw new ApiError('ValidationException', `The sandbox does not simulate SSM ${operation}`);
  }

  private read(name: string, withDecryption: boolean) {
    const p = this.parameters.get(name);
    this.reads.push({ time: new Date(this.now()).toISOString(), name, found: !!p, withDecryption });
    return p;
  }

  private view(name: string, p: SsmParameter, decrypt: boolean) {
    const { account, region } = this.where;
    return {
      Name: name,
      Type: p.type,
      // A SecureString read without decryption comes back as ciphertext, as in SSM.
      Value:
        p.type === 'SecureString' && !decrypt ? Buffer.from(`kms:${p.value}`).toString('base64') : p.value,
      Version: 1,
      LastModifiedDate: 1_700_000_000,
      ARN: `arn:aws:ssm:${region}:${account}:parameter${name.startsWith('/') ? '' : '/'}${name}`,
      DataType: 'text',
    };
  }
}
