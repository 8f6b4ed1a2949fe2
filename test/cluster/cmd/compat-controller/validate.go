package main

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// The checks NRC's validating webhook makes beyond what its CRD's schema and CEL rules
// already refuse. Each refusal names its field as NRC's does, since tools (ours
// included) match on the field path.

func validateRule(candidate *rule, existing []*rule, isUpdate bool) field.ErrorList {
	errs := validateSpec(candidate.Spec, isUpdate)
	return append(errs, taintConflicts(candidate, existing, isUpdate)...)
}

func validateSpec(spec ruleSpec, isUpdate bool) field.ErrorList {
	var errs field.ErrorList
	selectorPath := field.NewPath("spec", "nodeSelector")
	selector, err := metav1.LabelSelectorAsSelector(&spec.NodeSelector)
	if err != nil {
		errs = append(errs, field.Invalid(selectorPath, spec.NodeSelector, err.Error()))
	} else if selector.Empty() {
		errs = append(errs, field.Required(selectorPath, "nodeSelector must not be empty"))
	}
	// enforcementMode, conditions and conditionPolicy are immutable (CEL), so NRC checks
	// their combination only when the rule is created.
	if isUpdate || !spec.bootstrapOnly() {
		return errs
	}
	for index, condition := range spec.Conditions {
		if condition.DefaultStatus != "" {
			errs = append(errs, field.Forbidden(
				field.NewPath("spec", "conditions").Index(index).Child("defaultStatus"),
				"defaultStatus should not be used with bootstrap-only enforcementMode"))
		}
	}
	if spec.anyOf() {
		errs = append(errs, field.Forbidden(field.NewPath("spec", "conditionPolicy"),
			"anyOf is not supported with bootstrap-only enforcementMode"))
	}
	return errs
}

// taintConflicts refuses a rule whose taint (key and effect) another rule already
// manages on nodes both could select: the two would fight over it.
func taintConflicts(candidate *rule, existing []*rule, isUpdate bool) field.ErrorList {
	var errs field.ErrorList
	keyPath := field.NewPath("spec", "taint", "key")
	for _, other := range existing {
		if isUpdate && other.Name == candidate.Name {
			continue
		}
		if !sameTaint(other.Spec.Taint, candidate.Spec.Taint) || !selectorsOverlap(candidate.Spec.NodeSelector, other.Spec.NodeSelector) {
			continue
		}
		errs = append(errs, field.Invalid(keyPath, candidate.Spec.Taint.Key, fmt.Sprintf(
			"conflicts with existing rule '%s' - same taint key '%s' and effect '%s' with overlapping node selectors",
			other.Name, candidate.Spec.Taint.Key, candidate.Spec.Taint.Effect)))
	}
	return errs
}

// createWarnings: NRC accepts a NoExecute taint but warns, since it evicts pods.
func createWarnings(spec ruleSpec) []string {
	if spec.Taint.Effect != corev1.TaintEffectNoExecute {
		return nil
	}
	if spec.EnforcementMode == modeContinuous {
		return []string{"CAUTION: NoExecute with continuous mode evicts pods when conditions fail, risking workload disruption. Consider NoSchedule or bootstrap-only"}
	}
	return []string{"NOTE: NoExecute will evict existing pods without tolerations. Ensure critical system pods have appropriate tolerations"}
}
