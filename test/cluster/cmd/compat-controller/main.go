// compat-controller is our NRC-compatible controller: the Node Readiness Controller's
// documented behaviour (v0.5) for NodeReadinessRules, written by this project from
// NRC's docs, CRD and examples, so the test harness and the demo need no third-party
// source. It takes the flags NRC's manager takes; the end-to-end suites pass against
// both.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"k8s.io/apimachinery/pkg/util/uuid"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/workqueue"

	corev1 "k8s.io/api/core/v1"
)

const (
	// eventComponent is the source NRC records its events under; our product selects
	// NRC's events by it, so ours must carry the same.
	eventComponent = "node-readiness-controller"
	// leaderElectionID is the Lease NRC's manager elects its leader with.
	leaderElectionID = "ba65f13e.readiness.node.x-k8s.io"
	userAgent        = "compat-controller (kubectl-readiness test harness, NRC-compatible)"
	inClusterNSFile  = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"
)

type options struct {
	kubeconfig              string
	metricsAddress          string
	probeAddress            string
	leaderElect             bool
	leaderElectionNamespace string
	enableWebhook           bool
	qps                     float64
	burst                   int
	nodeWorkers             int
	ruleWorkers             int
}

func parseFlags() options {
	var o options
	flag.StringVar(&o.kubeconfig, "kubeconfig", "", "Path to a kubeconfig; else in-cluster, KUBECONFIG or ~/.kube/config.")
	flag.StringVar(&o.metricsAddress, "metrics-bind-address", "0", "Address of the plain-HTTP /metrics endpoint; 0 turns it off.")
	flag.StringVar(&o.probeAddress, "health-probe-bind-address", ":8081", "Address of /healthz and /readyz.")
	flag.BoolVar(&o.leaderElect, "leader-elect", false, "Run the controllers only while holding NRC's leader Lease.")
	flag.StringVar(&o.leaderElectionNamespace, "leader-election-namespace", "", "Namespace of the leader Lease (default: the pod's own).")
	flag.BoolVar(&o.enableWebhook, "enable-webhook", false, "Serve the validating webhook on :9443.")
	flag.Float64Var(&o.qps, "kube-api-qps", 20, "Requests per second to the apiserver.")
	flag.IntVar(&o.burst, "kube-api-burst", 30, "Burst of requests to the apiserver.")
	flag.IntVar(&o.nodeWorkers, "node-concurrent-reconciles", 1, "Nodes reconciled at once.")
	flag.IntVar(&o.ruleWorkers, "rule-concurrent-reconciles", 1, "Rules reconciled at once.")
	// Accepted so NRC's chart can start this binary unchanged. Secure metrics need
	// apiserver-delegated authn/z, and per-node state metrics and pprof are NRC's
	// profiling aids: none is exercised here, so each is accepted and ignored.
	flag.Bool("metrics-secure", false, "Accepted for NRC compatibility; metrics are served over plain HTTP.")
	flag.String("metrics-cert-dir", "", "Accepted for NRC compatibility; unused.")
	flag.Bool("enable-node-state-metrics", false, "Accepted for NRC compatibility; unused.")
	flag.String("pprof-bind-address", "", "Accepted for NRC compatibility; unused.")
	flag.Parse()
	return o
}

func main() {
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	o := parseFlags()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := run(ctx, o); err != nil {
		log.Printf("compat-controller: %v", err)
		os.Exit(1)
	}
	log.Printf("compat-controller: stopped")
}

func restConfig(o options) (*rest.Config, error) {
	var config *rest.Config
	var err error
	if o.kubeconfig != "" {
		config, err = clientcmd.BuildConfigFromFlags("", o.kubeconfig)
	} else if config, err = rest.InClusterConfig(); err != nil {
		config, err = clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
			clientcmd.NewDefaultClientConfigLoadingRules(), &clientcmd.ConfigOverrides{}).ClientConfig()
	}
	if err != nil {
		return nil, err
	}
	config.QPS, config.Burst, config.UserAgent = float32(o.qps), o.burst, userAgent
	return config, nil
}

func run(ctx context.Context, o options) error {
	config, err := restConfig(o)
	if err != nil {
		return fmt.Errorf("kubeconfig: %w", err)
	}
	kube, err := kubernetes.NewForConfig(config)
	if err != nil {
		return err
	}
	dyn, err := dynamic.NewForConfig(config)
	if err != nil {
		return err
	}
	broadcaster := record.NewBroadcaster(record.WithContext(ctx))
	broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: kube.CoreV1().Events("")})
	defer broadcaster.Shutdown()

	nodeInformers := informers.NewSharedInformerFactory(kube, 0)
	ruleInformers := dynamicinformer.NewDynamicSharedInformerFactory(dyn, 0)
	nodeInformer := nodeInformers.Core().V1().Nodes()
	ruleInformer := ruleInformers.ForResource(ruleResource)
	c := &controller{
		kube:      kube,
		rules:     dyn.Resource(ruleResource),
		nodes:     nodeInformer.Lister(),
		ruleCache: ruleInformer.Informer().GetIndexer(),
		recorder:  broadcaster.NewRecorder(scheme.Scheme, corev1.EventSource{Component: eventComponent}),
		nodeQueue: newQueue("nodes"),
		ruleQueue: newQueue("nodereadinessrules"),
		store:     newStore(),
		counters:  newCounters(),
	}
	defer c.nodeQueue.ShutDown()
	defer c.ruleQueue.ShutDown()
	if _, err := nodeInformer.Informer().AddEventHandler(c.nodeHandlers()); err != nil {
		return err
	}
	if _, err := ruleInformer.Informer().AddEventHandler(c.ruleHandlers()); err != nil {
		return err
	}
	nodeInformers.Start(ctx.Done())
	ruleInformers.Start(ctx.Done())
	defer nodeInformers.Shutdown()
	defer ruleInformers.Shutdown()

	servers := make(chan error, 4)
	if err := startProbes(ctx, o.probeAddress, servers); err != nil {
		return err
	}
	if o.metricsAddress != "0" {
		go func() { servers <- serveHTTP(ctx, o.metricsAddress, "/metrics", c.metricsHandler()) }()
	}
	if !cache.WaitForCacheSync(ctx.Done(), nodeInformer.Informer().HasSynced, ruleInformer.Informer().HasSynced) {
		return nil // stopped before the caches filled
	}
	if o.enableWebhook {
		go func() { servers <- serveWebhook(ctx, c.cachedRules) }()
		log.Printf("compat-controller: webhook enabled on :%d%s", webhookPort, webhookPath)
	}
	log.Printf("compat-controller: caches synced, starting %d node and %d rule workers", o.nodeWorkers, o.ruleWorkers)
	controllers := func(ctx context.Context) { c.runWorkers(ctx, o) }
	go func() {
		if o.leaderElect {
			servers <- runAsLeader(ctx, kube, o.leaderElectionNamespace, controllers)
			return
		}
		controllers(ctx)
	}()
	select {
	case err := <-servers:
		return err
	case <-ctx.Done():
		return nil
	}
}

func (c *controller) runWorkers(ctx context.Context, o options) {
	for range max(o.nodeWorkers, 1) {
		go wait.UntilWithContext(ctx, func(ctx context.Context) { drain(ctx, "node", c.nodeQueue, c.reconcileNode) }, time.Second)
	}
	for range max(o.ruleWorkers, 1) {
		go wait.UntilWithContext(ctx, func(ctx context.Context) { drain(ctx, "rule", c.ruleQueue, c.reconcileRule) }, time.Second)
	}
	<-ctx.Done()
}

// drain handles keys until the queue shuts down, retrying failed ones with backoff.
func drain(ctx context.Context, kind string, queue workqueue.TypedRateLimitingInterface[string], handle func(context.Context, string) error) {
	for {
		key, shutdown := queue.Get()
		if shutdown {
			return
		}
		if err := handle(ctx, key); err != nil && ctx.Err() == nil {
			log.Printf("compat-controller: %s %s: %v (will retry)", kind, key, err)
			queue.AddRateLimited(key)
		} else {
			queue.Forget(key)
		}
		queue.Done(key)
	}
}

// runAsLeader runs the controllers while this process holds NRC's leader Lease.
func runAsLeader(ctx context.Context, kube kubernetes.Interface, namespace string, controllers func(context.Context)) error {
	if namespace == "" {
		data, err := os.ReadFile(inClusterNSFile)
		if err != nil {
			return errors.New("leader election needs --leader-election-namespace when not running in a pod")
		}
		namespace = strings.TrimSpace(string(data))
	}
	hostname, err := os.Hostname()
	if err != nil {
		return err
	}
	lock, err := resourcelock.New(resourcelock.LeasesResourceLock, namespace, leaderElectionID,
		kube.CoreV1(), kube.CoordinationV1(), resourcelock.ResourceLockConfig{Identity: hostname + "_" + string(uuid.NewUUID())})
	if err != nil {
		return err
	}
	lost := make(chan error, 1)
	leaderelection.RunOrDie(ctx, leaderelection.LeaderElectionConfig{
		Lock:            lock,
		LeaseDuration:   15 * time.Second,
		RenewDeadline:   10 * time.Second,
		RetryPeriod:     2 * time.Second,
		ReleaseOnCancel: true,
		Callbacks: leaderelection.LeaderCallbacks{
			OnStartedLeading: controllers,
			OnStoppedLeading: func() {
				if ctx.Err() == nil {
					lost <- errors.New("lost the leader Lease")
				}
			},
		},
	})
	select {
	case err := <-lost:
		return err
	default:
		return nil
	}
}

// startProbes listens before returning, so a bad address fails the start.
func startProbes(ctx context.Context, address string, servers chan<- error) error {
	if address == "0" {
		return nil
	}
	listener, err := net.Listen("tcp", address)
	if err != nil {
		return fmt.Errorf("health probes: %w", err)
	}
	log.Printf("compat-controller: health probes on %s", listener.Addr())
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "ok") })
	mux := http.NewServeMux()
	mux.Handle("/healthz", ok)
	mux.Handle("/readyz", ok)
	server := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { servers <- serveUntilDone(ctx, server, func() error { return server.Serve(listener) }) }()
	return nil
}

func serveHTTP(ctx context.Context, address, path string, handler http.Handler) error {
	mux := http.NewServeMux()
	mux.Handle(path, handler)
	server := &http.Server{Addr: address, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	log.Printf("compat-controller: metrics on %s%s", address, path)
	return serveUntilDone(ctx, server, server.ListenAndServe)
}
