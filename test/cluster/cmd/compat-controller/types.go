package main

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// NodeReadinessRule as NRC's v0.5 CRD defines it (readiness.node.x-k8s.io/v1alpha1),
// written from the CRD's schema: only the fields this controller reads or writes.

var ruleResource = schema.GroupVersionResource{Group: "readiness.node.x-k8s.io", Version: "v1alpha1", Resource: "nodereadinessrules"}

const (
	policyAllOf = "allOf"
	policyAnyOf = "anyOf"

	modeBootstrapOnly = "bootstrap-only"
	modeContinuous    = "continuous"

	taintPresent = "Present"
	taintAbsent  = "Absent"

	// finalizerName is NRC's: a rule keeps it until its taints are off the nodes it managed.
	finalizerName = "readiness.node.x-k8s.io/cleanup-taints"
	// bootstrapAnnotationPrefix + rule UID marks a node done with a bootstrap-only rule;
	// NRC also honours the older prefix + rule name form.
	bootstrapAnnotationPrefix = "readiness.k8s.io/bootstrap-completed-"
)

type rule struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              ruleSpec   `json:"spec"`
	Status            ruleStatus `json:"status,omitempty"`
}

type ruleSpec struct {
	Conditions      []conditionRequirement `json:"conditions"`
	ConditionPolicy string                 `json:"conditionPolicy,omitempty"`
	EnforcementMode string                 `json:"enforcementMode,omitempty"`
	Taint           corev1.Taint           `json:"taint"`
	NodeSelector    metav1.LabelSelector   `json:"nodeSelector"`
	DryRun          bool                   `json:"dryRun,omitempty"`
}

type conditionRequirement struct {
	Type           string                 `json:"type"`
	RequiredStatus corev1.ConditionStatus `json:"requiredStatus"`
	DefaultStatus  corev1.ConditionStatus `json:"defaultStatus,omitempty"`
}

// effectiveDefault is what a missing condition counts as: defaultStatus, else Unknown, as NRC applies it.
func (c conditionRequirement) effectiveDefault() corev1.ConditionStatus {
	if c.DefaultStatus == "" {
		return corev1.ConditionUnknown
	}
	return c.DefaultStatus
}

func (s ruleSpec) anyOf() bool { return s.ConditionPolicy == policyAnyOf }

func (s ruleSpec) bootstrapOnly() bool { return s.EnforcementMode == modeBootstrapOnly }

type ruleStatus struct {
	ObservedGeneration int64            `json:"observedGeneration,omitempty"`
	AppliedNodes       []string         `json:"appliedNodes,omitempty"`
	FailedNodes        []nodeFailure    `json:"failedNodes,omitempty"`
	NodeEvaluations    []nodeEvaluation `json:"nodeEvaluations,omitempty"`
	DryRunResults      *dryRunResults   `json:"dryRunResults,omitempty"`
}

type nodeFailure struct {
	NodeName           string      `json:"nodeName"`
	Reason             string      `json:"reason,omitempty"`
	Message            string      `json:"message,omitempty"`
	LastEvaluationTime metav1.Time `json:"lastEvaluationTime"`
}

type nodeEvaluation struct {
	NodeName           string            `json:"nodeName"`
	ConditionResults   []conditionResult `json:"conditionResults"`
	TaintStatus        string            `json:"taintStatus"`
	LastEvaluationTime metav1.Time       `json:"lastEvaluationTime"`
}

type conditionResult struct {
	Type           string                 `json:"type"`
	CurrentStatus  corev1.ConditionStatus `json:"currentStatus"`
	RequiredStatus corev1.ConditionStatus `json:"requiredStatus"`
	DefaultStatus  corev1.ConditionStatus `json:"defaultStatus,omitempty"`
}

type dryRunResults struct {
	AffectedNodes   *int32 `json:"affectedNodes,omitempty"`
	TaintsToAdd     *int32 `json:"taintsToAdd,omitempty"`
	TaintsToRemove  *int32 `json:"taintsToRemove,omitempty"`
	RiskyOperations *int32 `json:"riskyOperations,omitempty"`
	Summary         string `json:"summary"`
}
