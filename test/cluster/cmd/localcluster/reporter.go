package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/retry"
)

// runReporter makes the same calls as NRC's readiness-condition-reporter
// (client-go Get, then UpdateStatus, impersonating system:node:<node> when
// asked), but takes its credentials from files instead of the in-cluster
// paths, because here no kubelet mounts a projected token.
func runReporter(args []string) int {
	flags := flag.NewFlagSet("localcluster reporter", flag.ContinueOnError)
	server := flags.String("server", "", "apiserver URL")
	caFile := flags.String("ca-file", "", "apiserver CA bundle")
	tokenFile := flags.String("token-file", "", "file holding the pod-bound ServiceAccount token (re-read on every write)")
	node := flags.String("node", "", "the node this reporter runs on (NODE_NAME)")
	conditionType := flags.String("condition", "", "condition type (CONDITION_TYPE)")
	statusFile := flags.String("status-file", "", "file whose first line is True or False and second line the message; re-read on every check")
	impersonate := flags.Bool("impersonate-node", true, "impersonate system:node:<node> (IMPERSONATE_NODE=true)")
	interval := flags.Duration("interval", 2*time.Second, "check interval")
	heartbeat := flags.Duration("heartbeat", 5*time.Minute, "rewrite an unchanged condition after this long")
	once := flags.Bool("once", false, "write once and exit")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if *server == "" || *tokenFile == "" || *node == "" || *conditionType == "" || *statusFile == "" {
		return fail("reporter needs --server, --token-file, --node, --condition and --status-file")
	}
	config := &rest.Config{
		Host:            *server,
		BearerTokenFile: *tokenFile,
		TLSClientConfig: rest.TLSClientConfig{CAFile: *caFile},
		UserAgent:       "localcluster-reporter",
	}
	if *impersonate {
		config.Impersonate = rest.ImpersonationConfig{UserName: "system:node:" + *node}
	}
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		return fail("reporter client: %v", err)
	}
	ctx := waitForSignal()
	for {
		healthy, message, err := readStatus(*statusFile)
		if err != nil {
			return fail("reporter: %v", err)
		}
		if err := writeCondition(ctx, client, *node, *conditionType, healthy, message, *heartbeat); err != nil {
			fmt.Fprintf(os.Stderr, "reporter %s: %v\n", *node, err)
			if *once {
				return 1
			}
		}
		if *once {
			return 0
		}
		select {
		case <-ctx.Done():
			return 0
		case <-time.After(*interval):
		}
	}
}

func readStatus(path string) (bool, string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return false, "", err
	}
	lines := strings.SplitN(strings.TrimRight(string(raw), "\n"), "\n", 2)
	message := ""
	if len(lines) == 2 {
		message = lines[1]
	}
	return strings.TrimSpace(lines[0]) == "True", message, nil
}

func writeCondition(ctx context.Context, client kubernetes.Interface, nodeName, conditionType string, healthy bool, message string, heartbeat time.Duration) error {
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		node, err := client.CoreV1().Nodes().Get(ctx, nodeName, metav1.GetOptions{})
		if err != nil {
			return err
		}
		now := metav1.NewTime(time.Now())
		status, reason := corev1.ConditionFalse, "EndpointNotReady"
		if healthy {
			status, reason = corev1.ConditionTrue, "EndpointOK"
		}
		condition := corev1.NodeCondition{
			Type: corev1.NodeConditionType(conditionType), Status: status, Reason: reason, Message: message,
			LastHeartbeatTime: now, LastTransitionTime: now,
		}
		index := slices.IndexFunc(node.Status.Conditions, func(c corev1.NodeCondition) bool {
			return string(c.Type) == conditionType
		})
		if index >= 0 {
			existing := node.Status.Conditions[index]
			if existing.Status == status && existing.Message == message && time.Since(existing.LastHeartbeatTime.Time) < heartbeat {
				return nil
			}
			if existing.Status == status {
				condition.LastTransitionTime = existing.LastTransitionTime
			}
			node.Status.Conditions[index] = condition
		} else {
			node.Status.Conditions = append(node.Status.Conditions, condition)
		}
		_, err = client.CoreV1().Nodes().UpdateStatus(ctx, node, metav1.UpdateOptions{})
		return err
	})
}
