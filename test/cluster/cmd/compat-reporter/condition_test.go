package main

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

const calicoReady = "projectcalico.org/CalicoReady"

func TestConditionFor(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	earlier := now.Add(-time.Minute)
	healthy := endpointAnswer{healthy: true, reason: reasonEndpointOK, message: "Endpoint reports ready at http://127.0.0.1:9099/readiness"}
	notReady := endpointAnswer{reason: reasonEndpointNotReady, message: "Endpoint returned non-2xx status code 503 at http://127.0.0.1:9099/readiness: calico-node is not ready"}
	held := func(status corev1.ConditionStatus, answer endpointAnswer, heartbeat time.Time) *corev1.NodeCondition {
		return &corev1.NodeCondition{Type: calicoReady, Status: status, Reason: answer.reason, Message: answer.message,
			LastHeartbeatTime: metav1.NewTime(heartbeat), LastTransitionTime: metav1.NewTime(earlier.Add(-time.Hour))}
	}
	tests := []struct {
		name           string
		existing       *corev1.NodeCondition
		answer         endpointAnswer
		wantWrite      bool
		wantStatus     corev1.ConditionStatus
		wantTransition time.Time
	}{
		{name: "first report, healthy", answer: healthy, wantWrite: true, wantStatus: corev1.ConditionTrue, wantTransition: now},
		{name: "first report, not ready", answer: notReady, wantWrite: true, wantStatus: corev1.ConditionFalse, wantTransition: now},
		{name: "unchanged with a fresh heartbeat is skipped", existing: held(corev1.ConditionTrue, healthy, earlier), answer: healthy, wantStatus: corev1.ConditionTrue},
		{name: "unchanged with a heartbeat of exactly the period is written", existing: held(corev1.ConditionTrue, healthy, now.Add(-5*time.Minute)), answer: healthy,
			wantWrite: true, wantStatus: corev1.ConditionTrue, wantTransition: earlier.Add(-time.Hour)},
		{name: "status flips: new transition time", existing: held(corev1.ConditionTrue, healthy, earlier), answer: notReady, wantWrite: true, wantStatus: corev1.ConditionFalse, wantTransition: now},
		{name: "same status, new message: written, transition kept", existing: held(corev1.ConditionFalse, notReady, earlier),
			answer:    endpointAnswer{reason: reasonEndpointNotReady, message: "Endpoint returned non-2xx status code 503 at http://127.0.0.1:9099/readiness: calico-node crashed"},
			wantWrite: true, wantStatus: corev1.ConditionFalse, wantTransition: earlier.Add(-time.Hour)},
		{name: "same status, new reason: written, transition kept", existing: held(corev1.ConditionFalse, notReady, earlier),
			answer:    endpointAnswer{reason: reasonEndpointConnectionError, message: notReady.message},
			wantWrite: true, wantStatus: corev1.ConditionFalse, wantTransition: earlier.Add(-time.Hour)},
		{name: "someone else's Unknown: a transition", existing: held(corev1.ConditionUnknown, healthy, earlier), answer: healthy, wantWrite: true, wantStatus: corev1.ConditionTrue, wantTransition: now},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, write := conditionFor(tt.existing, calicoReady, tt.answer, now, 5*time.Minute)
			if write != tt.wantWrite {
				t.Fatalf("write = %v, want %v", write, tt.wantWrite)
			}
			if !write {
				return
			}
			want := corev1.NodeCondition{Type: calicoReady, Status: tt.wantStatus, Reason: tt.answer.reason, Message: tt.answer.message,
				LastHeartbeatTime: metav1.NewTime(now), LastTransitionTime: metav1.NewTime(tt.wantTransition)}
			if !conditionsEqual(got, want) {
				t.Errorf("condition = %+v, want %+v", got, want)
			}
		})
	}
}

func TestWithCondition(t *testing.T) {
	ready := corev1.NodeCondition{Type: corev1.NodeReady, Status: corev1.ConditionTrue}
	old := corev1.NodeCondition{Type: calicoReady, Status: corev1.ConditionFalse}
	fresh := corev1.NodeCondition{Type: calicoReady, Status: corev1.ConditionTrue}
	tests := []struct {
		name  string
		given []corev1.NodeCondition
		want  []corev1.NodeCondition
	}{
		{name: "appended after the others", given: []corev1.NodeCondition{ready}, want: []corev1.NodeCondition{ready, fresh}},
		{name: "replaced in place", given: []corev1.NodeCondition{old, ready}, want: []corev1.NodeCondition{fresh, ready}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := withCondition(tt.given, fresh)
			if len(got) != len(tt.want) {
				t.Fatalf("conditions = %+v, want %+v", got, tt.want)
			}
			for i := range got {
				if !conditionsEqual(got[i], tt.want[i]) {
					t.Errorf("condition %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func conditionsEqual(a, b corev1.NodeCondition) bool {
	return a.Type == b.Type && a.Status == b.Status && a.Reason == b.Reason && a.Message == b.Message &&
		a.LastHeartbeatTime.Equal(&b.LastHeartbeatTime) && a.LastTransitionTime.Equal(&b.LastTransitionTime)
}
