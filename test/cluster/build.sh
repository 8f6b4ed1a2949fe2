#!/usr/bin/env bash
# Builds the local cluster's binaries into test/cluster/bin: kube-apiserver,
# kube-controller-manager and kube-scheduler (wrapped with embedded etcd) and
# kubectl, all from the pinned k8s.io/kubernetes module; kwok as the nodes'
# kubelet; Helm from its Go module for rendering charts; and our own
# NRC-compatible controller and reporter (cmd/compat-*). Go's own build cache
# makes a rebuild take seconds.
set -euo pipefail
cd "$(dirname "$0")"
command -v go >/dev/null || { echo "build: Go is not installed (need Go >= 1.26 on PATH)" >&2; exit 3; }
version=$(go list -m -f '{{.Version}}' k8s.io/kubernetes)
minor=$(echo "$version" | cut -d. -f2)
stamp="-X k8s.io/component-base/version.gitVersion=$version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"
mkdir -p bin
# CI starts this build early and the test command runs it again: the second
# waits here for the first, then finds every binary up to date.
exec 9>bin/.build.lock
flock 9
echo "build: localcluster (kube-apiserver $version + embedded etcd)" >&2
go build -trimpath -ldflags "-s -w $stamp" -o bin/localcluster ./cmd/localcluster
echo "build: kubectl $version" >&2
go build -trimpath -ldflags "-s -w $stamp" -o bin/kubectl k8s.io/kubernetes/cmd/kubectl
helm_version=v3.22.0
echo "build: helm $helm_version" >&2
GOBIN="$PWD/bin" go install -trimpath -ldflags "-s -w" "helm.sh/helm/v3/cmd/helm@$helm_version"
kwok_version=v0.8.0
echo "build: kwok $kwok_version (the nodes' kubelet)" >&2
GOBIN="$PWD/bin" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$kwok_version"
# kwok runs nothing without Stages: its own fast node and pod stages, with
# lease-based heartbeats as a 1.36 kubelet sends them, read from its module.
kwok_dir=$(cd / && go mod download -json "sigs.k8s.io/kwok@$kwok_version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
stages=$kwok_dir/kustomize/stage
for stage in node/fast/node-initialize node/heartbeat-with-lease/node-heartbeat-with-lease pod/fast/pod-ready pod/fast/pod-complete pod/fast/pod-delete; do
  cat "$stages/$stage.yaml"
  echo ---
done >bin/kwok-stages.yaml
# Our NRC-compatible controller and reporter (NRC's behaviour written by us;
# READINESS_NRC_CONTROLLER and READINESS_NRC_REPORTER run NRC's own instead).
for part in compat-controller compat-reporter; do
  echo "build: $part (ours)" >&2
  go build -trimpath -ldflags "-s -w" -o "bin/$part" "./cmd/$part"
done
