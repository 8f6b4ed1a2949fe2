// NodeReadinessRule v1alpha1 (readiness.node.x-k8s.io), as NRC v0.5.0's CRD
// defines it.
import type { ConditionStatus, LabelSelector, ObjectMeta, Taint } from '../base/kube.ts';
import { asArray, asRecord, asString, metadataOf } from '../base/read.ts';
import { parseSelector, selectorsOverlap } from './selector.ts';

export const RULE_GROUP = 'readiness.node.x-k8s.io';
export const RULE_VERSION = 'v1alpha1';
export const RULE_API_VERSION = `${RULE_GROUP}/${RULE_VERSION}`;
export const RULE_KIND = 'NodeReadinessRule';
export const RULE_PLURAL = 'nodereadinessrules';
export const RULES_API_PATH = `/apis/${RULE_API_VERSION}/${RULE_PLURAL}`;

export type ConditionPolicy = 'allOf' | 'anyOf';
export type EnforcementMode = 'continuous' | 'bootstrap-only';

export interface ConditionRequirement {
  type: string;
  requiredStatus: ConditionStatus;
  defaultStatus?: ConditionStatus;
}

export interface NodeReadinessRuleSpec {
  conditions: ConditionRequirement[];
  /** Absent means allOf. */
  conditionPolicy?: ConditionPolicy;
  enforcementMode: EnforcementMode;
  taint: Taint;
  nodeSelector: LabelSelector;
  dryRun?: boolean;
}

export interface ConditionEvaluationResult {
  type: string;
  currentStatus: ConditionStatus;
  requiredStatus: ConditionStatus;
  defaultStatus?: ConditionStatus;
}

export interface NodeEvaluation {
  nodeName: string;
  conditionResults: ConditionEvaluationResult[];
  taintStatus: 'Present' | 'Absent';
  lastEvaluationTime: string;
}

export interface NodeFailure {
  nodeName: string;
  reason?: string;
  message?: string;
  lastEvaluationTime: string;
}

export interface DryRunResults {
  affectedNodes?: number;
  taintsToAdd?: number;
  taintsToRemove?: number;
  riskyOperations?: number;
  summary: string;
}

export interface NodeReadinessRuleStatus {
  observedGeneration?: number;
  appliedNodes?: string[];
  failedNodes?: NodeFailure[];
  nodeEvaluations?: NodeEvaluation[];
  dryRunResults?: DryRunResults;
}

export interface NodeReadinessRule {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec: NodeReadinessRuleSpec;
  status?: NodeReadinessRuleStatus;
}

/** NRC marks a bootstrap-only rule done for a node with this annotation. */
export const BOOTSTRAP_ANNOTATION_PREFIX = 'readiness.k8s.io/bootstrap-completed-';

/** The taint-key prefix NRC's CRD requires; any taint under it is a readiness taint. */
export const READINESS_TAINT_PREFIX = 'readiness.k8s.io/';

const STATUSES = ['True', 'False', 'Unknown'];
const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const oneOf = (field: string, value: unknown, allowed: string[]) =>
  allowed.includes(value as string) ? [] : [`${field} ${JSON.stringify(value ?? null)} is not one of ${allowed.join(', ')}`];

/**
 * What NRC refuses in a rule's spec, one phrase each: its CRD schema, and its
 * validating webhook's checks that need no other rule. A what-if must not
 * show verdicts for a rule that would be refused.
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
  else problems.push(...taintKeyProblems(key));
  const value = asString(taint['value']);
  if (value !== undefined && value.length > 63) problems.push('spec.taint.value is longer than 63 characters');
  problems.push(...oneOf('spec.taint.effect', taint['effect'], EFFECTS));
  if (spec['nodeSelector'] === undefined) problems.push('spec.nodeSelector is missing');
  else if (selectsEverything(spec['nodeSelector'])) problems.push('spec.nodeSelector must not be empty');
  if (spec['enforcementMode'] === 'bootstrap-only') {
    conditions.forEach((entry, index) => {
      if (asRecord(entry)['defaultStatus'] !== undefined)
        problems.push(`spec.conditions[${index}].defaultStatus should not be used with bootstrap-only enforcementMode`);
    });
    if (spec['conditionPolicy'] === 'anyOf')
      problems.push('spec.conditionPolicy anyOf is not supported with bootstrap-only enforcementMode');
  }
  return problems;
}

/** The CRD's checks on a readiness taint key's name part: one "/", 1-63 characters, alphanumeric at both ends. */
function taintKeyProblems(key: string): string[] {
  const parts = key.split('/');
  const name = parts[1] ?? '';
  if (key.length > 253) return [`spec.taint.key "${key}" is longer than 253 characters`];
  if (parts.length !== 2) return [`spec.taint.key "${key}" must have exactly one '/'`];
  if (name.length === 0 || name.length > 63) return [`spec.taint.key "${key}" must have a name part of 1-63 characters`];
  if (!/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(name))
    return [`spec.taint.key "${key}" name part must be alphanumerics, '-', '_' or '.', starting and ending alphanumeric`];
  return [];
}

function selectsEverything(selector: unknown): boolean {
  const parsed = parseSelector(selector);
  return parsed.ok && parsed.requirements.length === 0;
}

/**
 * Rules NRC's webhook refuses `rule` beside: another rule with the same taint
 * key and effect whose node selector overlaps, so both would manage one taint
 * on some node.
 */
export function ruleConflicts(rule: unknown, existing: unknown[]): string[] {
  const { name } = metadataOf(rule);
  const taint = asRecord(asRecord(asRecord(rule)['spec'])['taint']);
  const selector = asRecord(asRecord(rule)['spec'])['nodeSelector'];
  return existing.flatMap((other) => {
    const otherName = metadataOf(other).name;
    const otherSpec = asRecord(asRecord(other)['spec']);
    const otherTaint = asRecord(otherSpec['taint']);
    const sameTaint = otherTaint['key'] === taint['key'] && otherTaint['effect'] === taint['effect'];
    return otherName !== name && sameTaint && selectorsOverlap(selector, otherSpec['nodeSelector'])
      ? [
          `spec.taint.key conflicts with existing rule '${otherName}': same taint key '${String(taint['key'])}' and effect '${String(taint['effect'])}' with overlapping node selectors`,
        ]
      : [];
  });
}

/** A rule as the evaluation reads it: defaults applied as NRC applies them, whatever the input. */
export interface RuleView {
  name: string;
  uid: string;
  conditions: { type: string; requiredStatus: string; defaultStatus: string | null }[];
  policy: ConditionPolicy;
  mode: EnforcementMode;
  taint: { key: string; effect: string; value: string | null };
  nodeSelector: unknown;
  dryRun: boolean;
  /** Spec fields the CRD would have rejected; the rule is still evaluated as NRC would. */
  problems: string[];
}

export function readRule(rule: unknown): RuleView {
  const { name, uid } = metadataOf(rule);
  const spec = asRecord(asRecord(rule)['spec']);
  const conditions = asArray(spec['conditions']).flatMap((raw) => {
    const condition = asRecord(raw);
    const type = asString(condition['type']);
    if (!type) return [];
    return [
      { type, requiredStatus: asString(condition['requiredStatus']) ?? '', defaultStatus: asString(condition['defaultStatus']) ?? null },
    ];
  });
  const taint = asRecord(spec['taint']);
  return {
    name,
    uid,
    conditions,
    policy: spec['conditionPolicy'] === 'anyOf' ? 'anyOf' : 'allOf',
    mode: spec['enforcementMode'] === 'bootstrap-only' ? 'bootstrap-only' : 'continuous',
    taint: { key: asString(taint['key']) ?? '', effect: asString(taint['effect']) ?? '', value: asString(taint['value']) ?? null },
    nodeSelector: spec['nodeSelector'],
    dryRun: spec['dryRun'] === true,
    problems: ruleProblems(rule),
  };
}
