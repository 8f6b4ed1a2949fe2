package main

import (
	"context"
	"net/http"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"
	"k8s.io/klog/v2"
)

// reporter checks the endpoint and writes the answer into its node's status.
type reporter struct {
	settings settings
	endpoint *http.Client
	nodes    kubernetes.Interface
	metrics  *reporterMetrics
	now      func() time.Time
}

// check is one round: ask the endpoint, then write the condition if it changed or its heartbeat is due.
func (r *reporter) check(ctx context.Context) {
	started := r.now()
	answer := askEndpoint(ctx, r.endpoint, r.settings.checkEndpoint)
	r.metrics.checkDuration.Observe(r.now().Sub(started).Seconds())
	r.metrics.checks.WithLabelValues(checkResult(answer)).Inc()
	if err := r.writeCondition(ctx, answer); err != nil {
		klog.ErrorS(err, "Failed to update node condition", "node", r.settings.nodeName, "condition", r.settings.conditionType)
		r.metrics.writes.WithLabelValues(writeError).Inc()
	}
}

// writeCondition reads the node and updates its status subresource (a PUT,
// never a patch: the reporter's RBAC grants update on nodes/status), reading
// again on a conflict, as often as client-go's default retry allows.
func (r *reporter) writeCondition(ctx context.Context, answer endpointAnswer) error {
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		node, err := r.nodes.CoreV1().Nodes().Get(ctx, r.settings.nodeName, metav1.GetOptions{})
		if err != nil {
			return err
		}
		existing := findCondition(node.Status.Conditions, r.settings.conditionType)
		condition, write := conditionFor(existing, r.settings.conditionType, answer, r.now(), r.settings.heartbeatPeriod)
		if !write {
			klog.V(4).InfoS("Condition unchanged and heartbeat fresh, skipping the status update", "node", r.settings.nodeName, "condition", r.settings.conditionType)
			r.metrics.writes.WithLabelValues(writeSkipped).Inc()
			return nil
		}
		node.Status.Conditions = withCondition(node.Status.Conditions, condition)
		if _, err := r.nodes.CoreV1().Nodes().UpdateStatus(ctx, node, metav1.UpdateOptions{}); err != nil {
			return err
		}
		r.metrics.writes.WithLabelValues(writeSuccess).Inc()
		return nil
	})
}

// run checks at once, then on every tick until ctx ends. A slow check makes
// the ticker drop ticks rather than queue them, so checks never pile up.
func (r *reporter) run(ctx context.Context) {
	ticker := time.NewTicker(r.settings.checkInterval)
	defer ticker.Stop()
	r.check(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			r.check(ctx)
		}
	}
}
