// metav1.LabelSelector matching with apimachinery's semantics: matchLabels and
// matchExpressions are ANDed, an empty selector selects everything, and a
// malformed selector is an error (NRC then applies the rule to no node).
import { asArray, asRecord, asString } from '../read.ts';

export type SelectorMatch = { ok: true; matches: boolean } | { ok: false; error: string };

const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function labelKeyError(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return `invalid label key "${key}": at most one "/"`;
  const name = parts.length === 2 ? parts[1]! : parts[0]!;
  if (parts.length === 2) {
    const prefix = parts[0]!;
    if (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)) {
      return `invalid label key "${key}": prefix must be a DNS subdomain`;
    }
  }
  if (name.length === 0 || name.length > 63 || !NAME.test(name)) {
    return `invalid label key "${key}": name must be 1-63 alphanumerics, '-', '_' or '.'`;
  }
  return undefined;
}

function labelValueError(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63 || !NAME.test(value)) return `invalid label value "${value}"`;
  return undefined;
}

type Requirement = { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values: string[] };

/** Parses a selector into requirements, or the first reason apimachinery would reject it. */
export function parseSelector(selector: unknown): { ok: true; requirements: Requirement[] } | { ok: false; error: string } {
  const raw = asRecord(selector);
  const requirements: Requirement[] = [];
  const matchLabels = raw['matchLabels'];
  if (matchLabels !== undefined && matchLabels !== null) {
    if (typeof matchLabels !== 'object' || Array.isArray(matchLabels)) return { ok: false, error: 'matchLabels must be a map' };
    for (const [key, value] of Object.entries(matchLabels)) {
      if (typeof value !== 'string') return { ok: false, error: `matchLabels["${key}"] must be a string` };
      const error = labelKeyError(key) ?? labelValueError(value);
      if (error) return { ok: false, error };
      requirements.push({ key, operator: 'In', values: [value] });
    }
  }
  const matchExpressions = raw['matchExpressions'];
  if (matchExpressions !== undefined && matchExpressions !== null && !Array.isArray(matchExpressions)) {
    return { ok: false, error: 'matchExpressions must be a list' };
  }
  for (const entry of asArray(matchExpressions)) {
    const expression = asRecord(entry);
    const key = asString(expression['key']);
    const operator = asString(expression['operator']);
    if (key === undefined) return { ok: false, error: 'matchExpressions entry without a key' };
    const keyError = labelKeyError(key);
    if (keyError) return { ok: false, error: keyError };
    const rawValues = expression['values'];
    const values = asArray(rawValues);
    if (values.some((value) => typeof value !== 'string')) {
      return { ok: false, error: `matchExpressions "${key}": values must be strings` };
    }
    const strings = values as string[];
    switch (operator) {
      case 'In':
      case 'NotIn':
        if (strings.length === 0) return { ok: false, error: `matchExpressions "${key}": operator ${operator} needs at least one value` };
        for (const value of strings) {
          const error = labelValueError(value);
          if (error) return { ok: false, error };
        }
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (strings.length > 0) return { ok: false, error: `matchExpressions "${key}": operator ${operator} takes no values` };
        break;
      default:
        return { ok: false, error: `matchExpressions "${key}": "${String(operator)}" is not a valid label selector operator` };
    }
    requirements.push({ key, operator, values: strings });
  }
  return { ok: true, requirements };
}

function requirementMatches(requirement: Requirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, requirement.key);
  switch (requirement.operator) {
    case 'In':
      return has && requirement.values.includes(labels[requirement.key]!);
    case 'NotIn':
      return !has || !requirement.values.includes(labels[requirement.key]!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
  }
}

export function matchSelector(selector: unknown, labels: Record<string, string>): SelectorMatch {
  const parsed = parseSelector(selector);
  if (!parsed.ok) return parsed;
  return { ok: true, matches: parsed.requirements.every((requirement) => requirementMatches(requirement, labels)) };
}

/**
 * Whether some set of labels satisfies both selectors, as NRC's webhook
 * decides it before accepting a second rule with the same taint: key by key,
 * the values every In allows, less those a NotIn forbids, and Exists against
 * DoesNotExist. A selector that does not parse is taken to overlap, as NRC
 * takes it.
 */
export function selectorsOverlap(first: unknown, second: unknown): boolean {
  const a = parseSelector(first);
  const b = parseSelector(second);
  if (!a.ok || !b.ok) return true;
  const byKey = new Map<string, Requirement[]>();
  for (const requirement of [...a.requirements, ...b.requirements])
    byKey.set(requirement.key, [...(byKey.get(requirement.key) ?? []), requirement]);
  return [...byKey.values()].every(satisfiableTogether);
}

function satisfiableTogether(requirements: Requirement[]): boolean {
  const present = requirements.some(({ operator }) => operator === 'In' || operator === 'Exists');
  if (requirements.some(({ operator }) => operator === 'DoesNotExist')) return !present;
  const forbidden = new Set(requirements.flatMap(({ operator, values }) => (operator === 'NotIn' ? values : [])));
  const allowedSets = requirements.filter(({ operator }) => operator === 'In').map(({ values }) => new Set(values));
  if (allowedSets.length === 0) return true;
  const [firstSet, ...others] = allowedSets;
  return [...firstSet!].some((value) => !forbidden.has(value) && others.every((set) => set.has(value)));
}
