package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"

	"k8s.io/component-base/cli"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"
)

// The real kube-controller-manager and kube-scheduler from the same
// k8s.io/kubernetes module. Each runs as its own process (this binary, another
// subcommand) because the apiserver, controller-manager and scheduler commands
// each own process-wide state: feature gates, the component registry, klog
// flags.

func runControllerManager(args []string) int {
	cmd := controllermanager.NewControllerManagerCommand()
	cmd.SetArgs(args)
	return cli.Run(cmd)
}

func runScheduler(args []string) int {
	cmd := scheduler.NewSchedulerCommand()
	cmd.SetArgs(args)
	return cli.Run(cmd)
}

// controllerManagerArgs runs the chosen controllers as kubeadm does: each
// controller with its own ServiceAccount's credentials, the cluster's own CA
// as the CSR signer and its service-account key for legacy token Secrets.
func controllerManagerArgs(controllers string, kubeconfig string, pki pkiFiles) []string {
	return []string{
		"--kubeconfig=" + kubeconfig,
		"--controllers=" + controllers,
		"--cluster-signing-cert-file=" + pki.caCert,
		"--cluster-signing-key-file=" + pki.caKey,
		"--service-account-private-key-file=" + pki.saKey,
		"--root-ca-file=" + pki.caCert,
		"--use-service-account-credentials=true",
		"--leader-elect=false",
		"--secure-port=0",
		"--v=0",
	}
}

func schedulerArgs(kubeconfig string) []string {
	return []string{
		"--kubeconfig=" + kubeconfig,
		"--leader-elect=false",
		"--secure-port=0",
		"--v=0",
	}
}

// kwokArgs makes kwok the kubelet of the nodes annotated kwok.x-k8s.io/node=fake:
// it marks them Ready with heartbeats and leases and runs their pods, with
// strategic-merge status patches that leave other writers' conditions alone.
func kwokArgs(kubeconfig, config string, nodeLeaseSeconds int) []string {
	return []string{
		"--kubeconfig=" + kubeconfig,
		"--config=" + config,
		"--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
		"--node-lease-duration-seconds=" + strconv.Itoa(nodeLeaseSeconds),
		"--server-address=127.0.0.1:0",
	}
}

// startComponent runs this binary's subcommand as a child that dies with its
// parent, logging to logPath.
func startComponent(subcommand string, args []string, logPath string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	return startChild(self, append([]string{subcommand}, args...), logPath)
}

// children are stopped first when localcluster is told to stop: their open
// watches would otherwise hold the apiserver's shutdown for its full minute.
var children = struct {
	sync.Mutex
	started []*exec.Cmd
}{}

func stopChildrenOnSignal() {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-signals
		children.Lock()
		defer children.Unlock()
		for _, cmd := range children.started {
			_ = cmd.Process.Signal(syscall.SIGTERM)
		}
	}()
}

func startChild(path string, args []string, logPath string) error {
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	cmd := exec.Command(path, args...)
	cmd.Stdout = log
	cmd.Stderr = log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		log.Close()
		return fmt.Errorf("start %s: %w", filepath.Base(path), err)
	}
	children.Lock()
	children.started = append(children.started, cmd)
	children.Unlock()
	go func() {
		_ = cmd.Wait()
		log.Close()
	}()
	return nil
}
