#!/usr/bin/env bash
# Makes the certificates for mutual TLS between branches (spec R1, R8), with openssl: a CA, one
# certificate per branch (common name branch-N, for serving and for calling its peers) and one
# for customers (common name customer-cli, for calling only).
#
# Usage: tools/certs.sh [--ids ID,ID,...] [--days D] DIR [N] [ADDRESS | ID=ADDRESS ...]
#   DIR            where to write ca.crt, ca.key, branch-N.crt, branch-N.key, customer.crt,
#                  customer.key (created; a CA already in DIR is used again, so branches can be
#                  added later; the other files are written anew)
#   N              branches 1..N; or --ids for other ids (e.g. --ids 345,601,987)
#   ADDRESS        an extra host name or IP address every branch certificate is valid for (each
#                  one always has IP:127.0.0.1, IP:::1 and DNS:localhost); ID=ADDRESS: only
#                  branch ID's. A branch's certificate must name the host its peers and
#                  customers dial (the HOST of its line in the peers file).
#   --days D       validity of the branch and customer certificates (default 825; the CA: 3650)
# Keys are EC P-256, unencrypted, readable by their owner only.
set -euo pipefail

usage() { sed -n '6,17s/^# \{0,1\}//p' "$0"; }
die() { echo "certs: $1" >&2; exit "${2:-1}"; }

ids="" days=825 dir="" count="" addresses=()
while [ $# -gt 0 ]; do
  case $1 in
    --ids) [ $# -ge 2 ] || die "--ids needs a value" 2; ids=$2; shift 2 ;;
    --days) [ $# -ge 2 ] || die "--days needs a value" 2; days=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) die "unknown option $1 (see tools/certs.sh --help)" 2 ;;
    *)
      if [ -z "$dir" ]; then dir=$1
      elif [ -z "$count" ] && [[ $1 =~ ^[0-9]+$ ]]; then count=$1
      else addresses+=("$1")
      fi
      shift ;;
  esac
done
[ -n "$dir" ] || { usage >&2; exit 2; }
command -v openssl >/dev/null || die "openssl is not installed (Debian: apt-get install openssl)"
[[ $days =~ ^[1-9][0-9]*$ ]] || die "--days: expected a whole number of days, got \"$days\"" 2
if [ -n "$ids" ]; then
  [ -z "$count" ] || die "give N or --ids, not both" 2
  [[ $ids =~ ^[0-9]+(,[0-9]+)*$ ]] || die "--ids: expected ID,ID,..., got \"$ids\"" 2
  IFS=, read -r -a branch_ids <<<"$ids"
else
  [[ ${count:-} =~ ^[1-9][0-9]*$ ]] || die "expected the number of branches N (or --ids) after DIR" 2
  mapfile -t branch_ids < <(seq 1 "$count")
fi
for id in "${branch_ids[@]}"; do
  if ! [[ $id =~ ^(0|[1-9][0-9]{0,9})$ ]] || [ "$id" -gt 2147483647 ]; then
    die "branch id $id: ids are 0 to 2147483647, without leading zeros" 2
  fi
done
for a in "${addresses[@]}"; do
  [[ $a == *=* ]] || continue
  [[ " ${branch_ids[*]} " == *" ${a%%=*} "* ]] || die "$a: there is no branch ${a%%=*} among the certificates made" 2
done

umask 077
mkdir -p "$dir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# san_of ADDRESS: the subjectAltName entry for it (IP:... for an IPv4 or IPv6 address, DNS:...).
san_of() {
  if [[ $1 =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ || $1 == *:* ]]; then echo "IP:${1#[}" | tr -d ']'
  else echo "DNS:$1"
  fi
}

# leaf NAME COMMON_NAME USAGE SAN: DIR/NAME.key and DIR/NAME.crt signed by the CA.
leaf() {
  local name=$1 cn=$2 usage=$3 san=$4
  {
    echo "[leaf]"
    echo "basicConstraints = critical, CA:FALSE"
    echo "keyUsage = critical, digitalSignature, keyEncipherment"
    echo "extendedKeyUsage = $usage"
    echo "authorityKeyIdentifier = keyid"
    [ -z "$san" ] || echo "subjectAltName = $san"
  } >"$tmp/$name.ext"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$cn" \
    -keyout "$dir/$name.key" -out "$tmp/$name.csr" 2>"$tmp/err" || die "$(cat "$tmp/err")"
  openssl x509 -req -in "$tmp/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
    -set_serial "0x$(openssl rand -hex 16)" -days "$days" -sha256 \
    -extfile "$tmp/$name.ext" -extensions leaf -out "$dir/$name.crt" 2>"$tmp/err" ||
    die "$(cat "$tmp/err")"
}

if [ -f "$dir/ca.crt" ] && [ -f "$dir/ca.key" ]; then
  ca_said="the CA already in $dir"
else
  cat >"$tmp/ca.cnf" <<'EOF'
[req]
distinguished_name = dn
x509_extensions = ca
[dn]
[ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
EOF
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 -sha256 \
    -subj "/CN=cse531-bank CA" -config "$tmp/ca.cnf" \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>"$tmp/err" || die "$(cat "$tmp/err")"
  ca_said="a new CA"
fi

common="IP:127.0.0.1,IP:::1,DNS:localhost"
for a in "${addresses[@]}"; do
  [[ $a == *=* ]] || common="$common,$(san_of "$a")"
done
extras=""
for id in "${branch_ids[@]}"; do
  san=$common
  for a in "${addresses[@]}"; do
    if [[ $a == "$id="* ]]; then
      san="$san,$(san_of "${a#*=}")"
      extras="$extras; branch-$id also $(san_of "${a#*=}")"
    fi
  done
  leaf "branch-$id" "branch-$id" "serverAuth, clientAuth" "$san"
done
leaf customer customer-cli "clientAuth" ""
if [ -n "$ids" ]; then names="branch-{$ids}"
elif [ "$count" = 1 ]; then names="branch-1"
else names="branch-1 ... branch-$count"
fi
echo "certs: $dir: $ca_said (ca.crt); $names (valid for $common$extras); customer (customer-cli); $days days"
