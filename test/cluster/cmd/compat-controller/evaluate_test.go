package main

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var networkTaint = corev1.Taint{Key: "readiness.k8s.io/NetworkReady", Value: "pending", Effect: corev1.TaintEffectNoSchedule}

func testRule(policy, mode string, conditions ...conditionRequirement) *rule {
	return &rule{
		ObjectMeta: metav1.ObjectMeta{Name: "network-readiness-rule", UID: "uid-1", Generation: 1},
		Spec: ruleSpec{
			Conditions: conditions, ConditionPolicy: policy, EnforcementMode: mode, Taint: networkTaint,
			NodeSelector: metav1.LabelSelector{MatchLabels: map[string]string{"pool": "workers"}},
		},
	}
}

func require(conditionType string, status corev1.ConditionStatus) conditionRequirement {
	return conditionRequirement{Type: conditionType, RequiredStatus: status}
}

type nodeOption func(*corev1.Node)

func withCondition(conditionType string, status corev1.ConditionStatus) nodeOption {
	return func(n *corev1.Node) {
		n.Status.Conditions = append(n.Status.Conditions, corev1.NodeCondition{Type: corev1.NodeConditionType(conditionType), Status: status})
	}
}

func tainted(taint corev1.Taint) nodeOption {
	return func(n *corev1.Node) { n.Spec.Taints = append(n.Spec.Taints, taint) }
}

func annotated(key string) nodeOption {
	return func(n *corev1.Node) { n.Annotations = map[string]string{key: `{"rule-name":"network-readiness-rule"}`} }
}

func labelled(value string) nodeOption {
	return func(n *corev1.Node) { n.Labels = map[string]string{"pool": value} }
}

func testNode(options ...nodeOption) *corev1.Node {
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-a", Labels: map[string]string{"pool": "workers"}}}
	for _, option := range options {
		option(n)
	}
	return n
}

func TestEvaluate(t *testing.T) {
	const a, b = "example.com/A", "example.com/B"
	withDefault := conditionRequirement{Type: b, RequiredStatus: corev1.ConditionTrue, DefaultStatus: corev1.ConditionTrue}
	cases := []struct {
		name    string
		rule    *rule
		node    *corev1.Node
		met     bool
		unmet   []string
		missing int
	}{
		{"allOf, every condition met", testRule("", modeContinuous, require(a, "True"), require(b, "True")),
			testNode(withCondition(a, "True"), withCondition(b, "True")), true, nil, 0},
		{"allOf, one condition unmet", testRule(policyAllOf, modeContinuous, require(a, "True"), require(b, "True")),
			testNode(withCondition(a, "True"), withCondition(b, "False")), false, []string{b}, 0},
		{"anyOf, one condition met", testRule(policyAnyOf, modeContinuous, require(a, "True"), require(b, "True")),
			testNode(withCondition(a, "False"), withCondition(b, "True")), true, []string{a}, 0},
		{"anyOf, none met", testRule(policyAnyOf, modeContinuous, require(a, "True"), require(b, "True")),
			testNode(withCondition(a, "False")), false, []string{a, b}, 1},
		{"a missing condition without a default counts as Unknown", testRule("", modeContinuous, require(a, "Unknown")),
			testNode(), true, nil, 1},
		{"a missing condition takes its defaultStatus", testRule("", modeContinuous, require(a, "True"), withDefault),
			testNode(withCondition(a, "True")), true, nil, 1},
		{"a present condition ignores its defaultStatus", testRule("", modeContinuous, withDefault),
			testNode(withCondition(b, "False")), false, []string{b}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := evaluate(tc.rule, tc.node)
			if v.met != tc.met || !reflect.DeepEqual(v.unmet, tc.unmet) || v.missing != tc.missing {
				t.Errorf("met=%v unmet=%v missing=%d, want met=%v unmet=%v missing=%d", v.met, v.unmet, v.missing, tc.met, tc.unmet, tc.missing)
			}
		})
	}
}

func TestEvaluateReportsMissingConditionsAsUnknownWithTheirDefault(t *testing.T) {
	r := testRule("", modeContinuous, conditionRequirement{Type: "example.com/A", RequiredStatus: "True", DefaultStatus: "True"},
		require("example.com/B", "True"))
	got := evaluate(r, testNode(withCondition("example.com/B", "False"))).results
	want := []conditionResult{
		{Type: "example.com/A", CurrentStatus: "Unknown", RequiredStatus: "True", DefaultStatus: "True"},
		{Type: "example.com/B", CurrentStatus: "False", RequiredStatus: "True", DefaultStatus: "Unknown"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("results %+v, want %+v", got, want)
	}
}

func TestSelectionTaintAndBootstrapCompletion(t *testing.T) {
	r := testRule("", modeBootstrapOnly, require("example.com/A", "True"))
	otherEffect := corev1.Taint{Key: networkTaint.Key, Effect: corev1.TaintEffectNoExecute}
	otherValue := corev1.Taint{Key: networkTaint.Key, Value: "other", Effect: networkTaint.Effect}
	cases := []struct {
		name                         string
		node                         *corev1.Node
		selected, present, completed bool
	}{
		{"not selected", testNode(labelled("gpu")), false, false, false},
		{"same key, other effect is not the rule's taint", testNode(tainted(otherEffect)), true, false, false},
		{"same key and effect, other value is the rule's taint", testNode(tainted(otherValue)), true, true, false},
		{"completed by UID", testNode(annotated(bootstrapAnnotationPrefix + "uid-1")), true, false, true},
		{"completed by the legacy name form", testNode(annotated(bootstrapAnnotationPrefix + "network-readiness-rule")), true, false, true},
		{"another rule's completion does not count", testNode(annotated(bootstrapAnnotationPrefix + "uid-2")), true, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := evaluate(r, tc.node)
			if v.selected != tc.selected || v.taintPresent != tc.present || v.completed != tc.completed {
				t.Errorf("selected=%v present=%v completed=%v, want %v %v %v", v.selected, v.taintPresent, v.completed, tc.selected, tc.present, tc.completed)
			}
		})
	}
	continuous := testRule("", modeContinuous, require("example.com/A", "True"))
	if evaluate(continuous, testNode(annotated(bootstrapAnnotationPrefix+"uid-1"))).completed {
		t.Error("a continuous rule is never bootstrap-completed")
	}
	invalid := testRule("", modeContinuous, require("example.com/A", "True"))
	invalid.Spec.NodeSelector = metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "pool", Operator: "Bogus"}}}
	if evaluate(invalid, testNode()).selected {
		t.Error("an invalid selector selects no node")
	}
}

func TestDecide(t *testing.T) {
	cases := []struct {
		name    string
		mode    string
		met     bool
		present bool
		first   bool
		want    decision
	}{
		{"unmet, no taint: add", modeContinuous, false, false, false, decision{addTaint: true}},
		{"met, taint on: remove", modeContinuous, true, true, false, decision{removeTaint: true}},
		{"met, taint on, bootstrap-only: remove and complete", modeBootstrapOnly, true, true, false, decision{removeTaint: true, completeBootstrap: true}},
		{"met, no taint, bootstrap-only: complete", modeBootstrapOnly, true, false, false, decision{completeBootstrap: true}},
		{"met, no taint, continuous: nothing", modeContinuous, true, false, true, decision{}},
		{"unmet, taint on, first evaluation: adopt", modeContinuous, false, true, true, decision{adopt: true}},
		{"unmet, taint on, seen before: nothing", modeContinuous, false, true, false, decision{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := decide(ruleSpec{EnforcementMode: tc.mode}, verdict{selected: true, met: tc.met, taintPresent: tc.present}, tc.first)
			if got != tc.want {
				t.Errorf("decide = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestTaintStatusAfter(t *testing.T) {
	if got := taintStatusAfter(verdict{}, decision{addTaint: true}); got != taintPresent {
		t.Errorf("after adding: %s", got)
	}
	if got := taintStatusAfter(verdict{taintPresent: true}, decision{removeTaint: true}); got != taintAbsent {
		t.Errorf("after removing: %s", got)
	}
	if got := taintStatusAfter(verdict{taintPresent: true}, decision{adopt: true}); got != taintPresent {
		t.Errorf("after adopting: %s", got)
	}
}

func int32s(values ...int32) []*int32 {
	pointers := make([]*int32, len(values))
	for i := range values {
		pointers[i] = &values[i]
	}
	return pointers
}

func TestDryRunOf(t *testing.T) {
	got := dryRunOf([]verdict{
		{selected: true, met: false, taintPresent: false, missing: 1}, // would add; risky
		{selected: true, met: true, taintPresent: true},               // would remove
		{selected: true, met: false, taintPresent: true},              // stays
		{selected: false, met: false, taintPresent: false},            // not affected
	})
	want := int32s(3, 1, 1, 1)
	if !reflect.DeepEqual([]*int32{got.AffectedNodes, got.TaintsToAdd, got.TaintsToRemove, got.RiskyOperations}, want) {
		t.Errorf("counts %d %d %d %d", *got.AffectedNodes, *got.TaintsToAdd, *got.TaintsToRemove, *got.RiskyOperations)
	}
	if got.Summary != "would add 1 taints, would remove 1 taints, 1 nodes have missing conditions" {
		t.Errorf("summary %q", got.Summary)
	}
	if summary := dryRunOf(nil).Summary; summary != "No changes needed" {
		t.Errorf("empty summary %q", summary)
	}
}

func TestBlockedConditions(t *testing.T) {
	const a, b = "example.com/A", "example.com/B"
	anyOf := testRule(policyAnyOf, modeContinuous, require(a, "True"), require(b, "True"))
	allOf := testRule(policyAllOf, modeContinuous, require(a, "True"), require(b, "True"))
	bootstrap := testRule("", modeBootstrapOnly, require(a, "True"))
	cases := []struct {
		name string
		rule *rule
		node *corev1.Node
		want []string
	}{
		{"allOf held: each unmet condition", allOf, testNode(tainted(networkTaint)), []string{a, b}},
		{"allOf held on one condition", allOf, testNode(tainted(networkTaint), withCondition(a, "True")), []string{b}},
		{"anyOf met with the taint still on: not blocked", anyOf, testNode(tainted(networkTaint), withCondition(a, "True")), nil},
		{"anyOf held: every condition", anyOf, testNode(tainted(networkTaint)), []string{a, b}},
		{"unmet but no taint: not held", allOf, testNode(), nil},
		{"not selected", allOf, testNode(labelled("gpu"), tainted(networkTaint)), nil},
		{"bootstrap completed", bootstrap, testNode(tainted(networkTaint), annotated(bootstrapAnnotationPrefix+"uid-1")), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := blockedConditions(evaluate(tc.rule, tc.node)); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("blocked on %v, want %v", got, tc.want)
			}
		})
	}
}
