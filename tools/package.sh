#!/usr/bin/env bash
# Builds the Debian package of bank with CPack: the optimised bank in /usr/bin, the man page
# bank(1) and bash completion, with Depends read from the binary by dpkg-shlibdeps. Prints the
# package's path, its Depends and its files. With --install, also installs it with apt-get.
# Usage: tools/package.sh [--install]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BANK_BUILD_DIR:-$root/build/release}
install=0
case "${1:-}" in
  "") ;;
  --install) install=1 ;;
  *) echo "usage: tools/package.sh [--install]" >&2; exit 2 ;;
esac

"$root/tools/deps.sh" package
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" >/dev/null
out=$build/deb
rm -rf "$out"
if ! (cd "$build" && cpack -G DEB -B "$out") >"$build/cpack.log" 2>&1; then
  echo "package.sh: cpack failed; its log:" >&2
  tail -n 20 "$build/cpack.log" >&2
  exit 1
fi
deb=$(ls "$out"/*.deb)
echo "$deb"
echo "Depends: $(dpkg-deb -f "$deb" Depends)"
echo "Recommends: $(dpkg-deb -f "$deb" Recommends)"
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { print "  " $NF }'
if [ "$install" = 1 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  if ! DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --reinstall "$deb" >"$build/apt.log" 2>&1; then
    echo "package.sh: apt-get could not install $deb; its log:" >&2
    tail -n 20 "$build/apt.log" >&2
    exit 1
  fi
  echo "installed: $(command -v bank) ($(bank --version | head -n 1)); see man bank"
fi
