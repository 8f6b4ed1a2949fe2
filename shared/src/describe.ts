// Texts both adapters show about one node or a pasted rule file: the what-if
// parse, a verdict's taint line and the controller's taint events.
import { parseAllDocuments } from 'yaml';
import { formatAge, type RuleVerdict } from './evaluate.ts';
import { asArray, asRecord, asString, metadataOf } from './read.ts';
import { READINESS_TAINT_PREFIX, RULE_KIND } from './rule.ts';

/** Rules from YAML or JSON text (documents or a List); an error names the first problem in one line. */
export function parseRuleDocuments(text: string): { ok: true; rules: unknown[] } | { ok: false; error: string } {
  const rules: unknown[] = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) return { ok: false, error: `invalid YAML: ${document.errors[0]!.message.split('\n')[0]}` };
    const object = document.toJSON() as { items?: unknown[] } | null;
    if (object === null) continue;
    for (const candidate of Array.isArray(object.items) ? object.items : [object]) {
      const kind = asRecord(candidate)['kind'];
      if (kind !== RULE_KIND) return { ok: false, error: `expected kind ${RULE_KIND}, found ${JSON.stringify(kind ?? null)}` };
      const problems = ruleProblems(candidate);
      if (problems.length > 0) {
        const name = metadataOf(candidate).name || '(unnamed)';
        return { ok: false, error: `${RULE_KIND} ${name} would be rejected by NRC's CRD: ${problems.join('; ')}` };
      }
      rules.push(candidate);
    }
  }
  if (rules.length === 0) return { ok: false, error: `no ${RULE_KIND} found` };
  return { ok: true, rules };
}

const STATUSES = ['True', 'False', 'Unknown'];
const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const oneOf = (field: string, value: unknown, allowed: string[]) =>
  allowed.includes(value as string) ? [] : [`${field} ${JSON.stringify(value ?? null)} is not one of ${allowed.join(', ')}`];

/**
 * What NRC v0.5.0's CRD schema rejects in a rule's spec, one phrase each. A
 * what-if must not show verdicts for a rule the apiserver would refuse.
 */
export function ruleProblems(rule: unknown): string[] {
  const spec = asRecord(asRecord(rule)['spec']);
  const conditions = asArray(spec['conditions']);
  const problems: string[] = [];
  if (conditions.length < 1 || conditions.length > 32) problems.push(`spec.conditions has ${conditions.length} entries, not 1 to 32`);
  conditions.forEach((entry, index) => {
    const condition = asRecord(entry);
    if (!asString(condition['type'])) problems.push(`spec.conditions[${index}].type is empty`);
    problems.push(...oneOf(`spec.conditions[${index}].requiredStatus`, condition['requiredStatus'], STATUSES));
    if (condition['defaultStatus'] !== undefined)
      problems.push(...oneOf(`spec.conditions[${index}].defaultStatus`, condition['defaultStatus'], STATUSES));
  });
  if (spec['conditionPolicy'] !== undefined) problems.push(...oneOf('spec.conditionPolicy', spec['conditionPolicy'], ['allOf', 'anyOf']));
  problems.push(...oneOf('spec.enforcementMode', spec['enforcementMode'], ['bootstrap-only', 'continuous']));
  const taint = asRecord(spec['taint']);
  const key = asString(taint['key']) ?? '';
  if (!key.startsWith(READINESS_TAINT_PREFIX)) problems.push(`spec.taint.key "${key}" does not start with ${READINESS_TAINT_PREFIX}`);
  problems.push(...oneOf('spec.taint.effect', taint['effect'], EFFECTS));
  if (spec['nodeSelector'] === undefined) problems.push('spec.nodeSelector is missing');
  return problems;
}

/** "present, expected; value "x" differs ..." for a verdict's readiness taint. */
export function describeTaint(verdict: RuleVerdict): string {
  const presence = verdict.taint.present ? 'present' : 'absent';
  const expectation = verdict.state === 'bootstrap-complete' ? 'no longer managed' : verdict.taint.expected ? 'expected' : 'not expected';
  const mismatch =
    verdict.taint.valueMismatch !== null
      ? `; value "${verdict.taint.valueMismatch}" differs from the rule's "${verdict.taint.value ?? ''}"`
      : '';
  const others =
    verdict.taint.otherEffects.length > 0 ? `; same key with effect ${verdict.taint.otherEffects.join(', ')} does not count` : '';
  return `${presence}, ${expectation}${mismatch}${others}`;
}

export interface ReadinessEvent {
  type: string;
  reason: string;
  /** Seconds since the event last happened; null when it carries no time. */
  ageSeconds: number | null;
  message: string;
}

const TAINT_EVENT_REASONS = new Set(['TaintAdded', 'TaintRemoved', 'TaintAdopted']);

/** NRC's taint events among a node's events, newest first. */
export function readinessEvents(events: unknown[], now = Date.now()): ReadinessEvent[] {
  return events
    .map(asRecord)
    .filter((event) => TAINT_EVENT_REASONS.has(asString(event['reason']) ?? ''))
    .map((event) => {
      const when = Date.parse(asString(event['lastTimestamp']) ?? asString(event['eventTime']) ?? '');
      return {
        type: asString(event['type']) ?? '',
        reason: asString(event['reason']) ?? '',
        ageSeconds: Number.isNaN(when) ? null : Math.max(0, Math.round((now - when) / 1000)),
        message: asString(event['message']) ?? '',
      };
    })
    .sort((a, b) => (a.ageSeconds ?? Infinity) - (b.ageSeconds ?? Infinity));
}

export function formatEventAge(event: ReadinessEvent): string {
  return event.ageSeconds === null ? '' : formatAge(event.ageSeconds);
}
