package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/retry"
	"k8s.io/client-go/util/workqueue"
)

const (
	fieldManager = "compat-controller"
	// statusBatchDelay lets one status write carry the evaluations of many node changes.
	statusBatchDelay = 300 * time.Millisecond
)

type controller struct {
	kube      kubernetes.Interface
	rules     dynamic.NamespaceableResourceInterface
	nodes     corelisters.NodeLister
	ruleCache cache.Indexer
	recorder  record.EventRecorder
	nodeQueue workqueue.TypedRateLimitingInterface[string]
	ruleQueue workqueue.TypedRateLimitingInterface[string]
	store     *store
	counters  *counters
}

func newQueue(name string) workqueue.TypedRateLimitingInterface[string] {
	return workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[string](),
		workqueue.TypedRateLimitingQueueConfig[string]{Name: name})
}

// cachedRules are the rules as the informer last saw them; one that does not decode is skipped.
func (c *controller) cachedRules() []*rule {
	var rules []*rule
	for _, object := range c.ruleCache.List() {
		if r, err := decodeRule(object); err == nil {
			rules = append(rules, r)
		}
	}
	return rules
}

func (c *controller) cachedRule(name string) (*rule, error) {
	object, found, err := c.ruleCache.GetByKey(name)
	if err != nil || !found {
		return nil, err
	}
	return decodeRule(object)
}

func decodeRule(object any) (*rule, error) {
	u, ok := object.(*unstructured.Unstructured)
	if !ok {
		return nil, fmt.Errorf("unexpected %T in the rule cache", object)
	}
	var r rule
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &r); err != nil {
		return nil, fmt.Errorf("rule %s: %w", u.GetName(), err)
	}
	return &r, nil
}

func (c *controller) nodeHandlers() cache.ResourceEventHandlerFuncs {
	return cache.ResourceEventHandlerFuncs{
		AddFunc: func(object any) { c.enqueueNode(object) },
		UpdateFunc: func(old, updated any) {
			if nodeChangeMatters(old.(*corev1.Node), updated.(*corev1.Node)) {
				c.enqueueNode(updated)
			}
		},
		DeleteFunc: func(object any) {
			name, err := cache.DeletionHandlingMetaNamespaceKeyFunc(object)
			if err == nil {
				c.forgetDeletedNode(name)
			}
		},
	}
}

func (c *controller) enqueueNode(object any) {
	if node, ok := object.(*corev1.Node); ok {
		c.nodeQueue.Add(node.Name)
	}
}

// nodeChangeMatters is NRC's filter: condition statuses, taints or labels changed.
// Heartbeats alone change nothing a rule reads.
func nodeChangeMatters(old, updated *corev1.Node) bool {
	return !sameConditionStatuses(old.Status.Conditions, updated.Status.Conditions) ||
		!sameTaints(old.Spec.Taints, updated.Spec.Taints) ||
		!labels.Equals(old.Labels, updated.Labels)
}

func sameConditionStatuses(a, b []corev1.NodeCondition) bool {
	if len(a) != len(b) {
		return false
	}
	statuses := map[corev1.NodeConditionType]corev1.ConditionStatus{}
	for _, condition := range a {
		statuses[condition.Type] = condition.Status
	}
	for _, condition := range b {
		if status, found := statuses[condition.Type]; !found || status != condition.Status {
			return false
		}
	}
	return true
}

func sameTaints(a, b []corev1.Taint) bool {
	if len(a) != len(b) {
		return false
	}
	values := map[string]string{}
	for _, taint := range a {
		values[taint.Key+":"+string(taint.Effect)] = taint.Value
	}
	for _, taint := range b {
		if value, found := values[taint.Key+":"+string(taint.Effect)]; !found || value != taint.Value {
			return false
		}
	}
	return true
}

func (c *controller) forgetDeletedNode(name string) {
	for _, r := range c.cachedRules() {
		if c.store.forgetNode(r, name) {
			c.ruleQueue.AddAfter(r.Name, statusBatchDelay)
		}
	}
}

func (c *controller) ruleHandlers() cache.ResourceEventHandlerFuncs {
	enqueue := func(object any) {
		if name, err := cache.DeletionHandlingMetaNamespaceKeyFunc(object); err == nil {
			c.ruleQueue.Add(name)
		}
	}
	return cache.ResourceEventHandlerFuncs{
		AddFunc: enqueue,
		UpdateFunc: func(old, updated any) {
			before, after := old.(*unstructured.Unstructured), updated.(*unstructured.Unstructured)
			// Our own status writes change neither generation nor deletion: they need no reconcile.
			if before.GetGeneration() != after.GetGeneration() || before.GetUID() != after.GetUID() ||
				(before.GetDeletionTimestamp() == nil) != (after.GetDeletionTimestamp() == nil) {
				enqueue(updated)
			}
		},
		DeleteFunc: enqueue,
	}
}

// reconcileNode evaluates one node against every rule that gates it.
func (c *controller) reconcileNode(ctx context.Context, name string) error {
	node, err := c.nodes.Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	var failed []error
	for _, r := range c.cachedRules() {
		// Dry-run rules are previewed when the rule changes, as NRC previews them.
		if r.DeletionTimestamp != nil || r.Spec.DryRun {
			continue
		}
		if err := c.applyRule(ctx, r, node); err != nil {
			failed = append(failed, err)
		}
	}
	return errors.Join(failed...)
}

// applyRule makes one node what one rule wants it to be, and records the evaluation.
func (c *controller) applyRule(ctx context.Context, r *rule, node *corev1.Node) error {
	v := evaluate(r, node)
	if !v.selected {
		if c.store.forgetNode(r, node.Name) {
			c.ruleQueue.AddAfter(r.Name, statusBatchDelay)
		}
		return nil
	}
	if v.completed {
		return nil
	}
	d := decide(r.Spec, v, c.store.claimFirstEvaluation(r, node.Name))
	err := c.carryOut(ctx, r, node, d)
	now := metav1.Now()
	evaluation := nodeEvaluation{NodeName: node.Name, ConditionResults: v.results, TaintStatus: taintStatusAfter(v, d), LastEvaluationTime: now}
	var failure *nodeFailure
	if err != nil {
		evaluation.TaintStatus = taintStatusOf(v.taintPresent)
		failure = &nodeFailure{NodeName: node.Name, Reason: "EvaluationError", Message: err.Error(), LastEvaluationTime: now}
		c.counters.failure(r.Name, "EvaluationError")
		log.Printf("compat-controller: rule %s on node %s: %v", r.Name, node.Name, err)
	}
	c.store.record(r, evaluation, failure)
	c.ruleQueue.AddAfter(r.Name, statusBatchDelay)
	return err
}

func taintStatusOf(present bool) string {
	if present {
		return taintPresent
	}
	return taintAbsent
}

func (c *controller) carryOut(ctx context.Context, r *rule, node *corev1.Node, d decision) error {
	taint := r.Spec.Taint
	name := fmt.Sprintf("%s:%s", taint.Key, taint.Effect)
	switch {
	case d.addTaint:
		if err := c.changeTaints(ctx, r.Name, node.Name, withTaint(taint), "TaintAdded",
			fmt.Sprintf("Taint '%s' added by rule '%s'", name, r.Name), "add"); err != nil {
			return fmt.Errorf("failed to add taint: %w", err)
		}
	case d.removeTaint:
		if err := c.removeTaint(ctx, r, node.Name); err != nil {
			return err
		}
	case d.adopt:
		c.recorder.Event(node, corev1.EventTypeNormal, "TaintAdopted", fmt.Sprintf("Taint '%s' is now managed by rule '%s'", name, r.Name))
	}
	if d.completeBootstrap {
		return c.markBootstrapCompleted(ctx, r, node)
	}
	return nil
}

func (c *controller) removeTaint(ctx context.Context, r *rule, node string) error {
	taint := r.Spec.Taint
	if err := c.changeTaints(ctx, r.Name, node, withoutTaint(taint), "TaintRemoved",
		fmt.Sprintf("Taint '%s:%s' removed by rule '%s'", taint.Key, taint.Effect, r.Name), "remove"); err != nil {
		return fmt.Errorf("failed to remove taint: %w", err)
	}
	return nil
}

// taintChange returns the node's new taints, or false when the node already has what the rule wants.
type taintChange func([]corev1.Taint) ([]corev1.Taint, bool)

func withTaint(taint corev1.Taint) taintChange {
	return func(taints []corev1.Taint) ([]corev1.Taint, bool) {
		for _, existing := range taints {
			if sameTaint(existing, taint) {
				return nil, false
			}
		}
		return append(append([]corev1.Taint{}, taints...), taint), true
	}
}

func withoutTaint(taint corev1.Taint) taintChange {
	return func(taints []corev1.Taint) ([]corev1.Taint, bool) {
		kept := []corev1.Taint{}
		for _, existing := range taints {
			if !sameTaint(existing, taint) {
				kept = append(kept, existing)
			}
		}
		return kept, len(kept) != len(taints)
	}
}

// changeTaints writes the node's taints with its resourceVersion, so a change made
// meanwhile by anyone else is a conflict to retry on fresh state, never lost. The
// event is recorded only when this write made the change.
func (c *controller) changeTaints(ctx context.Context, ruleName, nodeName string, change taintChange, reason, message, operation string) error {
	attempt := 0
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		attempt++
		node, err := c.freshNode(ctx, nodeName, attempt > 1)
		if err != nil {
			return err
		}
		taints, changed := change(node.Spec.Taints)
		if !changed {
			return nil
		}
		patch, err := json.Marshal(map[string]any{
			"metadata": map[string]any{"resourceVersion": node.ResourceVersion},
			"spec":     map[string]any{"taints": taints},
		})
		if err != nil {
			return err
		}
		updated, err := c.kube.CoreV1().Nodes().Patch(ctx, nodeName, types.MergePatchType, patch, metav1.PatchOptions{FieldManager: fieldManager})
		if err != nil {
			return err
		}
		c.recorder.Event(updated, corev1.EventTypeNormal, reason, message)
		c.counters.taintOperation(ruleName, operation)
		return nil
	})
}

// freshNode reads the informer's copy first and the apiserver's after a conflict.
func (c *controller) freshNode(ctx context.Context, name string, fromServer bool) (*corev1.Node, error) {
	if fromServer {
		return c.kube.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
	}
	return c.nodes.Get(name)
}

// markBootstrapCompleted writes NRC's completion annotation: keyed by the rule's UID,
// the rule's name in the value for people.
func (c *controller) markBootstrapCompleted(ctx context.Context, r *rule, node *corev1.Node) error {
	key := bootstrapAnnotationPrefix + string(r.UID)
	if _, done := node.Annotations[key]; done {
		return nil
	}
	value, err := json.Marshal(map[string]string{"rule-name": r.Name})
	if err != nil {
		return err
	}
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": map[string]string{key: string(value)}}})
	if err != nil {
		return err
	}
	if _, err := c.kube.CoreV1().Nodes().Patch(ctx, node.Name, types.MergePatchType, patch, metav1.PatchOptions{FieldManager: fieldManager}); err != nil {
		return fmt.Errorf("failed to mark bootstrap completed: %w", err)
	}
	c.counters.bootstrapCompleted(r.Name)
	return nil
}

// reconcileRule keeps the finalizer on, evaluates every node when the rule's spec
// changed, and writes the rule's status when it changed.
func (c *controller) reconcileRule(ctx context.Context, name string) error {
	r, err := c.cachedRule(name)
	if err != nil {
		return err
	}
	if r == nil {
		c.store.drop(name)
		return nil
	}
	if r.DeletionTimestamp != nil {
		return c.finalize(ctx, r)
	}
	if !hasFinalizer(r) {
		if err := c.setFinalizer(ctx, r.Name, true); err != nil {
			return err
		}
	}
	if c.store.needsFullPass(r) {
		if err := c.fullPass(ctx, r); err != nil {
			return err
		}
	}
	return c.writeStatus(ctx, r)
}

func (c *controller) fullPass(ctx context.Context, r *rule) error {
	nodes, err := c.nodes.List(labels.Everything())
	if err != nil {
		return err
	}
	if r.Spec.DryRun {
		verdicts := make([]verdict, 0, len(nodes))
		for _, node := range nodes {
			verdicts = append(verdicts, evaluate(r, node))
		}
		c.store.markReconciled(r, dryRunOf(verdicts))
		return nil
	}
	for _, node := range nodes {
		if err := c.applyRule(ctx, r, node); err != nil {
			// Recorded in failedNodes; the node is retried on its own.
			c.nodeQueue.AddRateLimited(node.Name)
		}
	}
	c.store.markReconciled(r, nil)
	return nil
}

func (c *controller) writeStatus(ctx context.Context, r *rule) error {
	status, ready := c.store.status(r)
	if !ready {
		return nil
	}
	patch, err := json.Marshal(statusPatch(status))
	if err != nil {
		return err
	}
	if c.store.alreadyWritten(r, patch) {
		return nil
	}
	_, err = c.rules.Patch(ctx, r.Name, types.MergePatchType, patch, metav1.PatchOptions{FieldManager: fieldManager}, "status")
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	c.store.markWritten(r, patch)
	return nil
}

func hasFinalizer(r *rule) bool {
	for _, finalizer := range r.Finalizers {
		if finalizer == finalizerName {
			return true
		}
	}
	return false
}

// finalize takes the rule's taint off every node it selects, then lets the rule go.
func (c *controller) finalize(ctx context.Context, r *rule) error {
	if !hasFinalizer(r) {
		c.store.drop(r.Name)
		return nil
	}
	nodes, err := c.nodes.List(labels.Everything())
	if err != nil {
		return err
	}
	var failed []error
	for _, node := range nodes {
		if selects(r.Spec, node) && hasTaint(node, r.Spec.Taint) {
			if err := c.removeTaint(ctx, r, node.Name); err != nil {
				failed = append(failed, fmt.Errorf("node %s: %w", node.Name, err))
			}
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("failed to clean up taints on some nodes: %w", errors.Join(failed...))
	}
	if err := c.setFinalizer(ctx, r.Name, false); err != nil {
		return err
	}
	c.store.drop(r.Name)
	return nil
}

// setFinalizer adds or removes ours with the rule's resourceVersion, retrying on conflict.
func (c *controller) setFinalizer(ctx context.Context, name string, present bool) error {
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		current, err := c.rules.Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		finalizers, changed := finalizersWith(current.GetFinalizers(), present)
		if !changed {
			return nil
		}
		patch, err := json.Marshal(map[string]any{"metadata": map[string]any{
			"resourceVersion": current.GetResourceVersion(), "finalizers": finalizers,
		}})
		if err != nil {
			return err
		}
		_, err = c.rules.Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{FieldManager: fieldManager})
		return err
	})
}

// finalizersWith returns the finalizers with ours present or absent, and whether that changed them.
func finalizersWith(finalizers []string, present bool) ([]string, bool) {
	kept := []string{}
	for _, finalizer := range finalizers {
		if finalizer != finalizerName {
			kept = append(kept, finalizer)
		}
	}
	had := len(kept) != len(finalizers)
	if present {
		kept = append(kept, finalizerName)
	}
	return kept, had != present
}
