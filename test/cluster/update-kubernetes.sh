#!/usr/bin/env bash
# Pins one Kubernetes release: the newest in go.mod (the default suites'), an
# older one in its own module file releases/k8s-<minor>.mod, built from the
# same source by build-release.sh. k8s.io/kubernetes requires every staging
# module at v0.0.0, so each needs a replace to its v0.<minor>.<patch> tag; the
# list comes from Kubernetes' own go.mod so it stays right per release (1.35
# has 31 staging modules, 1.36 and 1.37 have 33).
#   bash update-kubernetes.sh 1.37.2                          the newest
#   bash update-kubernetes.sh 1.35.4 releases/k8s-1.35.mod    an older one
set -euo pipefail
version=${1:?usage: update-kubernetes.sh 1.37.2 [releases/k8s-1.35.mod]}
modfile=${2:-go.mod}
cd "$(dirname "$0")"
gomod=$(go mod download -json "k8s.io/kubernetes@v$version" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
if [ ! -f "$modfile" ]; then
  # A new release's file starts from the versions Kubernetes' own go.mod
  # requires: an older release does not build with a newer one's dependencies.
  printf 'module kubectl-readiness/test/cluster\n\ngo %s\n' "$(go mod edit -json go.mod | sed -n 's/^\t"Go": "\(.*\)",$/\1/p')" >"$modfile"
  sed -n '/^require (/,/^)/p' "$gomod" | sed -n 's#^\t\([^ ]*\) \(v[^ ]*\).*#\1 \2#p' | grep -v ' v0\.0\.0$' |
    while read -r module moduleVersion; do go mod edit -require="$module@$moduleVersion" "$modfile"; done
  touch "${modfile%.mod}.sum"
fi
staging=$(sed -n 's#^\s*\(k8s\.io/[a-z0-9-]*\) => \./staging/src/.*#\1#p' "$gomod" | sort -u)
for pinned in $(sed -n 's#^replace \(k8s\.io/[a-z0-9-]*\) => .*#\1#p' "$modfile"); do
  go mod edit -dropreplace="$pinned" "$modfile"
done
for module in $staging; do
  go mod edit -replace="$module=$module@v0.${version#1.}" "$modfile"
done
go get -modfile="$modfile" "k8s.io/kubernetes@v$version"
go get -modfile="$modfile" -tool "k8s.io/kubernetes/cmd/kubectl@v$version"
go mod tidy -modfile="$modfile"
