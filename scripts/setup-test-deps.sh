#!/usr/bin/env bash
# Installs what the test suite needs beyond npm packages, on a fresh machine, when missing:
#  - boto3 and the AWS CLI in the python3 on PATH (or $SALVIA_TEST_PYTHON), for the Python client tests;
#  - a PostgreSQL server (Debian's `postgresql` package) for the store's PostgreSQL runs, which start
#    their own throwaway cluster (test/helpers/postgres.ts) — no service is started here;
#  - bubblewrap (Debian's `bubblewrap`), which sandboxes training jobs;
#  - numpy, scipy, xgboost, scikit-learn and pandas for /usr/bin/python3 (Debian's python3-* packages):
#    the built-in algorithms run with it (--algorithm-python) and their tests make datasets with sklearn.
# Idempotent and quiet when everything is there. Never fails the run because of PostgreSQL: if it
# cannot be installed, the PostgreSQL tests are skipped with a loud banner (SALVIA_REQUIRE_POSTGRES=1
# turns that into a failure). Runs from `npm test` (pretest) and so from .ci/run.
set -uo pipefail
python=${SALVIA_TEST_PYTHON:-python3}
status=0

banner() {
  printf '\n%s\n!! setup-test-deps: %s\n%s\n\n' "$(printf '!%.0s' {1..78})" "$1" "$(printf '!%.0s' {1..78})" >&2
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo -n "$@"; else return 1; fi
}

apt_updated=0
apt_install() {
  command -v apt-get >/dev/null 2>&1 || return 1
  if [ "$apt_updated" = 0 ]; then
    as_root apt-get -o DPkg::Lock::Timeout=300 update -qq || return 1
    apt_updated=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "$@" >/dev/null
}

# --- Python clients -----------------------------------------------------------------------------
python_ok() { "$python" -c 'import boto3' >/dev/null 2>&1 && command -v aws >/dev/null 2>&1 && aws --version >/dev/null 2>&1; }
if ! command -v "$python" >/dev/null 2>&1; then
  echo "setup: installing python3 with apt-get"
  apt_install python3 python3-pip || banner "no $python and it could not be installed: the boto3 / AWS CLI tests will fail"
fi
if command -v "$python" >/dev/null 2>&1 && ! python_ok; then
  echo "setup: installing boto3 and awscli with pip into $(command -v "$python")"
  "$python" -m pip install --quiet boto3 awscli ||
    "$python" -m pip install --quiet --break-system-packages boto3 awscli ||
    apt_install python3-boto3 awscli || true
  command -v pyenv >/dev/null 2>&1 && pyenv rehash >/dev/null 2>&1
  hash -r
  if ! python_ok; then
    banner "boto3 or the AWS CLI is still missing: the Python client tests will fail"
    status=1
  fi
fi

# --- PostgreSQL ---------------------------------------------------------------------------------
pg_found() {
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 ||
    { [ -n "${SALVIA_PG_BINDIR:-}" ] && [ -x "$SALVIA_PG_BINDIR/initdb" ]; }
}
if ! pg_found; then
  echo "setup: installing postgresql with apt-get"
  apt_install postgresql || true
fi
if ! pg_found; then
  if [ "${SALVIA_REQUIRE_POSTGRES:-}" = 1 ]; then
    banner "PostgreSQL could not be installed and SALVIA_REQUIRE_POSTGRES=1"
    exit 1
  fi
  banner "PostgreSQL could not be installed: the PostgreSQL store tests will be SKIPPED"
elif [ "$(id -u)" = 0 ] && ! id -u postgres >/dev/null 2>&1 && ! id -u nobody >/dev/null 2>&1; then
  banner "running as root without a postgres or nobody user: the PostgreSQL store tests will be SKIPPED"
fi

# --- bubblewrap ---------------------------------------------------------------------------------
# Training jobs run under bwrap (real /opt/ml, hostnames algo-N, network isolation); the training
# e2e tests rely on it. Without it the server falls back to plain processes with a warning.
if ! command -v bwrap >/dev/null 2>&1; then
  echo "setup: installing bubblewrap with apt-get"
  apt_install bubblewrap || true
fi
if ! command -v bwrap >/dev/null 2>&1; then
  banner "bubblewrap (bwrap) could not be installed: the training e2e tests that need /opt/ml, hostnames or network isolation will fail"
elif ! bwrap --bind / / --unshare-uts --unshare-net true >/dev/null 2>&1; then
  banner "bwrap cannot create namespaces here (user namespaces disabled?): training jobs will run without a sandbox and its tests will fail"
fi

# --- Built-in algorithms ------------------------------------------------------------------------
# They run with /usr/bin/python3 (the default --algorithm-python) on Debian's numpy/scipy/xgboost;
# their tests generate datasets with scikit-learn. No pip: these come from apt only.
algorithm_python=/usr/bin/python3
algorithms_ok() { "$algorithm_python" -c 'import numpy, scipy, xgboost, sklearn, pandas' >/dev/null 2>&1; }
if ! algorithms_ok; then
  echo "setup: installing python3-xgboost python3-sklearn python3-scipy python3-numpy python3-pandas with apt-get"
  apt_install python3 python3-xgboost python3-sklearn python3-scipy python3-numpy python3-pandas || true
fi
if ! algorithms_ok; then
  banner "$algorithm_python cannot import numpy, scipy, xgboost, sklearn and pandas: the built-in algorithm tests will fail (apt-get install python3-xgboost python3-sklearn python3-scipy python3-numpy python3-pandas)"
fi

# --- FUSE and rclone ----------------------------------------------------------------------------
# FastFile channels are rclone FUSE mounts (Debian's `rclone` and `fuse3` for fusermount3); without
# them FastFile jobs fail at start and the FastFile e2e tests are skipped.
if ! command -v rclone >/dev/null 2>&1 || ! command -v fusermount3 >/dev/null 2>&1; then
  echo "setup: installing rclone and fuse3 with apt-get"
  apt_install rclone fuse3 || true
fi
if ! command -v rclone >/dev/null 2>&1 || ! command -v fusermount3 >/dev/null 2>&1 || [ ! -e /dev/fuse ]; then
  banner "rclone, fusermount3 or /dev/fuse is missing: FastFile training channels cannot run and their tests will be SKIPPED"
fi

# Missing Python clients are reported above; the tests that need them fail on their own with a clear
# message, so the rest of the suite still runs.
[ "$status" = 0 ] || echo "setup: finished with warnings" >&2
exit 0
