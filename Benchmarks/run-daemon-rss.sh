#!/usr/bin/env bash
# The daemon's own memory and CPU: release builds of ccagentd and DaemonBenchmark, then the
# real ccagentd binary as a child process against the benchmark's in-process AMI simulator
# (2,000 agents logged in by phone feature codes, status changes, a 50,000 events/s flood with
# status changes meanwhile, a few seconds of quiet, then a restart on the same store). VmRSS,
# VmHWM and CPU are those of the ccagentd process alone, from /proc/<pid>.
#
#   Benchmarks/run-daemon-rss.sh
#   FLOOD_SECONDS=10 CHANGES=500 Benchmarks/run-daemon-rss.sh      # a quick run
#   FREEZE_SECONDS=3 Benchmarks/run-daemon-rss.sh                   # a disk that stalls 3 s mid-flood
#   SCRATCH=.build-rss Benchmarks/run-daemon-rss.sh                 # another build directory
#   STATIC=1 Benchmarks/run-daemon-rss.sh                           # ccagentd as the package ships it
#
# Knobs (environment): AGENTS (2000), CHANGES (5000), WARMUP (500), FLOOD_SECONDS (60),
# FLOOD_RATE (50000), FLOOD_CHANGES_PER_SECOND (10), SETTLE_SECONDS (5), BENCH_TMPDIR,
# FREEZE_SECONDS (0) and FREEZE_AT (10 s into the flood). FREEZE needs root: the store goes on a
# loop-mounted ext4 image of its own, frozen with fsfreeze, never the machine's file system.
# The summary goes to standard output; progress and per-second samples to standard error.
set -euo pipefail

cd "$(dirname "$0")/.."
scratch="${SCRATCH:-.build-bench}"

swift build -c release --scratch-path "$scratch" --product DaemonBenchmark >&2
daemon="$scratch/release/ccagentd"
if [[ "${STATIC:-0}" != 0 ]]; then
    # The Swift runtime linked in, as Scripts/package-deb.sh builds it (a build folder of its own).
    swift build -c release --static-swift-stdlib --scratch-path "$scratch-static" -Xlinker -z -Xlinker now --product ccagentd >&2
    daemon="$scratch-static/release/ccagentd"
else
    swift build -c release --scratch-path "$scratch" --product ccagentd >&2
fi
echo "ccagentd: $daemon, $(stat -c %s "$daemon") bytes" >&2

if [[ "${FREEZE_SECONDS:-0}" != 0 ]]; then
    [[ $(id -u) == 0 ]] || { echo "FREEZE_SECONDS needs root (a loop mount and fsfreeze)" >&2; exit 64; }
    image=$(mktemp /tmp/ccagentd-rss-XXXXXX.img)
    mount=$(mktemp -d /tmp/ccagentd-rss-mount-XXXXXX)
    truncate -s 128M "$image"
    mkfs.ext4 -q -F "$image"
    mount -o loop "$image" "$mount"
    trap 'fsfreeze -u "$mount" 2>/dev/null || true; umount "$mount"; rmdir "$mount"; rm -f "$image"' EXIT
    export FREEZE_MOUNT="$mount" BENCH_TMPDIR="$mount"
fi

echo "uptime before: $(uptime)" >&2
DAEMON_BINARY="$daemon" "$scratch/release/DaemonBenchmark"
echo "uptime after: $(uptime)" >&2
