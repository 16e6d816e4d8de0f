#!/usr/bin/env bash
# The Debian packages a build needs besides the Swift toolchain: the system C libraries'
# headers (libsqlite3, libcrypt) and the tz database. Installs the missing ones when run as root,
# else names the command to run. Sourced by demo.sh and test.sh; run it alone to check.
#   Scripts/build-deps.sh
need=()
for package in libsqlite3-dev libcrypt-dev tzdata; do
    dpkg -s "$package" >/dev/null 2>&1 || need+=("$package")
done
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
        echo "== apt-get install ${need[*]}" >&2
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; } ||
            { echo "build-deps.sh: apt-get could not install ${need[*]}" >&2; exit 1; }
    else
        echo "build-deps.sh: missing ${need[*]}; install them with: sudo apt-get install ${need[*]}" >&2
        exit 1
    fi
fi
if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi
command -v swift >/dev/null 2>&1 || { echo "build-deps.sh: no Swift toolchain on PATH (Swift 6.0 or later)" >&2; exit 1; }
