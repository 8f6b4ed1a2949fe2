// Texts both adapters show about one node or a pasted rule file: the what-if
// parse, a verdict's taint line and the controller's taint events.
import { parseAllDocuments } from 'yaml';
import { formatAge, type RuleVerdict } from './evaluate.ts';
import { asRecord, asString, metadataOf } from '../base/read.ts';
import { RULE_KIND, ruleConflicts, ruleProblems } from '../nrc/rule.ts';

/**
 * Rules from YAML or JSON text (documents or a List); an error names the first
 * problem in one line. Given the cluster's rules, a rule is also checked
 * against them and against the file's earlier rules, as NRC's webhook checks
 * each rule applied after them.
 */
export function parseRuleDocuments(text: string, existing: unknown[] = []): { ok: true; rules: unknown[] } | { ok: false; error: string } {
  const rules: unknown[] = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) return { ok: false, error: `invalid YAML: ${document.errors[0]!.message.split('\n')[0]}` };
    const object = document.toJSON() as { items?: unknown[] } | null;
    if (object === null) continue;
    for (const candidate of Array.isArray(object.items) ? object.items : [object]) {
      const kind = asRecord(candidate)['kind'];
      if (kind !== RULE_KIND) return { ok: false, error: `expected kind ${RULE_KIND}, found ${JSON.stringify(kind ?? null)}` };
      const problems = [...ruleProblems(candidate), ...ruleConflicts(candidate, [...existing, ...rules])];
      if (problems.length > 0) {
        const name = metadataOf(candidate).name || '(unnamed)';
        return { ok: false, error: `${RULE_KIND} ${name} would be rejected by NRC: ${problems.join('; ')}` };
      }
      rules.push(candidate);
    }
  }
  if (rules.length === 0) return { ok: false, error: `no ${RULE_KIND} found` };
  return { ok: true, rules };
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
