#!/usr/bin/env bash
# AMI decoder benchmark: release build, the Swift decoder and Debian's python3-panoramisk on the
# same byte stream in one run, then allocations per frame under valgrind when it is installed.
#
#   Benchmarks/run-decoder-benchmark.sh [AMIDecoderBenchmark options, e.g. --megabytes 16]
set -euo pipefail

cd "$(dirname "$0")/.."
scratch=.build-bench

if ! /usr/bin/python3 -c 'import panoramisk' 2>/dev/null; then
    echo "note: python3-panoramisk is missing (apt-get install -y python3-panoramisk); Swift figures only" >&2
fi

swift build -c release --scratch-path "$scratch" --product AMIDecoderBenchmark >&2
binary="$scratch/release/AMIDecoderBenchmark"

"$binary" --fixtures Tests/AMITests/Fixtures --panoramisk-script Benchmarks/panoramisk_decoder.py "$@"

# Allocations: the difference between two passes and one pass over the same 1 MiB, so the set-up
# (reading the transcripts, building the stream) cancels out.
if command -v valgrind >/dev/null; then
    allocs() {
        valgrind --tool=memcheck "$binary" --fixtures Tests/AMITests/Fixtures --megabytes 1 --iterations "$1" --no-python 2>&1 \
            | sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p' | tr -d ,
    }
    one=$(allocs 1)
    two=$(allocs 2)
    events=$("$binary" --fixtures Tests/AMITests/Fixtures --megabytes 1 --iterations 0 --no-python \
        | sed -n 's/.* = [0-9,]* bytes, \([0-9,]*\) events;.*/\1/p' | tr -d ,)
    if [[ -n "$one" && -n "$two" && -n "$events" ]]; then
        awk -v a="$one" -v b="$two" -v n="$events" \
            'BEGIN { printf "allocations per frame (valgrind, one pass of %d events, message touched): %.2f\n", n, (b - a) / n }'
    fi
else
    echo "allocations per frame: not measured (valgrind not installed)"
fi
