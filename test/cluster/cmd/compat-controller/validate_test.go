package main

import (
	"encoding/json"
	"strings"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// clusterRule is NRC's constrained-impersonation example, the rule test/e2e/webhook.test.ts applies first.
var clusterRule = &rule{
	ObjectMeta: metav1.ObjectMeta{Name: "network-readiness-rule"},
	Spec: ruleSpec{
		Conditions:      []conditionRequirement{require("projectcalico.org/CalicoReady", "True")},
		Taint:           networkTaint,
		EnforcementMode: modeContinuous,
		NodeSelector:    labelsSelector(nil, expression("node-role.kubernetes.io/control-plane", metav1.LabelSelectorOpDoesNotExist)),
	},
}

// candidate builds the valid rule of webhook.test.ts, changed by edit.
func candidate(edit func(*ruleSpec)) *rule {
	r := &rule{
		ObjectMeta: metav1.ObjectMeta{Name: "candidate"},
		Spec: ruleSpec{
			Conditions:      []conditionRequirement{require("example.com/GPUReady", "True")},
			Taint:           corev1.Taint{Key: "readiness.k8s.io/GPUReady", Effect: corev1.TaintEffectNoSchedule},
			EnforcementMode: modeContinuous,
			NodeSelector:    labelsSelector(map[string]string{"example.com/gpu": "true"}),
		},
	}
	edit(&r.Spec)
	return r
}

var withDefaultStatus = []conditionRequirement{{Type: "a.io/A", RequiredStatus: "True", DefaultStatus: "False"}}

// The cases of test/e2e/webhook.test.ts that the webhook, not the CRD's schema, judges.
var webhookCases = []struct {
	name  string
	rule  *rule
	field string // "" when accepted
}{
	{"a valid rule", candidate(func(*ruleSpec) {}), ""},
	{"NoExecute, continuous (NRC only warns)", candidate(func(s *ruleSpec) { s.Taint.Effect = corev1.TaintEffectNoExecute }), ""},
	{"anyOf with a defaultStatus, continuous", candidate(func(s *ruleSpec) {
		s.ConditionPolicy, s.Conditions = policyAnyOf, withDefaultStatus
	}), ""},
	{"the cluster rule's taint on nodes it does not select", candidate(func(s *ruleSpec) {
		s.Taint = corev1.Taint{Key: networkTaint.Key, Effect: networkTaint.Effect}
		s.NodeSelector = labelsSelector(nil, expression("node-role.kubernetes.io/control-plane", metav1.LabelSelectorOpExists))
	}), ""},
	{"the cluster rule's taint on overlapping nodes", candidate(func(s *ruleSpec) {
		s.Taint = corev1.Taint{Key: networkTaint.Key, Effect: networkTaint.Effect}
	}), "spec.taint.key"},
	{"an empty node selector", candidate(func(s *ruleSpec) { s.NodeSelector = metav1.LabelSelector{} }), "spec.nodeSelector"},
	{"bootstrap-only with a defaultStatus", candidate(func(s *ruleSpec) {
		s.EnforcementMode, s.Conditions = modeBootstrapOnly, withDefaultStatus
	}), "spec.conditions[0].defaultStatus"},
	{"bootstrap-only with anyOf", candidate(func(s *ruleSpec) {
		s.EnforcementMode, s.ConditionPolicy = modeBootstrapOnly, policyAnyOf
	}), "spec.conditionPolicy"},
}

func admissionRequest(t *testing.T, operation admissionv1.Operation, r *rule) *admissionv1.AdmissionRequest {
	t.Helper()
	raw, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return &admissionv1.AdmissionRequest{UID: "req-1", Operation: operation, Object: runtime.RawExtension{Raw: raw}}
}

func TestAdmitJudgesTheWebhookCasesAsNRC(t *testing.T) {
	for _, tc := range webhookCases {
		t.Run(tc.name, func(t *testing.T) {
			response := admit(admissionRequest(t, admissionv1.Create, tc.rule), []*rule{clusterRule})
			if tc.field == "" {
				if !response.Allowed {
					t.Fatalf("refused: %s", response.Result.Message)
				}
				return
			}
			if response.Allowed {
				t.Fatal("accepted")
			}
			if response.Result.Code != 403 || !strings.HasPrefix(response.Result.Message, "validation failed: [") ||
				!strings.Contains(response.Result.Message, tc.field+": ") {
				t.Errorf("refusal %d %q does not name %s", response.Result.Code, response.Result.Message, tc.field)
			}
		})
	}
}

func TestAdmitWarnsOfNoExecuteOnCreateOnly(t *testing.T) {
	noExecute := candidate(func(s *ruleSpec) { s.Taint.Effect = corev1.TaintEffectNoExecute })
	if warnings := admit(admissionRequest(t, admissionv1.Create, noExecute), nil).Warnings; len(warnings) != 1 ||
		!strings.HasPrefix(warnings[0], "CAUTION: NoExecute with continuous mode") {
		t.Errorf("create warnings %q", warnings)
	}
	if warnings := admit(admissionRequest(t, admissionv1.Update, noExecute), nil).Warnings; len(warnings) != 0 {
		t.Errorf("update warnings %q", warnings)
	}
	if warnings := admit(admissionRequest(t, admissionv1.Create, candidate(func(*ruleSpec) {})), nil).Warnings; len(warnings) != 0 {
		t.Errorf("NoSchedule warnings %q", warnings)
	}
}

func TestAdmitOnUpdate(t *testing.T) {
	// Updating a rule does not conflict with itself, and the create-only checks are skipped
	// (the fields they combine are immutable).
	self := candidate(func(s *ruleSpec) { s.EnforcementMode, s.Conditions = modeBootstrapOnly, withDefaultStatus })
	if response := admit(admissionRequest(t, admissionv1.Update, self), []*rule{self}); !response.Allowed {
		t.Errorf("update refused: %s", response.Result.Message)
	}
	// An empty selector is refused on update too.
	empty := candidate(func(s *ruleSpec) { s.NodeSelector = metav1.LabelSelector{} })
	if response := admit(admissionRequest(t, admissionv1.Update, empty), nil); response.Allowed {
		t.Error("empty selector accepted on update")
	}
	// Another rule with the same taint still conflicts on update.
	twin := candidate(func(*ruleSpec) {})
	twin.Name = "twin"
	if response := admit(admissionRequest(t, admissionv1.Update, candidate(func(*ruleSpec) {})), []*rule{twin}); response.Allowed {
		t.Error("conflicting update accepted")
	}
}

func TestAdmitAllowsOtherOperations(t *testing.T) {
	request := &admissionv1.AdmissionRequest{Operation: admissionv1.Delete}
	if response := admit(request, nil); !response.Allowed {
		t.Error("delete refused")
	}
}
