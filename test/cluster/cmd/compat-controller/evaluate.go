package main

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// verdict is what one rule makes of one node, before anything is written.
type verdict struct {
	selected bool
	// completed: a bootstrap-only rule this node already passed; the rule no longer gates it.
	completed    bool
	met          bool
	taintPresent bool
	results      []conditionResult
	unmet        []string
	missing      int
}

// decision is what the controller does to a node for one rule.
type decision struct {
	addTaint          bool
	removeTaint       bool
	adopt             bool
	completeBootstrap bool
}

func (d decision) changesTaint() bool { return d.addTaint || d.removeTaint }

// selects is false for an invalid selector: NRC applies such a rule to no node.
func selects(spec ruleSpec, node *corev1.Node) bool {
	selector, err := metav1.LabelSelectorAsSelector(&spec.NodeSelector)
	return err == nil && selector.Matches(labels.Set(node.Labels))
}

func hasTaint(node *corev1.Node, taint corev1.Taint) bool {
	for _, candidate := range node.Spec.Taints {
		if sameTaint(candidate, taint) {
			return true
		}
	}
	return false
}

// sameTaint compares as NRC does: key and effect, whatever the value.
func sameTaint(a, b corev1.Taint) bool { return a.Key == b.Key && a.Effect == b.Effect }

func bootstrapCompleted(r *rule, node *corev1.Node) bool {
	if !r.Spec.bootstrapOnly() {
		return false
	}
	_, byUID := node.Annotations[bootstrapAnnotationPrefix+string(r.UID)]
	_, byName := node.Annotations[bootstrapAnnotationPrefix+r.Name]
	return byUID || byName
}

func observedStatus(node *corev1.Node, conditionType string) (corev1.ConditionStatus, bool) {
	for _, condition := range node.Status.Conditions {
		if string(condition.Type) == conditionType {
			return condition.Status, true
		}
	}
	return "", false
}

func evaluate(r *rule, node *corev1.Node) verdict {
	v := verdict{
		selected:     selects(r.Spec, node),
		completed:    bootstrapCompleted(r, node),
		taintPresent: hasTaint(node, r.Spec.Taint),
	}
	satisfiedCount := 0
	for _, requirement := range r.Spec.Conditions {
		status, found := observedStatus(node, requirement.Type)
		effective := status
		if !found {
			v.missing++
			effective = requirement.effectiveDefault()
			// NRC reports a missing condition's current status as Unknown, whatever the default.
			status = corev1.ConditionUnknown
		}
		if effective == requirement.RequiredStatus {
			satisfiedCount++
		} else {
			v.unmet = append(v.unmet, requirement.Type)
		}
		v.results = append(v.results, conditionResult{
			Type:           requirement.Type,
			CurrentStatus:  status,
			RequiredStatus: requirement.RequiredStatus,
			DefaultStatus:  requirement.effectiveDefault(),
		})
	}
	if r.Spec.anyOf() {
		v.met = satisfiedCount > 0
	} else {
		v.met = satisfiedCount == len(r.Spec.Conditions)
	}
	return v
}

// decide is NRC's taint switch for a gating rule. firstEvaluation: the rule has no
// evaluation of this node yet, so a taint already there is adopted rather than added.
func decide(spec ruleSpec, v verdict, firstEvaluation bool) decision {
	switch {
	case v.met && v.taintPresent:
		return decision{removeTaint: true, completeBootstrap: spec.bootstrapOnly()}
	case !v.met && !v.taintPresent:
		return decision{addTaint: true}
	case !v.met && v.taintPresent:
		return decision{adopt: firstEvaluation}
	default:
		return decision{completeBootstrap: spec.bootstrapOnly()}
	}
}

// gates: the rule manages this node's taint now.
func (v verdict) gates() bool { return v.selected && !v.completed }

// taintStatusAfter is the taint status once the decision is carried out.
func taintStatusAfter(v verdict, d decision) string {
	present := (v.taintPresent || d.addTaint) && !d.removeTaint
	if present {
		return taintPresent
	}
	return taintAbsent
}

// dryRunOf previews a dry-run rule over the verdicts of every node, as NRC's status reports it.
func dryRunOf(verdicts []verdict) *dryRunResults {
	var affected, toAdd, toRemove, risky int32
	for _, v := range verdicts {
		if !v.selected {
			continue
		}
		affected++
		switch {
		case v.met && v.taintPresent:
			toRemove++
		case !v.met && !v.taintPresent:
			toAdd++
		}
		if v.missing > 0 {
			risky++
		}
	}
	return &dryRunResults{
		AffectedNodes:   &affected,
		TaintsToAdd:     &toAdd,
		TaintsToRemove:  &toRemove,
		RiskyOperations: &risky,
		Summary:         dryRunSummary(toAdd, toRemove, risky),
	}
}

func dryRunSummary(toAdd, toRemove, risky int32) string {
	var parts []string
	if toAdd > 0 {
		parts = append(parts, fmt.Sprintf("would add %d taints", toAdd))
	}
	if toRemove > 0 {
		parts = append(parts, fmt.Sprintf("would remove %d taints", toRemove))
	}
	if risky > 0 {
		parts = append(parts, fmt.Sprintf("%d nodes have missing conditions", risky))
	}
	if len(parts) == 0 {
		return "No changes needed"
	}
	return strings.Join(parts, ", ")
}

// blockedConditions are the conditions this node waits on for the rule, counted as
// node_readiness_blocked_nodes counts them: only while the rule holds the node (its
// taint on, the rule not met). A node whose anyOf rule is met is not blocked, even
// with some of its conditions unmet: NRC's own metric counts it, ours does not.
func blockedConditions(v verdict) []string {
	if !v.gates() || !v.taintPresent || v.met {
		return nil
	}
	return v.unmet
}
