#!/usr/bin/env bash
# Builds an older Kubernetes release for the release matrix suite:
# localcluster (kube-apiserver, kube-controller-manager and kube-scheduler
# with embedded etcd) and kubectl, from the same source as build.sh's but
# against the k8s.io/kubernetes that releases/k8s-<minor>.mod pins, into
# bin/k8s-<minor>/. kwok, Helm and our NRC-compatible parts are build.sh's.
# Go's build cache is keyed by module version, so each release is compiled
# once per machine and a rebuild takes seconds.
#   bash build-release.sh 1.35
#   bash build-release.sh all     every release pinned in releases/
set -euo pipefail
cd "$(dirname "$0")"
command -v go >/dev/null || { echo "build-release: Go is not installed (need Go >= 1.26 on PATH)" >&2; exit 3; }
minor=${1:?usage: build-release.sh 1.35|all}
if [ "$minor" = all ]; then
  for modfile in releases/k8s-*.mod; do
    release=${modfile#releases/k8s-}
    bash ./build-release.sh "${release%.mod}"
  done
  exit 0
fi
modfile=releases/k8s-$minor.mod
if [ ! -f "$modfile" ]; then
  echo "build-release: no release $minor is pinned; known: $(ls releases | sed -n 's/^k8s-\(.*\)\.mod$/\1/p' | tr '\n' ' ')" >&2
  exit 2
fi
version=$(go list -modfile="$modfile" -m -f '{{.Version}}' k8s.io/kubernetes)
stamp="-X k8s.io/component-base/version.gitVersion=$version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=${minor#1.} -X k8s.io/component-base/version.gitTreeState=clean"
out=bin/k8s-$minor
mkdir -p "$out"
exec 9>"$out/.build.lock"
flock 9
echo "build-release: localcluster (kube-apiserver $version + embedded etcd)" >&2
go build -modfile="$modfile" -trimpath -ldflags "-s -w $stamp" -o "$out/localcluster" ./cmd/localcluster
echo "build-release: kubectl $version" >&2
go build -modfile="$modfile" -trimpath -ldflags "-s -w $stamp" -o "$out/kubectl" k8s.io/kubernetes/cmd/kubectl
