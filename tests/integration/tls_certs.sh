#!/usr/bin/env bash
# The certificates the TLS tests use, made with tools/certs.sh and openssl into DIR:
#   DIR/good/      tools/certs.sh --ids 1,2,3,9,345,567,987 (branch 9 is nobody's peer; 345, 567
#                  and 987 are golden/unequal-balances's branches), and mallory.crt/.key: signed
#                  by the same CA, common name "mallory" (no role)
#   DIR/other/     tools/certs.sh --ids 2: branch-2 and customer certificates from another CA
#   DIR/expired/   branch-2.crt/.key signed by DIR/good's CA, valid only in 2020
#   DIR/elsewhere/ branch-1.crt/.key signed by DIR/good's CA, valid only for DNS:elsewhere.example
# Usage: tls_certs.sh DIR   (exit 77 when openssl is missing: the caller skips)
set -euo pipefail
dir=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
command -v openssl >/dev/null || { echo "tls_certs: openssl is not installed" >&2; exit 77; }

"$root/tools/certs.sh" --ids 1,2,3,9,345,567,987 "$dir/good" >/dev/null
"$root/tools/certs.sh" --ids 2 "$dir/other" >/dev/null

# sign NAME CN SAN OUT_DIR [openssl ca date options]: a leaf from DIR/good's CA with `openssl
# ca`, which (unlike openssl x509 in OpenSSL 3.0) takes any start and end date.
sign() {
  local name=$1 cn=$2 san=$3 out=$4
  shift 4
  local work
  work=$(mktemp -d)
  : >"$work/index.txt"
  echo 01 >"$work/serial"
  cat >"$work/ca.cnf" <<EOF
[ca]
default_ca = test
[test]
database = $work/index.txt
new_certs_dir = $work
serial = $work/serial
default_md = sha256
default_days = 30
policy = any
[any]
commonName = supplied
[leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = $san
EOF
  mkdir -p "$out"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$cn" \
    -keyout "$out/$name.key" -out "$work/req.csr" 2>/dev/null
  openssl ca -batch -config "$work/ca.cnf" -cert "$dir/good/ca.crt" -keyfile "$dir/good/ca.key" \
    -in "$work/req.csr" -out "$out/$name.crt" -extensions leaf -notext "$@" 2>"$work/err" ||
    { cat "$work/err" >&2; rm -rf "$work"; exit 1; }
  rm -rf "$work"
}
loopback="IP:127.0.0.1, DNS:localhost"
sign branch-2 branch-2 "$loopback" "$dir/expired" -startdate 20200101000000Z -enddate 20210101000000Z
sign mallory mallory "$loopback" "$dir/good"
sign branch-1 branch-1 "DNS:elsewhere.example" "$dir/elsewhere"
