// metav1.LabelSelector matching with apimachinery's semantics: matchLabels and
// matchExpressions are ANDed, an empty selector selects everything, and a
// malformed selector is an error (NRC then applies the rule to no node).
import { asArray, asRecord, asString } from '../base/read.ts';

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

/** One requirement of a selector string; `=`, `==` and `!=` are In and NotIn of one value. */
export type SelectorRequirement = { key: string; operator: Requirement['operator'] | 'Gt' | 'Lt'; values: string[] };

type TokenKind = 'end' | 'word' | 'in' | 'notin' | '!' | '=' | '==' | '!=' | '>' | '<' | '(' | ')' | ',';
type Token = { kind: TokenKind; text: string };

const SYMBOLS = new Set(['=', '!', '(', ')', ',', '>', '<']);
const WHITESPACE = new Set([' ', '\t', '\r', '\n']);
const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';
const INT64_MAX = BigInt('9223372036854775807');

class SelectorSyntaxError extends Error {}

/**
 * apimachinery's lexer reads a NUL byte as "no more input": where a token
 * would start it ends the selector, so the server ignores the rest; after a
 * word or symbol it only ends that token.
 */
function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  const skipNul = () => {
    if (input[at] === '\0') at++;
  };
  for (;;) {
    while (at < input.length && WHITESPACE.has(input[at]!)) at++;
    if (at >= input.length || input[at] === '\0') return [...tokens, { kind: 'end', text: '' }];
    if (SYMBOLS.has(input[at]!)) {
      const pair = input.slice(at, at + 2);
      const symbol = pair === '!=' || pair === '==' ? pair : input[at]!;
      tokens.push({ kind: symbol as TokenKind, text: symbol });
      at += symbol.length;
      skipNul();
      continue;
    }
    let end = at;
    while (end < input.length && !SYMBOLS.has(input[end]!) && !WHITESPACE.has(input[end]!) && input[end] !== '\0') end++;
    const word = input.slice(at, end);
    tokens.push({ kind: word === 'in' || word === 'notin' ? word : 'word', text: word });
    at = end;
    skipNul();
  }
}

class Tokens {
  private at = 0;
  private readonly tokens: Token[];
  constructor(tokens: Token[]) {
    this.tokens = tokens;
  }

  /** Only where an operator may stand are "in" and "notin" keywords: `in in (in)` is a valid selector. */
  peek(operatorPosition = false): Token {
    const token = this.tokens[this.at]!;
    return !operatorPosition && (token.kind === 'in' || token.kind === 'notin') ? { kind: 'word', text: token.text } : token;
  }

  next(operatorPosition = false): Token {
    const token = this.peek(operatorPosition);
    if (token.kind !== 'end') this.at++;
    return token;
  }
}

const syntaxError = (message: string) => new SelectorSyntaxError(message);
const startsRequirement = (token: Token) => token.kind === 'word' || token.kind === '!';

/** strconv.ParseInt(value, 10, 64), which Gt and Lt ask of their value. */
function isInt64(value: string): boolean {
  if (!/^[+-]?[0-9]+$/.test(value)) return false;
  const number = BigInt(value);
  return number <= INT64_MAX && number >= -INT64_MAX - BigInt(1);
}

/** The values of `in (...)`: an empty slot, as in `(a,,b)`, `(,a)` or `()`, is the empty value. */
function parseValueSet(tokens: Tokens): string[] {
  const open = tokens.next();
  if (open.kind !== '(') throw syntaxError(`found '${open.text}' expected: '('`);
  const first = tokens.peek();
  if (first.kind === ')') {
    tokens.next();
    return [''];
  }
  if (first.kind !== 'word' && first.kind !== ',') throw syntaxError(`found '${first.text}', expected: ',', ')' or identifier`);
  const values = new Set<string>();
  for (;;) {
    const token = tokens.next();
    if (token.kind === 'word') {
      values.add(token.text);
      const after = tokens.peek();
      if (after.kind === ')') break;
      if (after.kind !== ',') throw syntaxError(`found '${after.text}', expected: ',' or ')'`);
    } else if (token.kind === ',') {
      if (values.size === 0) values.add('');
      const after = tokens.peek().kind;
      if (after === ')' || after === ',') values.add('');
      if (after === ')') break;
    } else throw syntaxError(`found '${token.text}', expected: ',', or identifier`);
  }
  tokens.next();
  return [...values].sort();
}

/** The one value after `=`, `==`, `!=`, `>` or `<`; nothing before `,` or the end is the empty value. */
function parseExactValue(tokens: Tokens): string {
  const following = tokens.peek().kind;
  if (following === 'end' || following === ',') return '';
  const value = tokens.next();
  if (value.kind !== 'word') throw syntaxError(`found '${value.text}', expected: identifier`);
  return value.text;
}

function parseOperation(tokens: Tokens): Pick<SelectorRequirement, 'operator' | 'values'> {
  const operator = tokens.next(true);
  switch (operator.kind) {
    case 'in':
      return { operator: 'In', values: parseValueSet(tokens) };
    case 'notin':
      return { operator: 'NotIn', values: parseValueSet(tokens) };
    case '=':
    case '==':
      return { operator: 'In', values: [parseExactValue(tokens)] };
    case '!=':
      return { operator: 'NotIn', values: [parseExactValue(tokens)] };
    case '>':
    case '<': {
      const value = parseExactValue(tokens);
      if (!isInt64(value)) throw syntaxError(`invalid value "${value}": for 'Gt', 'Lt' operators, the value must be an integer`);
      return { operator: operator.kind === '>' ? 'Gt' : 'Lt', values: [value] };
    }
    default:
      throw syntaxError(`found '${operator.text}', expected: ${BINARY_OPERATORS}`);
  }
}

/** `[!]KEY`, then an operator and its values unless the requirement ends there (KEY alone is Exists). */
function parseRequirement(tokens: Tokens): SelectorRequirement {
  const negated = tokens.peek().kind === '!';
  if (negated) tokens.next();
  const key = tokens.next();
  if (key.kind !== 'word') throw syntaxError(`found '${key.text}', expected: identifier`);
  const keyError = labelKeyError(key.text);
  if (keyError) throw syntaxError(keyError);
  if (negated) return { key: key.text, operator: 'DoesNotExist', values: [] };
  const following = tokens.peek().kind;
  if (following === 'end' || following === ',') return { key: key.text, operator: 'Exists', values: [] };
  const operation = parseOperation(tokens);
  const valueError = operation.values.map(labelValueError).find(Boolean);
  if (valueError) throw syntaxError(valueError);
  return { key: key.text, ...operation };
}

function parseRequirements(tokens: Tokens): SelectorRequirement[] {
  const requirements: SelectorRequirement[] = [];
  const first = tokens.peek();
  if (first.kind === 'end') return requirements;
  if (!startsRequirement(first)) throw syntaxError(`found '${first.text}', expected: !, identifier, or 'end of string'`);
  for (;;) {
    try {
      requirements.push(parseRequirement(tokens));
    } catch (error) {
      throw syntaxError(`unable to parse requirement: ${(error as Error).message}`);
    }
    const after = tokens.next();
    if (after.kind === 'end') return requirements;
    if (after.kind !== ',') throw syntaxError(`found '${after.text}', expected: ',' or 'end of string'`);
    const following = tokens.peek();
    if (!startsRequirement(following)) throw syntaxError(`found '${following.text}', expected: identifier after ','`);
  }
}

/**
 * A label selector string as kubectl's -l and the apiserver's labelSelector
 * parameter take it (apimachinery's labels.Parse): `a=b`, `a==b`, `a!=b`,
 * `a in (b,c)`, `a notin (b)`, `a` (exists), `!a`, `a>1`, `a<1`, joined by
 * commas. The errors carry the server's wording, so a bad selector reads the
 * same whether we or the apiserver refuse it.
 */
export function parseSelectorString(text: string): { ok: true; requirements: SelectorRequirement[] } | { ok: false; error: string } {
  try {
    return { ok: true, requirements: parseRequirements(new Tokens(tokenize(text))) };
  } catch (error) {
    if (error instanceof SelectorSyntaxError) return { ok: false, error: error.message };
    throw error;
  }
}
