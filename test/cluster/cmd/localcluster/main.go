// Command localcluster runs a real kube-apiserver, built from the
// k8s.io/kubernetes module, on loopback with embedded etcd. It exists so that
// every allow/deny this project predicts can be checked against the
// apiserver's own decision, with no docker, kind or downloaded binaries.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "controller-manager":
			os.Exit(runControllerManager(os.Args[2:]))
		case "scheduler":
			os.Exit(runScheduler(os.Args[2:]))
		case "serving-cert":
			os.Exit(runServingCert(os.Args[2:]))
		case "client-csr":
			os.Exit(runClientCSR(os.Args[2:]))
		}
	}
	os.Exit(runServer(os.Args[1:]))
}

// clusterInfo is written to <state-dir>/cluster.json and printed as one line on
// stdout once /readyz answers, so supervisors need no log scraping.
type clusterInfo struct {
	Server       string `json:"server"`
	Kubeconfig   string `json:"kubeconfig"`
	CAFile       string `json:"caFile"`
	AuditLog     string `json:"auditLog"`
	FeatureGates string `json:"featureGates"`
	StateDir     string `json:"stateDir"`
	PID          int    `json:"pid"`
}

func runServer(args []string) int {
	flags := flag.NewFlagSet("localcluster", flag.ContinueOnError)
	stateDir := flags.String("state-dir", "", "directory for etcd data, PKI, kubeconfig and audit log (default: a new temp dir)")
	keepState := flags.Bool("keep-state", false, "leave the state directory in place on exit")
	featureGates := flags.String("feature-gates", "ConstrainedImpersonation=true", "kube-apiserver --feature-gates value")
	port := flags.Int("port", 0, "secure port on 127.0.0.1 (0: a free one)")
	extra := flags.String("extra-args", "", "extra kube-apiserver flags, comma-separated")
	controllers := flags.String("controllers", "", "run kube-controller-manager with these controllers once the apiserver is ready (empty: none)")
	withScheduler := flags.Bool("scheduler", false, "run kube-scheduler once the apiserver is ready")
	kwok := flags.String("kwok", "", "run this kwok binary once the apiserver is ready, with --kwok-config, for nodes annotated kwok.x-k8s.io/node=fake")
	kwokConfig := flags.String("kwok-config", "", "kwok's configuration: its Stages for nodes and pods")
	nodeLeaseSeconds := flags.Int("node-lease-seconds", 40, "lease duration of kwok's nodes, as the kubelet's nodeLeaseDurationSeconds")
	if err := flags.Parse(args); err != nil {
		return 2
	}

	dir := *stateDir
	if dir == "" {
		created, err := os.MkdirTemp("", "localcluster-")
		if err != nil {
			return fail("create state dir: %v", err)
		}
		dir = created
	}
	dir, _ = filepath.Abs(dir)
	if !*keepState {
		defer os.RemoveAll(dir)
	}

	securePort := *port
	if securePort == 0 {
		free, err := freePort()
		if err != nil {
			return fail("find a free port: %v", err)
		}
		securePort = free
	} else if !portFree(securePort) {
		return fail("port %d on 127.0.0.1 is already in use", securePort)
	}

	pki, err := writePKI(filepath.Join(dir, "pki"))
	if err != nil {
		return fail("write PKI: %v", err)
	}
	server := "https://127.0.0.1:" + strconv.Itoa(securePort)
	kubeconfig := filepath.Join(dir, "kubeconfig")
	if err := writeKubeconfig(kubeconfig, server, pki.caCert, "admin", pki.adminCert, pki.adminKey); err != nil {
		return fail("write kubeconfig: %v", err)
	}
	controllerManagerKubeconfig := filepath.Join(dir, "controller-manager.kubeconfig")
	schedulerKubeconfig := filepath.Join(dir, "scheduler.kubeconfig")
	if err := writeKubeconfig(controllerManagerKubeconfig, server, pki.caCert, "system:kube-controller-manager", pki.controllerManagerCert, pki.controllerManagerKey); err != nil {
		return fail("write kubeconfig: %v", err)
	}
	if err := writeKubeconfig(schedulerKubeconfig, server, pki.caCert, "system:kube-scheduler", pki.schedulerCert, pki.schedulerKey); err != nil {
		return fail("write kubeconfig: %v", err)
	}
	auditPolicy := filepath.Join(dir, "audit-policy.yaml")
	if err := os.WriteFile(auditPolicy, []byte(auditPolicyYAML), 0o600); err != nil {
		return fail("write audit policy: %v", err)
	}

	etcd, etcdURL, err := startEtcd(filepath.Join(dir, "etcd"))
	if err != nil {
		return fail("start etcd: %v", err)
	}
	defer etcd.Close()

	info := clusterInfo{
		Server:       server,
		Kubeconfig:   kubeconfig,
		CAFile:       pki.caCert,
		AuditLog:     filepath.Join(dir, "audit.log"),
		FeatureGates: *featureGates,
		StateDir:     dir,
		PID:          os.Getpid(),
	}
	apiserverArgs := []string{
		"--etcd-servers=" + etcdURL,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(securePort),
		"--cert-dir=" + filepath.Join(dir, "pki"),
		"--tls-cert-file=" + pki.servingCert,
		"--tls-private-key-file=" + pki.servingKey,
		"--client-ca-file=" + pki.caCert,
		// The loopback advertise address would be rejected by the endpoint
		// reconciler, and nothing here needs the kubernetes Service endpoints.
		"--endpoint-reconciler-type=none",
		"--service-cluster-ip-range=10.96.0.0/16",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-signing-key-file=" + pki.saKey,
		"--service-account-key-file=" + pki.saPub,
		"--api-audiences=https://kubernetes.default.svc.cluster.local",
		"--authorization-mode=Node,RBAC",
		"--enable-admission-plugins=NodeRestriction",
		// As kubeadm and every real distribution run it: node agents such as NPD are privileged.
		"--allow-privileged=true",
		"--feature-gates=" + *featureGates,
		"--audit-policy-file=" + auditPolicy,
		"--audit-log-path=" + info.AuditLog,
		"--audit-log-format=json",
		"--audit-log-mode=blocking",
		"--profiling=false",
		"--v=0",
	}
	if *extra != "" {
		apiserverArgs = append(apiserverArgs, splitComma(*extra)...)
	}

	// NewAPIServerCommand installs the process signal handler itself; installing
	// a second one would panic, so shutdown rides on its context.
	cmd := app.NewAPIServerCommand()
	cmd.SetArgs(apiserverArgs)

	stopChildrenOnSignal()
	go announceWhenReady(cmd.Context(), info, pki, func() error {
		if *controllers != "" {
			if err := startComponent("controller-manager", controllerManagerArgs(*controllers, controllerManagerKubeconfig, pki), filepath.Join(dir, "controller-manager.log")); err != nil {
				return err
			}
		}
		if *withScheduler {
			if err := startComponent("scheduler", schedulerArgs(schedulerKubeconfig), filepath.Join(dir, "scheduler.log")); err != nil {
				return err
			}
		}
		if *kwok != "" {
			return startChild(*kwok, kwokArgs(kubeconfig, *kwokConfig, *nodeLeaseSeconds), filepath.Join(dir, "kwok.log"))
		}
		return nil
	})

	code := cli.Run(cmd)
	return code
}

func announceWhenReady(ctx context.Context, info clusterInfo, pki pkiFiles, startControllers func() error) {
	if ctx == nil {
		ctx = context.Background()
	}
	client, err := adminHTTPClient(pki)
	if err != nil {
		fmt.Fprintf(os.Stderr, "localcluster: admin client: %v\n", err)
		return
	}
	deadline := time.Now().Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		if ctx.Err() != nil {
			return
		}
		resp, err := client.Get(info.Server + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				if err := startControllers(); err != nil {
					fmt.Fprintf(os.Stderr, "localcluster: %v\n", err)
					_ = syscall.Kill(os.Getpid(), syscall.SIGTERM)
					return
				}
				line, _ := json.Marshal(info)
				_ = os.WriteFile(filepath.Join(info.StateDir, "cluster.json"), line, 0o600)
				fmt.Println(string(line))
				return
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	fmt.Fprintln(os.Stderr, "localcluster: kube-apiserver did not become ready within 5m")
	_ = syscall.Kill(os.Getpid(), syscall.SIGTERM)
}

func startEtcd(dir string) (*embed.Etcd, string, error) {
	clientPort, err := freePort()
	if err != nil {
		return nil, "", err
	}
	peerPort, err := freePort()
	if err != nil {
		return nil, "", err
	}
	cfg := embed.NewConfig()
	cfg.Dir = dir
	cfg.LogLevel = "error"
	cfg.UnsafeNoFsync = true
	clientURL := mustURL("http://127.0.0.1:" + strconv.Itoa(clientPort))
	peerURL := mustURL("http://127.0.0.1:" + strconv.Itoa(peerPort))
	cfg.ListenClientUrls = []urlType{clientURL}
	cfg.AdvertiseClientUrls = []urlType{clientURL}
	cfg.ListenPeerUrls = []urlType{peerURL}
	cfg.AdvertisePeerUrls = []urlType{peerURL}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	etcd, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, "", err
	}
	select {
	case <-etcd.Server.ReadyNotify():
		return etcd, clientURL.String(), nil
	case <-time.After(60 * time.Second):
		etcd.Close()
		return nil, "", errors.New("etcd did not become ready within 60s")
	}
}

func freePort() (int, error) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer listener.Close()
	return listener.Addr().(*net.TCPAddr).Port, nil
}

func portFree(port int) bool {
	listener, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return false
	}
	listener.Close()
	return true
}

func fail(format string, args ...any) int {
	fmt.Fprintf(os.Stderr, "localcluster: "+format+"\n", args...)
	return 1
}

const auditPolicyYAML = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
- level: Metadata
`
