#!/usr/bin/env bash
# Control API benchmark: release build, then the simulated Asterisk, the real Daemon and
# APIService in one process, driven over TCP loopback by 50 client threads (one keep-alive
# connection each): status changes, then GET /v1/agents, then POST /v1/sessions.
#
#   Benchmarks/run-api-benchmark.sh
#   SECONDS=5 WARMUP_SECONDS=1 Benchmarks/run-api-benchmark.sh      # a quick run
#
# Knobs (environment): AGENTS (200), CLIENTS (50), SECONDS (20), WARMUP_SECONDS (3),
# LIST_SECONDS (5), SESSION_SECONDS (5), LOGIN_ATTEMPTS_PER_ADDRESS (1000000: see
# BenchmarkSettings.swift), BENCH_TMPDIR (where the store goes; $TMPDIR), SCRATCH (.build-apibench).
# The summary goes to standard output; progress and the daemon's notice-level lines to standard
# error. Exits 1 if any answer was wrong or Asterisk did not get the queue actions it should have.

# SECONDS is bash's own clock: given in the environment it keeps counting up from the value
# given, so it is read here, first, before the build adds its minutes. 0 means it was not given.
duration=$SECONDS
set -euo pipefail

cd "$(dirname "$0")/.."
scratch=${SCRATCH:-.build-apibench}

swift build -c release --scratch-path "$scratch" --product APIBenchmark >&2
binary="$scratch/release/APIBenchmark"

echo "uptime before: $(uptime)" >&2
status=0
if (( duration > 0 )); then
    env SECONDS="$duration" "$binary" || status=$?
else
    env -u SECONDS "$binary" || status=$?
fi
echo "uptime after: $(uptime)" >&2
exit "$status"
