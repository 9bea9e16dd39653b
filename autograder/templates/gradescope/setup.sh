#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image: a virtual environment in
# $ROOT/venv with convgrade and its dependencies, installed from the wheel beside this script (no checkout
# of the convgrade repository). Written by `convgrade gradescope-bundle`.
set -euo pipefail
ROOT="${CONVGRADE_AUTOGRADER_ROOT:-/autograder}"
HERE="$(cd "$(dirname "$0")" && pwd)"

apt-get update -q
apt-get install -y -q python3 python3-venv bubblewrap  # bubblewrap: the sandbox's namespaces
PYTHON=python3
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    apt-get install -y -q python3.11 python3.11-venv  # Ubuntu 22.04 images: Python 3.10 by default
    PYTHON=python3.11
fi
"$PYTHON" -m venv "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install --quiet --upgrade pip
# Only what grading needs: the wheel without its instructor dependencies (nbgrader, Jupyter), then these.
"$ROOT/venv/bin/python" -m pip install --quiet --no-deps "$HERE/@WHEEL@"
"$ROOT/venv/bin/python" -m pip install --quiet @REQUIREMENTS@
