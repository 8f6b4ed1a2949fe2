// compat-reporter is our NRC-compatible readiness condition reporter: the
// per-node half of the Node Readiness Controller, written from the documented
// behaviour of NRC's readiness-condition-reporter, so the test harness runs
// the same suites on it and on NRC's own binary (READINESS_NRC_REPORTER). It
// reads the same environment, makes the same two requests per check (get
// nodes/<node>, update nodes/<node>/status), writes the same condition and
// serves the same metrics; its user agent and logs say it is ours.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/klog/v2"
)

const (
	name    = "compat-reporter"
	version = "v0.1.0"
	// How long a stopping reporter gives a scrape in flight.
	metricsShutdownTimeout = 5 * time.Second
	metricsHeaderTimeout   = 10 * time.Second
)

func main() {
	// klog's flags (-v and the rest), as NRC's reporter takes them.
	klog.InitFlags(nil)
	flag.Parse()
	if err := runReporter(); err != nil {
		klog.ErrorS(err, "compat-reporter (our NRC-compatible reporter) cannot start")
		klog.Flush()
		os.Exit(1)
	}
}

func runReporter() error {
	s, warnings, err := settingsFrom(os.Getenv)
	if err != nil {
		return err
	}
	for _, warning := range warnings {
		klog.ErrorS(warning, "Invalid duration, using the default")
	}
	nodes, err := nodeClient(s)
	if err != nil {
		return err
	}
	metrics := newReporterMetrics()
	server := &http.Server{Addr: s.metricsBindAddress, Handler: metrics.handler(), ReadHeaderTimeout: metricsHeaderTimeout}
	go serveMetrics(server)

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	klog.InfoS("Starting compat-reporter, our NRC-compatible readiness condition reporter",
		"node", s.nodeName, "condition", s.conditionType, "interval", s.checkInterval, "metricsBindAddress", s.metricsBindAddress)
	r := &reporter{settings: s, endpoint: newEndpointClient(), nodes: nodes, metrics: metrics, now: time.Now}
	r.run(ctx)
	klog.InfoS("Stopping compat-reporter", "reason", ctx.Err())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), metricsShutdownTimeout)
	defer cancel()
	if err := server.Shutdown(shutdownCtx); err != nil {
		klog.ErrorS(err, "Failed to shut the metrics server down gracefully")
	}
	return nil
}

// nodeClient uses the pod's in-cluster config as it stands: its token comes
// from BearerTokenFile, which client-go re-reads, so the kubelet's token
// rotation carries on working.
func nodeClient(s settings) (kubernetes.Interface, error) {
	inCluster, err := rest.InClusterConfig()
	if err != nil {
		return nil, fmt.Errorf("in-cluster config: %w", err)
	}
	if s.impersonateNode {
		klog.InfoS("Node impersonation enabled", "impersonating", nodeUser(s.nodeName))
	}
	return kubernetes.NewForConfig(reporterConfig(inCluster, s))
}

// reporterConfig names us in the user agent and, with IMPERSONATE_NODE, makes
// every request act as the node by user name alone: adding a group would
// force the apiserver out of KEP-5284's associated-node mode into legacy
// impersonation.
func reporterConfig(base *rest.Config, s settings) *rest.Config {
	config := rest.CopyConfig(base)
	config.UserAgent = userAgent()
	if s.impersonateNode {
		config.Impersonate = rest.ImpersonationConfig{UserName: nodeUser(s.nodeName)}
	}
	return config
}

func nodeUser(nodeName string) string {
	return "system:node:" + nodeName
}

// userAgent names this binary in the apiserver's audit log whatever its file
// is called, so its writes are never taken for NRC's reporter.
func userAgent() string {
	return fmt.Sprintf("%s/%s (%s/%s) kubectl-readiness", name, version, runtime.GOOS, runtime.GOARCH)
}

func serveMetrics(server *http.Server) {
	if err := server.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		klog.ErrorS(err, "Metrics server failed", "address", server.Addr)
	}
}
