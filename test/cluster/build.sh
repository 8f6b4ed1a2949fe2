#!/usr/bin/env bash
# Builds the local cluster's binaries into test/cluster/bin: kube-apiserver,
# kube-controller-manager and kube-scheduler (wrapped with embedded etcd) and
# kubectl, all from the pinned k8s.io/kubernetes module; kwok as the nodes'
# kubelet; Helm from its Go module for rendering charts; and NRC's own
# controller and reporter, built in place from ../shared/upstream (the Go
# module proxy refuses that module, not its dependencies). Go's own build
# cache makes a rebuild take seconds.
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
nrc=${READINESS_UPSTREAM_DIR:-$(cd ../../.. && pwd)/shared/upstream/node-readiness-controller}
echo "build: NRC controller and readiness-condition-reporter from $nrc" >&2
bin=$PWD/bin
(cd "$nrc" && go build -trimpath -ldflags "-s -w" -o "$bin/nrc-controller" ./cmd &&
  go build -trimpath -ldflags "-s -w" -o "$bin/nrc-reporter" ./cmd/readiness-condition-reporter)
