import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiFaults, ApiName, FaultDice, RealRateLimiter } from './faults.ts';

/** A request as a stand-in sees it. */
export interface HttpRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A stand-in's answer. */
export interface HttpResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** A modelled API error: the stand-in answers with the protocol's error shape for `code`. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** A local HTTP server on 127.0.0.1 and a free port. */
export interface LocalServer {
  url: string;
  /** Closes the keep-alive connections that are idle (each run's clients open their own). */
  closeIdle(): void;
  close(): Promise<void>;
}

/** Starts a node:http server on a free loopback port that answers with `handle`. */
export async function listen(handle: (req: HttpRequest) => Promise<HttpResponse>): Promise<LocalServer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const request: HttpRequest = {
        method: req.method ?? 'GET',
        path: decodeURIComponent(url.pathname),
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      handle(request).then(
        (out) => {
          res.writeHead(out.status, out.headers ?? {});
          res.end(out.body ?? '');
        },
        (error: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`sandbox stand-in crashed: ${(error as Error).message}`);
        },
      );
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    closeIdle: () => server.closeIdleConnections(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** How one AWS wire protocol names operations and shapes errors. */
export interface Protocol {
  operationOf(req: HttpRequest): string | undefined;
  errorResponse(error: ApiError): HttpResponse;
  /** The error an injected fault of this kind produces. */
  faultError(kind: 'throttle' | 'tooManyRequests' | 'serverError'): ApiError;
}

/** AWS JSON 1.0 / 1.1 (`X-Amz-Target: <prefix>.<Operation>`). */
export function awsJsonProtocol(
  version: '1.0' | '1.1',
  targetPrefix: string,
  internalError: string,
): Protocol {
  const contentType = `application/x-amz-json-${version}`;
  return {
    operationOf(req) {
      const target = req.headers['x-amz-target'];
      if (typeof target !== 'string' || !target.startsWith(`${targetPrefix}.`)) return undefined;
      return target.slice(targetPrefix.length + 1);
    },
    errorResponse(error) {
      return {
        status: error.status,
        headers: { 'content-type': contentType, 'x-amzn-errortype': error.code },
        body: JSON.stringify({ __type: error.code, message: error.message, Message: error.message }),
      };
    },
    faultError(kind) {
      if (kind === 'throttle') return new ApiError('ThrottlingException', 'Rate exceeded', 400);
      if (kind === 'tooManyRequests')
        return new ApiError('TooManyRequestsException', 'Too Many Requests', 429);
      return new ApiError(internalError, 'An internal error occurred (injected by the sandbox).', 500);
    },
  };
}

/**
 * The AWS query protocol (`Action=<Operation>`, form-encoded, XML answers), as SNS and STS speak
 * it: errors are an `ErrorResponse` in the service's namespace; the service says which error each
 * injected fault is.
 */
export function awsQueryProtocol(xmlns: string, faultError: Protocol['faultError']): Protocol {
  return {
    operationOf(req) {
      return new URLSearchParams(req.body).get('Action') ?? undefined;
    },
    errorResponse(error) {
      return {
        status: error.status,
        headers: { 'content-type': 'text/xml' },
        body: `<ErrorResponse xmlns="${xmlns}"><Error><Type>${error.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${xmlEscape(error.code)}</Code><Message>${xmlEscape(error.message)}</Message></Error><RequestId>${requestId()}</RequestId></ErrorResponse>`,
      };
    },
    faultError,
  };
}

/** JSON success response for AWS JSON protocols. */
export function jsonResponse(body: unknown, version: '1.0' | '1.1' = '1.0', status = 200): HttpResponse {
  return {
    status,
    headers: { 'content-type': `application/x-amz-json-${version}`, 'x-amzn-requestid': requestId() },
    body: JSON.stringify(body),
  };
}

let requestCounter = 0;
/** A request id for response headers. */
export function requestId(): string {
  requestCounter++;
  return `sandbox-${requestCounter.toString(16).padStart(8, '0')}`;
}

/** Parses a JSON request body; an unparseable one is the protocol's serialization error. */
export function parseJsonBody(req: HttpRequest): Record<string, unknown> {
  if (req.body === '') return {};
  try {
    const v = JSON.parse(req.body) as unknown;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {}
  throw new ApiError('SerializationException', 'Request body is not a JSON object');
}

/** Escapes text for XML. */
export function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** One call a stand-in answered, for the report. */
export interface ApiCall {
  time: string;
  api: ApiName;
  operation: string;
  status: number;
  error?: string;
  /** Set when the sandbox injected the failure. */
  fault?: string;
}

/** What a stand-in needs from the scenario being run (changes per scenario, servers do not). */
export interface ApiHooks {
  now(): number;
  faults(api: ApiName): ApiFaults | undefined;
  dice: FaultDice;
  /** The request-rate limiter of `api` for the caller of `req` (AWS limits per account and region). */
  limiter(api: ApiName, req: HttpRequest): RealRateLimiter | undefined;
  onCall(call: ApiCall): void;
}

/**
 * Wraps a stand-in's dispatcher with the protocol's error mapping and the scenario's faults
 * (latency, request-rate limit, throttling, 429s, 5xx), recording every call.
 */
export function apiHandler(
  api: ApiName,
  protocol: Protocol,
  dispatch: (operation: string, req: HttpRequest) => Promise<HttpResponse>,
  hooks: () => ApiHooks | undefined,
): (req: HttpRequest) => Promise<HttpResponse> {
  return async (req) => {
    const h = hooks();
    const operation = protocol.operationOf(req);
    if (!operation) {
      return protocol.errorResponse(new ApiError('UnknownOperationException', 'Unknown operation'));
    }
    const record = (status: number, error?: string, fault?: string) =>
      h?.onCall({
        time: new Date(h.now()).toISOString(),
        api,
        operation,
        status,
        ...(error ? { error } : {}),
        ...(fault ? { fault } : {}),
      });
    const f = h?.faults(api);
    if (h && f) {
      if (f.latencyMs) await sleep(f.latencyMs);
      const now = h.now();
      let fault: 'throttle' | 'tooManyRequests' | 'serverError' | undefined;
      const limiter = h.limiter(api, req);
      if (limiter && !limiter.admit(performance.now())) fault = 'throttle';
      else if (h.dice.roll(f.throttle, operation, now)) fault = 'throttle';
      else if (h.dice.roll(f.tooManyRequests, operation, now)) fault = 'tooManyRequests';
      else if (h.dice.roll(f.serverError, operation, now)) fault = 'serverError';
      else if (f.error && h.dice.roll(f.error, operation, now)) {
        const named = new ApiError(
          f.error.code,
          f.error.message ?? `${f.error.code} (injected by the sandbox).`,
          f.error.status ?? 400,
        );
        record(named.status, named.code, 'error');
        return protocol.errorResponse(named);
      }
      if (fault) {
        const error = protocol.faultError(fault);
        record(error.status, error.code, fault);
        return protocol.errorResponse(error);
      }
    }
    try {
      const out = await dispatch(operation, req);
      record(out.status);
      return out;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      record(error.status, error.code);
      return protocol.errorResponse(error);
    }
  };
}
