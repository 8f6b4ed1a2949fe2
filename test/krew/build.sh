#!/usr/bin/env bash
# Builds the real krew and its manifest validator from the sigs.k8s.io/krew
# module (pinned in go.mod) into test/krew/bin.
set -euo pipefail
cd "$(dirname "$0")"
command -v go >/dev/null || { echo "build: Go is not installed (need Go >= 1.26 on PATH)" >&2; exit 3; }
mkdir -p bin
# As test/cluster/build.sh: CI's early build and the test command's take turns.
exec 9>bin/.build.lock
flock 9
echo "build: krew $(go list -m -f '{{.Version}}' sigs.k8s.io/krew)" >&2
go build -o bin/krew sigs.k8s.io/krew/cmd/krew
go build -o bin/validate-krew-manifest sigs.k8s.io/krew/cmd/validate-krew-manifest
