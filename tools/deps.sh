#!/usr/bin/env bash
# Installs, with apt-get, whatever the build and the tests need and this machine lacks.
# Usage: tools/deps.sh [build|test|coverage]   (test adds what only the tests use; coverage adds
# lcov to that)
set -euo pipefail

# libsqlite3-dev: bank branch --data-dir keeps a branch's state in SQLite (WAL mode), the
# trusted embedded store, so that torn and half-written commits are its job, not ours.
want=(gcc make cmake pkg-config libgrpc-dev protobuf-c-compiler libprotobuf-c-dev libcjson-dev
      libcairo2-dev libsqlite3-dev)
if [ "${1:-build}" = test ] || [ "${1:-build}" = coverage ]; then
  # criterion: unit tests; python3-grpcio, python3-protobuf, protobuf-compiler: a course-style
  # Python customer drives our branches over the course's own wire form.
  # spin: model-checks spec/bank.pml; python3-jsonschema: checks spec/*.schema.json against
  # golden/ and tests/bad/.
  want+=(libcriterion-dev python3 python3-grpcio python3-protobuf protobuf-compiler spin
         python3-jsonschema)
fi
# lcov: tools/coverage.sh gathers gcov's counts with it.
if [ "${1:-build}" = coverage ]; then want+=(lcov); fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
