package main

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func evaluationOf(node, taint string) nodeEvaluation {
	return nodeEvaluation{NodeName: node, TaintStatus: taint, LastEvaluationTime: metav1.NewTime(time.Unix(1700000000, 0))}
}

func TestStatusIsWithheldUntilTheFirstFullPass(t *testing.T) {
	s := newStore()
	r := testRule("", modeContinuous, require("example.com/A", "True"))
	s.record(r, evaluationOf("node-a", taintPresent), nil)
	if _, ready := s.status(r); ready {
		t.Fatal("status before the first full pass")
	}
	s.markReconciled(r, nil)
	status, ready := s.status(r)
	if !ready || status.ObservedGeneration != 1 || !reflect.DeepEqual(status.AppliedNodes, []string{"node-a"}) {
		t.Errorf("status %+v ready=%v", status, ready)
	}
}

func TestBuildStatusOrdersNodesAndSeparatesFailures(t *testing.T) {
	s := newStore()
	r := testRule("", modeContinuous, require("example.com/A", "True"))
	s.record(r, evaluationOf("node-c", taintAbsent), nil)
	s.record(r, evaluationOf("node-a", taintPresent), nil)
	failure := nodeFailure{NodeName: "node-b", Reason: "EvaluationError", Message: "failed to add taint: conflict"}
	s.record(r, evaluationOf("node-b", taintAbsent), &failure)
	s.claimFirstEvaluation(r, "node-d") // still being evaluated: not yet in the status
	s.markReconciled(r, nil)
	status, _ := s.status(r)
	var names []string
	for _, evaluation := range status.NodeEvaluations {
		names = append(names, evaluation.NodeName)
	}
	if !reflect.DeepEqual(names, []string{"node-a", "node-b", "node-c"}) {
		t.Errorf("evaluations %v", names)
	}
	if !reflect.DeepEqual(status.AppliedNodes, []string{"node-a", "node-c"}) {
		t.Errorf("applied %v", status.AppliedNodes)
	}
	if len(status.FailedNodes) != 1 || status.FailedNodes[0].NodeName != "node-b" {
		t.Errorf("failed %+v", status.FailedNodes)
	}
	// A later success clears the failure.
	s.record(r, evaluationOf("node-b", taintPresent), nil)
	if status, _ := s.status(r); len(status.FailedNodes) != 0 || len(status.AppliedNodes) != 3 {
		t.Errorf("after success: %+v", status)
	}
}

func TestClaimFirstEvaluationOncePerNodeAndSeededFromStoredStatus(t *testing.T) {
	s := newStore()
	r := testRule("", modeContinuous, require("example.com/A", "True"))
	r.Status.NodeEvaluations = []nodeEvaluation{evaluationOf("node-a", taintPresent)}
	if s.claimFirstEvaluation(r, "node-a") {
		t.Error("a node in the stored status is not evaluated for the first time")
	}
	if !s.claimFirstEvaluation(r, "node-b") || s.claimFirstEvaluation(r, "node-b") {
		t.Error("node-b must be claimed exactly once")
	}
	recreated := *r
	recreated.UID = "uid-2"
	recreated.Status = ruleStatus{}
	if !s.claimFirstEvaluation(&recreated, "node-a") {
		t.Error("a rule recreated under the same name starts afresh")
	}
}

func TestStatusPatchNullsEmptyFields(t *testing.T) {
	data, err := json.Marshal(statusPatch(ruleStatus{ObservedGeneration: 2}))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"status":{"appliedNodes":null,"dryRunResults":null,"failedNodes":null,"nodeEvaluations":null,"observedGeneration":2}}`
	if string(data) != want {
		t.Errorf("patch %s", data)
	}
	summary := dryRunOf(nil)
	data, _ = json.Marshal(statusPatch(ruleStatus{ObservedGeneration: 3, DryRunResults: summary}))
	want = `{"status":{"appliedNodes":null,"dryRunResults":{"affectedNodes":0,"taintsToAdd":0,"taintsToRemove":0,"riskyOperations":0,"summary":"No changes needed"},"failedNodes":null,"nodeEvaluations":null,"observedGeneration":3}}`
	if string(data) != want {
		t.Errorf("dry-run patch %s", data)
	}
}

func TestForgetNode(t *testing.T) {
	s := newStore()
	r := testRule("", modeContinuous, require("example.com/A", "True"))
	s.record(r, evaluationOf("node-a", taintPresent), nil)
	if !s.forgetNode(r, "node-a") || s.forgetNode(r, "node-a") {
		t.Error("forgetNode reports whether it dropped anything")
	}
}

func TestFinalizersWith(t *testing.T) {
	cases := []struct {
		name    string
		before  []string
		present bool
		after   []string
		changed bool
	}{
		{"add", []string{"other"}, true, []string{"other", finalizerName}, true},
		{"already there", []string{finalizerName}, true, []string{finalizerName}, false},
		{"remove", []string{finalizerName, "other"}, false, []string{"other"}, true},
		{"already gone", []string{"other"}, false, []string{"other"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			after, changed := finalizersWith(tc.before, tc.present)
			if !reflect.DeepEqual(after, tc.after) || changed != tc.changed {
				t.Errorf("got %v %v", after, changed)
			}
		})
	}
}

func TestNodeChangeMatters(t *testing.T) {
	base := testNode(withCondition("example.com/A", "True"), tainted(networkTaint))
	heartbeat := base.DeepCopy()
	heartbeat.Status.Conditions[0].LastHeartbeatTime = metav1.Now()
	flipped := base.DeepCopy()
	flipped.Status.Conditions[0].Status = "False"
	untainted := base.DeepCopy()
	untainted.Spec.Taints = nil
	relabelled := base.DeepCopy()
	relabelled.Labels = map[string]string{"pool": "gpu"}
	if nodeChangeMatters(base, heartbeat) {
		t.Error("a heartbeat alone is not a change")
	}
	for name, changed := range map[string]bool{
		"condition": nodeChangeMatters(base, flipped), "taints": nodeChangeMatters(base, untainted), "labels": nodeChangeMatters(base, relabelled),
	} {
		if !changed {
			t.Errorf("a %s change matters", name)
		}
	}
}
