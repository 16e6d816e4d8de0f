#!/usr/bin/env bash
# Daemon benchmark: release build, then the real Daemon against the in-process AMI simulator
# (status-change latency with 2,000 agents logged in, then a 50,000 events/s flood).
#
#   Benchmarks/run-daemon-benchmark.sh
#   FLOOD_SECONDS=10 Benchmarks/run-daemon-benchmark.sh          # a quick run
#   PERF=1 Benchmarks/run-daemon-benchmark.sh                    # also record a perf profile
#
# Knobs (environment): AGENTS (2000), CHANGES (5000), WARMUP (500), FLOOD_SECONDS (60),
# FLOOD_RATE (50000), FLOOD_CHANGES_PER_SECOND (10), BENCH_TMPDIR (where the store goes; $TMPDIR).
# The summary goes to standard output; progress, per-second flood samples and the daemon's
# notice-level log lines to standard error.
set -euo pipefail

cd "$(dirname "$0")/.."
scratch=.build-bench

swift build -c release --scratch-path "$scratch" --product DaemonBenchmark >&2
binary="$scratch/release/DaemonBenchmark"

echo "uptime before: $(uptime)" >&2
if [[ "${PERF:-0}" == 1 ]] && command -v perf >/dev/null; then
    profile="${PERF_OUTPUT:-$scratch/daemon-benchmark.perf.data}"
    perf record -F 999 -g -o "$profile" -- "$binary"
    echo "perf profile: $profile (perf report -i $profile --no-children --sort comm,dso,symbol)" >&2
else
    "$binary"
fi
echo "uptime after: $(uptime)" >&2
