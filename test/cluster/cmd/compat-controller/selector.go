package main

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	"k8s.io/apimachinery/pkg/util/sets"
)

// selectorsOverlap: could one set of labels satisfy both selectors? Decided key by key
// as NRC's webhook decides it. A selector that does not parse is taken to overlap, so
// a conflict is never let through for want of understanding it.
func selectorsOverlap(first, second metav1.LabelSelector) bool {
	a, errA := metav1.LabelSelectorAsSelector(&first)
	b, errB := metav1.LabelSelectorAsSelector(&second)
	if errA != nil || errB != nil {
		return true
	}
	requirementsA, selectableA := a.Requirements()
	requirementsB, selectableB := b.Requirements()
	if !selectableA || !selectableB {
		return false
	}
	byKey := map[string][]labels.Requirement{}
	for _, requirement := range append(requirementsA, requirementsB...) {
		byKey[requirement.Key()] = append(byKey[requirement.Key()], requirement)
	}
	for _, requirements := range byKey {
		if !satisfiableTogether(requirements) {
			return false
		}
	}
	return true
}

// satisfiableTogether: some value (or absence) of one label key meets every requirement on it.
func satisfiableTogether(requirements []labels.Requirement) bool {
	var allowed sets.Set[string]
	forbidden := sets.New[string]()
	mustExist, mustNotExist := false, false
	for _, requirement := range requirements {
		values := requirement.ValuesUnsorted()
		switch requirement.Operator() {
		case selection.In, selection.Equals, selection.DoubleEquals:
			mustExist = true
			if allowed == nil {
				allowed = sets.New(values...)
			} else {
				allowed = allowed.Intersection(sets.New(values...))
			}
		case selection.NotIn, selection.NotEquals:
			forbidden.Insert(values...)
		case selection.Exists:
			mustExist = true
		case selection.DoesNotExist:
			mustNotExist = true
		default:
			// A LabelSelector cannot express Gt/Lt; NRC calls any other operator disjoint.
			return false
		}
	}
	if mustNotExist {
		return !mustExist
	}
	if allowed == nil {
		return true
	}
	return allowed.Difference(forbidden).Len() > 0
}
