// NodeReadinessRule v1alpha1 (readiness.node.x-k8s.io), as NRC v0.5.0's CRD
// defines it.
import type { ConditionStatus, LabelSelector, ObjectMeta, Taint } from './kube.ts';

export const RULE_GROUP = 'readiness.node.x-k8s.io';
export const RULE_VERSION = 'v1alpha1';
export const RULE_API_VERSION = `${RULE_GROUP}/${RULE_VERSION}`;
export const RULE_KIND = 'NodeReadinessRule';
export const RULE_PLURAL = 'nodereadinessrules';

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
