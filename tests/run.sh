#!/usr/bin/env bash
# The whole test suite from a fresh Debian machine that has only Rust: installs what the
# tests need, then runs `cargo test` with this script's arguments.
#
#   tests/run.sh                    # everything
#   tests/run.sh --test browser     # arguments go to cargo test as they are
#
# What it installs, each only when missing (a second run installs nothing):
#   - Debian packages: poppler-utils (pdftotext, pdffonts, pdftoppm), qpdf, chromium, strace,
#     util-linux (setpriv), python3-venv, nodejs and npm;
#   - .test-tools/venv: a Python virtual environment with tests/tools/requirements.txt;
#   - .test-tools/node_modules: tests/tools/package.json as pinned by its package-lock.json.
# The tests find these at those paths; one that needs a missing tool fails and names this
# script.
set -euo pipefail
cd "$(dirname "$0")/.."

tools=.test-tools
say() { echo "tests/run.sh: $*" >&2; }

# Debian packages -----------------------------------------------------------------------
need=()
have() { command -v "$1" >/dev/null 2>&1; }
have pdftotext || need+=(poppler-utils)
have qpdf || need+=(qpdf)
have chromium || have chromium-browser || have google-chrome || need+=(chromium)
# tests/hostile.rs traces dossier's system calls for network use and credential reads.
have strace || need+=(strace)
# tests/hostile.rs runs dossier as nobody through setpriv when the tests run as root.
have setpriv || need+=(util-linux)
have python3 || need+=(python3)
have npm || need+=(npm)
have node || need+=(nodejs)
apt_install() {
  say "installing Debian packages: $*"
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    have sudo || { say "need root or sudo to install $*"; exit 2; }
    sudo=sudo
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@"
}
if [ ${#need[@]} -gt 0 ]; then
  apt_install "${need[@]}"
fi

# A stamp holds the hash of the file an install was made from, so an unchanged pin list
# costs one hash and a changed one reinstalls.
stamp_ok() { [ -f "$2" ] && [ "$(cat "$2")" = "$(sha256sum "$1" | cut -d' ' -f1)" ]; }
stamp() { sha256sum "$1" | cut -d' ' -f1 >"$2"; }

# Python checkers ----------------------------------------------------------------------
venv=$tools/venv
if ! [ -x "$venv/bin/python" ] || ! "$venv/bin/python" -c '' >/dev/null 2>&1; then
  say "creating $venv"
  rm -rf "$venv"
  mkdir -p "$tools"
  # Debian's python3 makes no virtual environment (no ensurepip) until python3-venv is
  # installed; only trying tells.
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    rm -rf "$venv"
    apt_install python3-venv
    python3 -m venv "$venv"
  fi
fi
if ! stamp_ok tests/tools/requirements.txt "$venv/.requirements.sha256"; then
  say "installing tests/tools/requirements.txt into $venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    --requirement tests/tools/requirements.txt
  stamp tests/tools/requirements.txt "$venv/.requirements.sha256"
fi

# npm checkers -------------------------------------------------------------------------
if ! stamp_ok tests/tools/package-lock.json "$tools/.package-lock.sha256" \
  || ! [ -d "$tools/node_modules" ]; then
  say "installing tests/tools/package.json into $tools/node_modules"
  mkdir -p "$tools"
  cp tests/tools/package.json tests/tools/package-lock.json "$tools/"
  # `npm ci` installs exactly the lock file's versions and fails if it disagrees with
  # package.json.
  npm ci --prefix "$tools" --no-audit --no-fund --loglevel=error
  stamp tests/tools/package-lock.json "$tools/.package-lock.sha256"
fi

exec cargo test "$@"
