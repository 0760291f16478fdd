import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  compilePattern,
  InvalidPatternError,
  matchesPattern,
  validatePattern,
} from '../../sandbox/event-pattern.ts';

/** One conformance case from test/conformance/ (derived from aws/event-ruler; see its README). */
interface ConformanceCase {
  readonly file: string;
  readonly name: string;
  readonly pattern: unknown;
  readonly event: unknown;
  readonly matches: boolean;
}

const CORPUS_DIR = new URL('../conformance/', import.meta.url);
const CORPUS_FILES = ['event-pattern-cases.json', 'engine-derived-cases.json'] as const;

function loadCases(file: string): ConformanceCase[] {
  const parsed: unknown = JSON.parse(readFileSync(new URL(file, CORPUS_DIR), 'utf8'));
  if (!Array.isArray(parsed)) throw new Error(`${file}: expected a JSON array of cases`);
  return parsed.map((raw: unknown, index) => {
    if (typeof raw !== 'object' || raw === null) throw new Error(`${file}[${index}]: not an object`);
    const { name, pattern, event, matches } = raw as Record<string, unknown>;
    if (typeof name !== 'string' || typeof matches !== 'boolean') {
      throw new Error(`${file}[${index}]: missing name or matches`);
    }
    return { file, name, pattern, event, matches };
  });
}

const cases = CORPUS_FILES.flatMap(loadCases);

describe('event-ruler conformance corpus', () => {
  it('loads all 464 cases (355 primary + 109 engine-derived)', () => {
    expect(cases.filter((c) => c.file === 'event-pattern-cases.json')).toHaveLength(355);
    expect(cases.filter((c) => c.file === 'engine-derived-cases.json')).toHaveLength(109);
    expect(cases).toHaveLength(464);
  });

  it.each(cases.map((c, i) => ({ ...c, label: `${i + 1} ${c.file.replace('.json', '')}: ${c.name}` })))(
    '$label',
    (c) => {
      expect(matchesPattern(c.pattern, c.event)).toBe(c.matches);
    },
  );

  it('gives the same answers through a compiled matcher', () => {
    for (const c of cases) {
      expect(compilePattern(c.pattern)(c.event), c.name).toBe(c.matches);
    }
  });

  it('accepts every pattern of the corpus', () => {
    for (const c of cases) {
      expect(() => validatePattern(c.pattern), c.name).not.toThrow();
    }
  });
});

describe('validatePattern', () => {
  const invalid: readonly [string, unknown, string][] = [
    ['non-object pattern', ['source'], '<root>'],
    ['empty pattern', {}, '<root>'],
    ['leaf that is not an array', { detail: { Status: 'RUNNING' } }, 'detail.Status'],
    ['empty value array', { source: [] }, 'source'],
    ['empty nested object', { detail: {} }, 'detail'],
    ['unknown operator', { detail: { Status: [{ 'starts-with': 'RUN' }] } }, 'detail.Status'],
    ['two operators in one object', { detail: { Status: [{ prefix: 'a', suffix: 'b' }] } }, 'detail.Status'],
    ['numeric operator without a number', { detail: { Status: [{ numeric: ['>', '5'] }] } }, 'detail.Status'],
    ['numeric with unknown operator', { detail: { size: [{ numeric: ['!=', 5] }] } }, 'detail.size'],
    ['numeric range upside down', { detail: { size: [{ numeric: ['>', 10, '<', 5] }] } }, 'detail.size'],
    [
      'numeric range with bad upper operator',
      { detail: { size: [{ numeric: ['>', 1, '>', 5] }] } },
      'detail.size',
    ],
    ['numeric with too many decimals', { detail: { size: [{ numeric: ['<', 0.0000001] }] } }, 'detail.size'],
    ['$or that is not an array', { $or: { a: ['x'] } }, '$or'],
    ['$or with a single branch', { detail: { $or: [{ a: ['x'] }] } }, 'detail.$or'],
    ['$or with a non-object branch', { $or: [{ a: ['x'] }, ['b']] }, '$or[1]'],
    ['reserved field name inside $or', { $or: [{ a: ['x'] }, { prefix: ['b'] }] }, '$or[1].prefix'],
    ['wildcard with consecutive stars', { key: [{ wildcard: 'a**b' }] }, 'key'],
    ['wildcard with a bad escape', { key: [{ wildcard: 'a\\b' }] }, 'key'],
    ['invalid cidr address', { ip: [{ cidr: '10.0.0.300/24' }] }, 'ip'],
    ['cidr without mask', { ip: [{ cidr: '10.0.0.0' }] }, 'ip'],
    ['cidr mask too large', { ip: [{ cidr: '10.0.0.0/33' }] }, 'ip'],
    ['exists with a string', { a: [{ exists: 'yes' }] }, 'a'],
    ['anything-but mixing types', { a: [{ 'anything-but': ['x', 1] }] }, 'a'],
    ['anything-but empty prefix', { a: [{ 'anything-but': { prefix: '' } }] }, 'a'],
    ['anything-but unsupported operator', { a: [{ 'anything-but': { numeric: ['>', 1] } }] }, 'a'],
    ['prefix with a number', { a: [{ prefix: 1 }] }, 'a'],
    ['nested array as match value', { a: [['x']] }, 'a'],
  ];

  it.each(invalid)('rejects %s, naming the path', (_label, pattern, path) => {
    let caught: unknown;
    try {
      validatePattern(pattern);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InvalidPatternError);
    const error = caught as InvalidPatternError;
    expect(error.path).toBe(path);
    expect(error.message.startsWith(`${path}: `)).toBe(true);
  });

  it('explains what is wrong with a numeric expression', () => {
    expect(() => validatePattern({ detail: { Status: [{ numeric: ['>'] }] } })).toThrow(
      /^detail\.Status: numeric operator needs a number after ">"/,
    );
  });

  it('makes matchesPattern and compilePattern throw instead of silently not matching', () => {
    expect(() => matchesPattern({ source: 'aws.apprunner' }, { source: 'aws.apprunner' })).toThrow(
      InvalidPatternError,
    );
    expect(() => compilePattern({ a: [{ wildcard: '**' }] })).toThrow(InvalidPatternError);
  });

  it('accepts every operator in its valid forms', () => {
    expect(() =>
      validatePattern({
        a: ['x', 1, true, null, { exactly: 'x' }],
        b: [
          { prefix: 'x' },
          { prefix: { 'equals-ignore-case': 'X' } },
          { suffix: { 'equals-ignore-case': 'x' } },
        ],
        c: [{ 'anything-but': ['a', 'b'] }, { 'anything-but': 5 }, { 'anything-but': { wildcard: ['*a*'] } }],
        d: [{ numeric: ['=', 5] }, { numeric: ['>=', 0, '<', 1.5] }, { numeric: ['<=', -3] }],
        e: [
          { exists: true },
          { cidr: '2001:db8::/32' },
          { wildcard: 'a\\*b*' },
          { 'equals-ignore-case': 'x' },
        ],
        $or: [{ f: ['1'] }, { g: { h: [{ exists: false }] } }],
      }),
    ).not.toThrow();
  });
});

describe('App Runner shaped patterns', () => {
  const envelope = {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    source: 'aws.apprunner',
    account: '111122223333',
    time: '2021-04-29T18:43:48Z',
    region: 'us-east-2',
    resources: ['arn:aws:apprunner:us-east-2:111122223333:service/my-app/8fe1e10304f84fd2b0df550fe98a71fa'],
  };
  const operationEvent = (detail: Record<string, unknown>) => ({
    ...envelope,
    'detail-type': 'AppRunner Service Operation Status Change',
    detail,
  });
  const failedOperations = ['DeploymentFailed', 'UpdateServiceFailed', 'CreateServiceFailed'];
  const eitherSpelling = {
    source: ['aws.apprunner'],
    'detail-type': ['AppRunner Service Operation Status Change'],
    detail: { $or: [{ Status: failedOperations }, { operationStatus: failedOperations }] },
  };

  it('matches both the documented (Status) and observed (operationStatus) spellings through $or', () => {
    const matcher = compilePattern(eitherSpelling);
    expect(matcher(operationEvent({ Status: 'DeploymentFailed', ServiceName: 'my-app' }))).toBe(true);
    expect(matcher(operationEvent({ operationStatus: 'UpdateServiceFailed', serviceName: 'my-app' }))).toBe(
      true,
    );
    expect(matcher(operationEvent({ operationStatus: 'DeploymentCompletedSuccessfully' }))).toBe(false);
    expect(matcher(operationEvent({ status: 'DeploymentFailed' }))).toBe(false);
    expect(matcher({ ...operationEvent({ operationStatus: 'DeploymentFailed' }), source: 'aws.ecs' })).toBe(
      false,
    );
  });

  it('filters service status changes with anything-but and a resource prefix', () => {
    const pattern = {
      source: ['aws.apprunner'],
      'detail-type': ['AppRunner Service Status Change'],
      resources: [{ prefix: 'arn:aws:apprunner:us-east-2:111122223333:service/my-app/' }],
      detail: { currentServiceStatus: [{ 'anything-but': ['RUNNING', 'OPERATION_IN_PROGRESS'] }] },
    };
    const statusEvent = (current: string) => ({
      ...envelope,
      'detail-type': 'AppRunner Service Status Change',
      detail: { previousServiceStatus: 'RUNNING', currentServiceStatus: current, serviceName: 'my-app' },
    });
    expect(matchesPattern(pattern, statusEvent('CREATE_FAILED'))).toBe(true);
    expect(matchesPattern(pattern, statusEvent('RUNNING'))).toBe(false);
    expect(
      matchesPattern(pattern, { ...statusEvent('PAUSED'), resources: ['arn:aws:apprunner:other'] }),
    ).toBe(false);
  });

  it('matches operation outcomes by suffix, case-insensitively, and ignores missing optional fields', () => {
    const pattern = {
      source: ['aws.apprunner'],
      detail: {
        operationStatus: [{ suffix: { 'equals-ignore-case': 'failed' } }],
        operationId: [{ exists: false }],
      },
    };
    expect(matchesPattern(pattern, operationEvent({ operationStatus: 'PauseServiceFailed' }))).toBe(true);
    expect(
      matchesPattern(pattern, operationEvent({ operationStatus: 'PauseServiceFailed', operationId: 'x' })),
    ).toBe(false);
    expect(
      matchesPattern(pattern, operationEvent({ operationStatus: 'PauseServiceCompletedSuccessfully' })),
    ).toBe(false);
  });
});
