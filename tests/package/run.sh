#!/usr/bin/env bash
# Builds gapi's Debian packages from a build that made the programs, installs them with
# dpkg -i, and checks them as a user would: the programs run from /usr/bin (gapi-merge
# sends its installed sample), a project builds against libgapi-dev with
# find_package(gapi) and another with `pkg-config --cflags --libs gapi`, and both run.
# The packages are removed again at the end (KEEP_PACKAGES=1 keeps them).
#   tests/package/run.sh build/release
set -euo pipefail
build=$(realpath "${1:?usage: run.sh BUILD_DIR}")
source_dir=$(realpath "$(dirname "$0")/../..")
work=$(mktemp -d)
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
cleanup() {
    rm -rf "$work"
    if [ "${KEEP_PACKAGES:-0}" != 1 ]; then as_root dpkg -r gapi-tools libgapi-dev > /dev/null 2>&1 || true; fi
}
trap cleanup EXIT

echo "-- cpack"
rm -rf "$build/packages"
(cd "$build" && cpack > "$work/cpack.log") || { cat "$work/cpack.log"; exit 1; }
dev=$(ls "$build"/packages/libgapi-dev_*_all.deb)
tools=$(ls "$build"/packages/gapi-tools_*.deb)
for deb in "$dev" "$tools"; do
    echo "-- $(basename "$deb"): $(dpkg-deb -f "$deb" Depends)"
done

echo "-- dpkg -i"
as_root dpkg -i "$dev" "$tools"
dpkg-query -W -f='${Package} ${Version} ${Status}\n' libgapi-dev gapi-tools

echo "-- the programs, from /usr/bin, elsewhere than the sources"
cd "$work"
for program in gapi-merge gapi-emulator gapi-bench; do
    [ "$(command -v $program)" = "/usr/bin/$program" ] || { echo "$program is not /usr/bin/$program"; exit 1; }
    $program --help > /dev/null
done
# It must find the installed sample (it looks there first), not the sources' one.
gapi-merge > merge.out
grep -E "^Summary: 300 sent" merge.out
grep -q "/usr/share/gapi/merge-sample/recipients.csv" merge.out || { cat merge.out; echo "not the installed sample"; exit 1; }

echo "-- a consumer with find_package(gapi), header-only"
cmake -S "$source_dir/tests/install/consumer" -B consumer-cmake -DCMAKE_BUILD_TYPE=Release > consumer-cmake.log \
    || { cat consumer-cmake.log; exit 1; }
grep -q "/usr/share/cmake/gapi" consumer-cmake/CMakeCache.txt || { echo "gapi was not found in /usr"; exit 1; }
cmake --build consumer-cmake > /dev/null
./consumer-cmake/consumer

echo "-- a consumer with pkg-config: $(pkg-config --cflags --libs gapi)"
# shellcheck disable=SC2046
g++ -std=c++20 -O1 -o consumer-pkg-config "$source_dir/tests/install/consumer/main.cpp" $(pkg-config --cflags --libs gapi)
./consumer-pkg-config

echo "-- packages OK"
