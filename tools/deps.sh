#!/usr/bin/env bash
# Installs, with apt-get, whatever the build and the tests need and this machine lacks.
# Usage: tools/deps.sh [grade|build|test|coverage|package]   (grade: only what the grade-only
# build of tools/gradescope and action.yml needs; test adds what only the tests use; coverage adds
# lcov to that; package adds what tools/package.sh needs)
set -euo pipefail

# libarchive-dev: bank grade --batch reads Canvas's submissions zip, and the zips inside students'
# submissions, with it (bounded, nothing written to disk).
want=(gcc make cmake pkg-config libcjson-dev libarchive-dev)
if [ "${1:-build}" != grade ]; then
  # libprotobuf-dev: google/protobuf/descriptor.proto, compiled with protoc-c so that bank drive
  # --proto can read the descriptor set that protobuf-compiler's protoc makes of a student's .proto.
  # libssl-dev: rpc/tls.c reads certificates with libcrypto (gRPC's own TLS library here);
  # openssl: tools/certs.sh makes the certificates for mutual TLS (and the TLS tests use it).
  # libsqlite3-dev: bank branch --data-dir keeps a branch's state in SQLite (WAL mode), the
  # trusted embedded store, so that torn and half-written commits are its job, not ours.
  want+=(libgrpc-dev protobuf-c-compiler libprotobuf-c-dev libcairo2-dev libprotobuf-dev
         protobuf-compiler libssl-dev openssl libsqlite3-dev)
fi
if [ "${1:-build}" = test ] || [ "${1:-build}" = coverage ]; then
  # criterion: unit tests; python3-grpcio, python3-protobuf, protobuf-compiler: a course-style
  # Python customer drives our branches over the course's own wire form.
  # spin: model-checks spec/bank.pml; python3-jsonschema: checks spec/*.schema.json against
  # golden/ and tests/bad/.
  want+=(libcriterion-dev python3 python3-grpcio python3-protobuf spin
         python3-jsonschema)
fi
# dpkg-dev (dpkg-shlibdeps) and file: CPack reads the .deb's Depends from the binary with them;
# man-db: the package test reads the installed page with man -l; chromium: the HTML report is
# rendered headless (118 MB to download, 400 MB installed with what it pulls in).
case "${1:-build}" in
  test|coverage) want+=(dpkg-dev file man-db chromium) ;;
  package) want+=(dpkg-dev file) ;;
esac
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
