package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-controller-manager/app"
)

// runControllerManager is the real kube-controller-manager from the same
// k8s.io/kubernetes module. It runs as its own process (this binary, another
// subcommand) because the apiserver and controller-manager commands each own
// process-wide state: feature gates, the component registry, klog flags.
func runControllerManager(args []string) int {
	cmd := app.NewControllerManagerCommand()
	cmd.SetArgs(args)
	return cli.Run(cmd)
}

// startControllerManager runs the chosen controllers against the cluster with
// the cluster's own CA as the CSR signer and its service-account key for
// legacy token Secrets, and dies with its parent.
func startControllerManager(controllers string, kubeconfig string, pki pkiFiles, logPath string) (*exec.Cmd, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "controller-manager",
		"--kubeconfig="+kubeconfig,
		"--controllers="+controllers,
		"--cluster-signing-cert-file="+pki.caCert,
		"--cluster-signing-key-file="+pki.caKey,
		"--service-account-private-key-file="+pki.saKey,
		"--root-ca-file="+pki.caCert,
		"--leader-elect=false",
		"--secure-port=0",
		"--v=0",
	)
	cmd.Stdout = log
	cmd.Stderr = log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("start kube-controller-manager: %w", err)
	}
	go func() {
		_ = cmd.Wait()
		log.Close()
	}()
	return cmd, nil
}
