#!/usr/bin/env bash
# Installs what the test suite needs beyond npm packages, on a fresh machine, if missing:
# Python clients (boto3, the AWS CLI) and a PostgreSQL server for the store's PostgreSQL suite.
set -euo pipefail
python=${SALVIA_TEST_PYTHON:-python3}

if ! "$python" -c 'import boto3' >/dev/null 2>&1 || ! command -v aws >/dev/null 2>&1; then
  echo "setup: installing boto3 and awscli with pip"
  "$python" -m pip install --quiet boto3 awscli
fi

if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing postgresql with apt-get"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    echo "setup: PostgreSQL is not installed; its tests will be skipped" >&2
  fi
fi
