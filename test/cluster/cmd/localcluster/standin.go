package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// NRC's controller module is not served by the Go module proxy this project
// builds from, so this stand-in reproduces the taint behaviour of NRC v0.5.0's
// NodeReadinessRule controller: missing conditions take defaultStatus (else
// Unknown), allOf/anyOf, taints matched on key and effect, dryRun never
// touches taints, bootstrap-only stops after the completion annotation, and
// TaintAdded/TaintRemoved events on the node. It is written independently of
// the TypeScript core so the two check each other.

var ruleResource = schema.GroupVersionResource{Group: "readiness.node.x-k8s.io", Version: "v1alpha1", Resource: "nodereadinessrules"}

type ruleSpec struct {
	Conditions []struct {
		Type           string `json:"type"`
		RequiredStatus string `json:"requiredStatus"`
		DefaultStatus  string `json:"defaultStatus"`
	} `json:"conditions"`
	ConditionPolicy string               `json:"conditionPolicy"`
	EnforcementMode string               `json:"enforcementMode"`
	Taint           corev1.Taint         `json:"taint"`
	NodeSelector    metav1.LabelSelector `json:"nodeSelector"`
	DryRun          bool                 `json:"dryRun"`
}

type rule struct {
	Metadata metav1.ObjectMeta `json:"metadata"`
	Spec     ruleSpec          `json:"spec"`
}

func runStandIn(args []string) int {
	flags := flag.NewFlagSet("localcluster nrc-standin", flag.ContinueOnError)
	kubeconfig := flags.String("kubeconfig", "", "admin kubeconfig")
	interval := flags.Duration("interval", 500*time.Millisecond, "how often to reconcile every rule against every node")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	config, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		return fail("nrc-standin: %v", err)
	}
	config.UserAgent = "nrc-standin"
	client := kubernetes.NewForConfigOrDie(config)
	dyn := dynamic.NewForConfigOrDie(config)
	ctx := waitForSignal()
	for ctx.Err() == nil {
		if err := reconcileAll(ctx, client, dyn); err != nil && ctx.Err() == nil {
			fmt.Fprintf(os.Stderr, "nrc-standin: %v\n", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(*interval):
		}
	}
	return 0
}

func reconcileAll(ctx context.Context, client kubernetes.Interface, dyn dynamic.Interface) error {
	list, err := dyn.Resource(ruleResource).List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("list rules: %w", err)
	}
	nodes, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("list nodes: %w", err)
	}
	for _, item := range list.Items {
		raw, _ := json.Marshal(item.Object)
		var r rule
		if err := json.Unmarshal(raw, &r); err != nil || r.Spec.DryRun || r.Metadata.DeletionTimestamp != nil {
			continue
		}
		selector, err := metav1.LabelSelectorAsSelector(&r.Spec.NodeSelector)
		if err != nil {
			continue
		}
		for i := range nodes.Items {
			node := &nodes.Items[i]
			if !selector.Matches(labels.Set(node.Labels)) {
				continue
			}
			if err := reconcileNode(ctx, client, &r, node); err != nil {
				fmt.Fprintf(os.Stderr, "nrc-standin: rule %s node %s: %v\n", r.Metadata.Name, node.Name, err)
			}
		}
	}
	return nil
}

func bootstrapAnnotation(r *rule) string {
	return "readiness.k8s.io/bootstrap-completed-" + string(r.Metadata.UID)
}

func conditionsMet(r *rule, node *corev1.Node) bool {
	all, any := true, false
	for _, requirement := range r.Spec.Conditions {
		status := requirement.DefaultStatus
		if status == "" {
			status = string(corev1.ConditionUnknown)
		}
		for _, condition := range node.Status.Conditions {
			if string(condition.Type) == requirement.Type {
				status = string(condition.Status)
			}
		}
		if status == requirement.RequiredStatus {
			any = true
		} else {
			all = false
		}
	}
	if r.Spec.ConditionPolicy == "anyOf" {
		return any
	}
	return all
}

func reconcileNode(ctx context.Context, client kubernetes.Interface, r *rule, node *corev1.Node) error {
	bootstrapOnly := r.Spec.EnforcementMode == "bootstrap-only"
	if bootstrapOnly {
		if _, done := node.Annotations[bootstrapAnnotation(r)]; done {
			return nil
		}
		if _, done := node.Annotations["readiness.k8s.io/bootstrap-completed-"+r.Metadata.Name]; done {
			return nil
		}
	}
	met := conditionsMet(r, node)
	index := slices.IndexFunc(node.Spec.Taints, func(t corev1.Taint) bool {
		return t.Key == r.Spec.Taint.Key && t.Effect == r.Spec.Taint.Effect
	})
	switch {
	case met && index >= 0:
		taints := slices.Delete(slices.Clone(node.Spec.Taints), index, index+1)
		if err := patchTaints(ctx, client, node, taints); err != nil {
			return err
		}
		recordEvent(ctx, client, node, "TaintRemoved", fmt.Sprintf("Taint '%s:%s' removed by rule '%s'", r.Spec.Taint.Key, r.Spec.Taint.Effect, r.Metadata.Name))
		if bootstrapOnly {
			return markBootstrapCompleted(ctx, client, node, r)
		}
	case !met && index < 0:
		taint := r.Spec.Taint
		taint.TimeAdded = nil
		if err := patchTaints(ctx, client, node, append(slices.Clone(node.Spec.Taints), taint)); err != nil {
			return err
		}
		recordEvent(ctx, client, node, "TaintAdded", fmt.Sprintf("Taint '%s:%s' added by rule '%s'", r.Spec.Taint.Key, r.Spec.Taint.Effect, r.Metadata.Name))
	case met && bootstrapOnly:
		return markBootstrapCompleted(ctx, client, node, r)
	}
	return nil
}

// patchTaints replaces the taint list under the node's resourceVersion, so a
// concurrent change fails with a conflict and is retried on the next pass.
func patchTaints(ctx context.Context, client kubernetes.Interface, node *corev1.Node, taints []corev1.Taint) error {
	if taints == nil {
		taints = []corev1.Taint{}
	}
	patch, _ := json.Marshal(map[string]any{
		"metadata": map[string]any{"resourceVersion": node.ResourceVersion},
		"spec":     map[string]any{"taints": taints},
	})
	updated, err := client.CoreV1().Nodes().Patch(ctx, node.Name, types.MergePatchType, patch, metav1.PatchOptions{})
	if err == nil {
		*node = *updated
	}
	return err
}

func markBootstrapCompleted(ctx context.Context, client kubernetes.Interface, node *corev1.Node, r *rule) error {
	patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": map[string]string{bootstrapAnnotation(r): "true"}}})
	_, err := client.CoreV1().Nodes().Patch(ctx, node.Name, types.MergePatchType, patch, metav1.PatchOptions{})
	return err
}

func recordEvent(ctx context.Context, client kubernetes.Interface, node *corev1.Node, reason, message string) {
	now := metav1.NewTime(time.Now())
	event := &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{GenerateName: node.Name + ".", Namespace: metav1.NamespaceDefault},
		InvolvedObject: corev1.ObjectReference{Kind: "Node", Name: node.Name, UID: node.UID, APIVersion: "v1"},
		Reason:         reason,
		Message:        message,
		Type:           corev1.EventTypeNormal,
		Source:         corev1.EventSource{Component: "node-readiness-controller"},
		FirstTimestamp: now,
		LastTimestamp:  now,
		Count:          1,
	}
	if _, err := client.CoreV1().Events(metav1.NamespaceDefault).Create(ctx, event, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		fmt.Fprintf(os.Stderr, "nrc-standin: event: %v\n", err)
	}
}
