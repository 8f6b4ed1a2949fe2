#!/usr/bin/env bash
# Pins test/cluster to one Kubernetes release. k8s.io/kubernetes requires every
# staging module at v0.0.0, so each needs a replace to its v0.<minor>.<patch>
# tag; the list comes from Kubernetes' own go.mod so it stays right per release.
set -euo pipefail
version=${1:?usage: update-kubernetes.sh 1.36.3}
cd "$(dirname "$0")"
gomod=$(go mod download -json "k8s.io/kubernetes@v$version" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
staging=$(sed -n 's#^\s*\(k8s\.io/[a-z0-9-]*\) => \./staging/src/.*#\1#p' "$gomod" | sort -u)
for module in $staging; do
  go mod edit -replace="$module=$module@v0.${version#1.}"
done
go get "k8s.io/kubernetes@v$version"
go get -tool k8s.io/kubernetes/cmd/kubectl
go mod tidy
