#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs the missing build packages (Scripts/build-deps.sh),
# builds everything with warnings as errors, then runs every test target one test at a time.
# Ends with swift test's summary, e.g. "Test run with 612 tests in 98 suites passed after 101 seconds."
#   Scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/build-deps.sh
# Zero warnings is part of the contract: fail the build on any.
swift build --build-tests -Xswiftc -warnings-as-errors
# One at a time: several tests block on sockets and, side by side on two cores, starve the async
# tests of the cooperative thread pool (Tests/AMISimulatorTests/TestSupport.swift).
swift test --no-parallel
