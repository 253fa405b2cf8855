#!/usr/bin/env bash
# The Debian packages on a fresh Debian bookworm: debootstrap a minimal system into a
# scratch folder (Debian's default mirror), install the two .deb files there with apt
# (which must find every dependency they declare in Debian itself), then run the
# programs and build both consumers inside it. Needs root and a network path to Debian's
# packages; takes about ten minutes, so CI runs tests/package/run.sh instead.
#   tests/package/fresh_bookworm.sh build/release        (after cpack in that folder)
set -euo pipefail
build=$(realpath "${1:?usage: fresh_bookworm.sh BUILD_DIR}")
source_dir=$(realpath "$(dirname "$0")/../..")
root=$(mktemp -d /tmp/gapi-bookworm.XXXXXX)
command -v debootstrap > /dev/null || { echo "needs debootstrap (apt-get install debootstrap)"; exit 1; }
cleanup() { umount "$root/proc" 2> /dev/null || true; rm -rf --one-file-system "$root"; }
trap cleanup EXIT

dev=$(ls "$build"/packages/libgapi-dev_*_all.deb)
tools=$(ls "$build"/packages/gapi-tools_*.deb)
echo "-- debootstrap bookworm (minbase) into $root"
debootstrap --variant=minbase bookworm "$root" > "$root.debootstrap.log" 2>&1 \
    || { tail "$root.debootstrap.log"; exit 1; }
rm -f "$root.debootstrap.log"
mount -t proc proc "$root/proc"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mkdir -p "$root/work/consumer"
cp "$dev" "$tools" "$root/work/"
cp "$source_dir"/tests/install/consumer/* "$root/work/consumer/"

cat > "$root/work/check.sh" << 'CHECK'
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -q > /dev/null
# What a user installs: the two packages, their dependencies as declared, and a toolchain.
apt-get install -y -q --no-install-recommends /work/libgapi-dev_*_all.deb /work/gapi-tools_*.deb \
    g++ cmake make pkg-config > /work/apt.log 2>&1 || { tail /work/apt.log; exit 1; }
dpkg-query -W -f='${Package} ${Version}\n' libgapi-dev gapi-tools
cd /work
gapi-merge | grep '^Summary: 300 sent'
gapi-bench -n 200 -c 8 | grep '0 failed'
cmake -S consumer -B consumer-build -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build consumer-build > /dev/null
./consumer-build/consumer
g++ -std=c++20 -O1 -o consumer-pkg-config consumer/main.cpp $(pkg-config --cflags --libs gapi)
./consumer-pkg-config
CHECK
echo "-- in the fresh system"
chroot "$root" bash /work/check.sh
echo "-- fresh bookworm: OK"
