/**
 * The values a pattern compares: one leaf of a flattened event, and event-ruler's two derived
 * forms of it — comparable numbers and IP addresses.
 *
 * @module
 */

/** One leaf value of a flattened event, with lazily computed numeric / IP forms. */
export interface EventValue {
  readonly kind: 'string' | 'number' | 'literal';
  /** The string itself for strings; the JSON text for numbers, booleans and null. */
  readonly text: string;
  /** Comparable-number form (value x 1e6) for numbers; null if not comparable; undefined = not computed. */
  scaled?: number | null;
  /** IP address bytes for strings; null if not an IP literal; undefined = not computed. */
  ip?: Uint8Array | null;
}

export type ValueTest = (value: EventValue) => boolean;

/** Array membership: pairs of (array id, element index) for every enclosing array element. */
export type Membership = readonly (readonly [number, number])[];

export interface Field {
  readonly value: EventValue;
  readonly membership: Membership;
}

export function scaledOf(value: EventValue): number | null {
  if (value.scaled === undefined) {
    value.scaled = value.kind === 'number' ? toComparable(value.text) : null;
  }
  return value.scaled;
}

export function ipOf(value: EventValue): Uint8Array | null {
  if (value.ip === undefined) {
    value.ip = value.kind === 'string' ? parseIp(value.text) : null;
  }
  return value.ip;
}

// ---------------------------------------------------------------------------------------------
// Comparable numbers (event-ruler ComparableNumber: |x| <= 5e9, at most 6 decimal places)
// ---------------------------------------------------------------------------------------------

const MAX_DECIMALS = 6;
export const FIVE_BILLION_SCALED = 5_000_000_000_000_000n; // 5e9 * 1e6, below 2^53
const DECIMAL_RE = /^(-)?(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * Returns the number as an integer count of millionths, or null when event-ruler could not represent
 * it as a ComparableNumber (more than six decimal places, or outside -5e9..5e9).
 */
export function toComparable(text: string): number | null {
  const m = DECIMAL_RE.exec(text);
  if (!m) return null;
  const fraction = m[3] ?? '';
  let digits = (m[2] ?? '') + fraction;
  let exponent = Number(m[4] ?? '0') - fraction.length;
  digits = digits.replace(/^0+/, '');
  if (digits === '') return 0;
  const trimmed = digits.replace(/0+$/, '');
  exponent += digits.length - trimmed.length;
  digits = trimmed;
  if (exponent < -MAX_DECIMALS) return null;
  // Magnitude guard before building a BigInt: 5e15 has 16 digits.
  if (digits.length + exponent + MAX_DECIMALS > 16) return null;
  const scaled = BigInt(digits) * 10n ** BigInt(exponent + MAX_DECIMALS);
  if (scaled > FIVE_BILLION_SCALED) return null;
  return m[1] ? -Number(scaled) : Number(scaled);
}

export function numberText(n: number): string {
  return String(n);
}

// ---------------------------------------------------------------------------------------------
// IP addresses (event-ruler CIDR: IPv4 dotted quads and IPv6 literals)
// ---------------------------------------------------------------------------------------------

const IPV4_RE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6_RE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;

function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i] ?? '';
    if (part.length === 0 || part.length > 3 || (part.length > 1 && part.startsWith('0'))) return null;
    const n = Number(part);
    if (n > 255) return null;
    bytes[i] = n;
  }
  return bytes;
}

function parseIpv6(text: string): Uint8Array | null {
  const doubleColon = text.indexOf('::');
  if (doubleColon !== -1 && text.indexOf('::', doubleColon + 1) !== -1) return null;
  const parseGroups = (s: string): number[] | null => {
    if (s === '') return [];
    const groups: number[] = [];
    for (const g of s.split(':')) {
      if (g.length === 0 || g.length > 4) return null;
      groups.push(Number.parseInt(g, 16));
    }
    return groups;
  };
  let groups: number[];
  if (doubleColon === -1) {
    const all = parseGroups(text);
    if (all?.length !== 8) return null;
    groups = all;
  } else {
    const head = parseGroups(text.slice(0, doubleColon));
    const tail = parseGroups(text.slice(doubleColon + 2));
    if (!head || !tail || head.length + tail.length > 7) return null;
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  }
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  // Like java.net.InetAddress, an IPv4-mapped IPv6 address (::ffff:a.b.c.d) is an IPv4 address.
  if (bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return bytes.slice(12);
  }
  return bytes;
}

/** Parses an IPv4 or IPv6 literal into its 4 or 16 bytes, or returns null. */
export function parseIp(text: string): Uint8Array | null {
  if (IPV4_RE.test(text)) return parseIpv4(text);
  if (IPV6_RE.test(text)) return parseIpv6(text);
  return null;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export interface IpRange {
  readonly bottom: Uint8Array;
  readonly top: Uint8Array;
}

/** Parses `a.b.c.d/n` or `v6/n` into an inclusive address range; returns an error message on failure. */
export function parseCidr(text: string): IpRange | string {
  const parts = text.split('/');
  if (parts.length !== 2) return `malformed CIDR "${text}", exactly one '/' required`;
  const [address = '', maskText = ''] = parts;
  if (!/^[+-]?\d+$/.test(maskText)) return `malformed CIDR "${text}", mask bits must be an integer`;
  const mask = Number(maskText);
  if (mask < 0) return `malformed CIDR "${text}", mask bits must not be negative`;
  const ip = parseIp(address);
  if (!ip) return `invalid IP address "${address}" in CIDR "${text}"`;
  const totalBits = ip.length * 8;
  // event-ruler accepts /0../31 for IPv4 and /0../127 for IPv6.
  if (mask >= totalBits) return `${ip.length === 4 ? 'IPv4' : 'IPv6'} mask bits must be < ${totalBits}`;
  const bottom = new Uint8Array(ip.length);
  const top = new Uint8Array(ip.length);
  for (let i = 0; i < ip.length; i++) {
    const fixedBits = Math.max(0, Math.min(8, mask - i * 8));
    const hostMask = fixedBits === 8 ? 0 : 0xff >> fixedBits;
    const byte = ip[i] ?? 0;
    bottom[i] = byte & ~hostMask & 0xff;
    top[i] = byte | hostMask;
  }
  return { bottom, top };
}

export function ipInRange(value: EventValue, range: IpRange): boolean {
  const ip = ipOf(value);
  if (!ip || ip.length !== range.bottom.length) return false;
  return compareBytes(ip, range.bottom) >= 0 && compareBytes(ip, range.top) <= 0;
}
