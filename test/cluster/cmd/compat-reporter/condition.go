package main

import (
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// conditionFor builds the condition an answer makes, carrying over what the
// node already holds: lastTransitionTime stays while the status stays, and
// lastHeartbeatTime is now. write is false when the node already says the
// same (status, reason and message) with a heartbeat younger than
// heartbeatPeriod: writing it again would only churn etcd.
func conditionFor(existing *corev1.NodeCondition, conditionType string, answer endpointAnswer, now time.Time, heartbeatPeriod time.Duration) (condition corev1.NodeCondition, write bool) {
	status := corev1.ConditionFalse
	if answer.healthy {
		status = corev1.ConditionTrue
	}
	condition = corev1.NodeCondition{
		Type:               corev1.NodeConditionType(conditionType),
		Status:             status,
		LastHeartbeatTime:  metav1.NewTime(now),
		LastTransitionTime: metav1.NewTime(now),
		Reason:             answer.reason,
		Message:            answer.message,
	}
	if existing == nil {
		return condition, true
	}
	if existing.Status == status && existing.Reason == answer.reason && existing.Message == answer.message &&
		now.Sub(existing.LastHeartbeatTime.Time) < heartbeatPeriod {
		return condition, false
	}
	if existing.Status == status {
		condition.LastTransitionTime = existing.LastTransitionTime
	}
	return condition, true
}

// withCondition puts the condition in place of the one of its type, or after the others.
func withCondition(conditions []corev1.NodeCondition, condition corev1.NodeCondition) []corev1.NodeCondition {
	index := conditionIndex(conditions, string(condition.Type))
	if index < 0 {
		return append(conditions, condition)
	}
	conditions[index] = condition
	return conditions
}

func conditionIndex(conditions []corev1.NodeCondition, conditionType string) int {
	return slices.IndexFunc(conditions, func(c corev1.NodeCondition) bool { return string(c.Type) == conditionType })
}

func findCondition(conditions []corev1.NodeCondition, conditionType string) *corev1.NodeCondition {
	if index := conditionIndex(conditions, conditionType); index >= 0 {
		return &conditions[index]
	}
	return nil
}
