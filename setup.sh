#!/usr/bin/env bash
# One-time set-up on a fresh machine: Graphviz's `dot` program (graph pictures),
# a virtual environment in .venv, and the package with its demo and test extras.
set -euo pipefail
cd "$(dirname "$0")"

python3 - <<'PY' || { echo "autograd_mlp needs Python >= 3.10 as python3" >&2; exit 1; }
import sys; sys.exit(sys.version_info < (3, 10))
PY

if ! command -v dot >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "Installing Graphviz (the 'dot' program) with apt-get ..."
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq graphviz >/dev/null
  else
    echo "warning: Graphviz 'dot' not found; install it (brew install graphviz, conda install graphviz," >&2
    echo "         https://graphviz.org/download/) to render graph pictures. Everything else works." >&2
  fi
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q -e ".[dev]"
echo "Set up: .venv is ready (activate it with: source .venv/bin/activate)"
