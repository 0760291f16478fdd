/**
 * Event flattening and array-consistent matching of compiled sub-rules: two fields coming from
 * different elements of the same array never combine.
 *
 * @module
 */

import type { SubRule } from './compile.ts';
import { type EventValue, type Field, type Membership, numberText } from './values.ts';

/** Every path, and every dotted prefix of a path, that a compiled pattern looks at. */
export function usedPaths(subRules: readonly SubRule[]): Set<string> {
  const used = new Set<string>();
  for (const rule of subRules) {
    for (const { path } of rule) {
      used.add(path);
      for (let i = path.indexOf('.'); i !== -1; i = path.indexOf('.', i + 1)) used.add(path.slice(0, i));
    }
  }
  return used;
}

function leafValue(v: unknown): EventValue | null {
  switch (typeof v) {
    case 'string':
      return { kind: 'string', text: v };
    case 'number':
      return { kind: 'number', text: numberText(v) };
    case 'bigint':
      return { kind: 'number', text: v.toString() };
    case 'boolean':
      return { kind: 'literal', text: String(v) };
    default:
      return v === null ? { kind: 'literal', text: 'null' } : null;
  }
}

/** Flattens an event into fields keyed by dotted path, keeping only paths the pattern uses. */
export function flattenEvent(event: Record<string, unknown>, used: Set<string>): Map<string, Field[]> {
  const fields = new Map<string, Field[]>();
  let arrayCount = 0;

  const add = (path: string, value: EventValue, membership: Membership): void => {
    const list = fields.get(path);
    if (list) list.push({ value, membership });
    else fields.set(path, [{ value, membership }]);
  };

  const visit = (v: unknown, path: string, membership: Membership): void => {
    if (Array.isArray(v)) {
      const arrayId = arrayCount++;
      v.forEach((element, index) => {
        if (typeof element === 'object' && element !== null) {
          visit(element, path, [...membership, [arrayId, index]]);
        } else {
          const leaf = leafValue(element);
          if (leaf) add(path, leaf, membership);
        }
      });
    } else if (typeof v === 'object' && v !== null) {
      for (const [key, child] of Object.entries(v)) {
        const childPath = path === '' ? key : `${path}.${key}`;
        if (used.has(childPath)) visit(child, childPath, membership);
      }
    } else {
      const leaf = leafValue(v);
      if (leaf) add(path, leaf, membership);
    }
  };

  visit(event, '', []);
  return fields;
}

/** Merges two memberships, or returns null when they disagree on an element of the same array. */
function mergeMembership(a: Membership, b: Membership): Membership | null {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  let merged: (readonly [number, number])[] | null = null;
  for (const pair of b) {
    const existing = a.find(([id]) => id === pair[0]);
    if (existing) {
      if (existing[1] !== pair[1]) return null;
    } else {
      merged ??= [...a];
      merged.push(pair);
    }
  }
  return merged ?? a;
}

export function matchFrom(
  rule: SubRule,
  index: number,
  fields: Map<string, Field[]>,
  membership: Membership,
): boolean {
  const key = rule[index];
  if (!key) return true;
  const candidates = fields.get(key.path) ?? [];
  if (key.leaf.absence) {
    const present = candidates.some((f) => mergeMembership(membership, f.membership) !== null);
    if (!present && matchFrom(rule, index + 1, fields, membership)) return true;
  }
  if (key.leaf.tests.length === 0) return false;
  for (const field of candidates) {
    const merged = mergeMembership(membership, field.membership);
    if (merged === null) continue;
    if (!key.leaf.tests.some((test) => test(field.value))) continue;
    if (matchFrom(rule, index + 1, fields, merged)) return true;
  }
  return false;
}
