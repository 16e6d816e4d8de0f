#!/usr/bin/env bash
# Checks systemd/ccagentd.service with systemd-analyze, when this machine has it.
#   systemd/verify.sh [path/to/ccagentd]
# The unit is copied to a temp dir with ExecStart pointing at an existing binary (the argument,
# else /bin/true), so `verify` checks the unit and not whether ccagentd is installed here.
# Fails on any message about our unit (the host's other units may have warnings of their own),
# and when the hardening's exposure score rises above 2.0.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

if ! command -v systemd-analyze >/dev/null 2>&1; then
    echo "systemd-analyze not found: skipped"
    exit 0
fi

binary=/bin/true
if [ $# -ge 1 ]; then
    [ -x "$1" ] && [ -f "$1" ] || { echo "verify.sh: $1 is not an executable file" >&2; exit 1; }
    binary="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
sed -e "s|^ExecStart=/usr/sbin/ccagentd |ExecStart=$binary |" "$here/ccagentd.service" > "$work/ccagentd.service"
grep -q "^ExecStart=$binary " "$work/ccagentd.service" || { echo "verify.sh: no ExecStart line to rewrite" >&2; exit 1; }
# Minimal containers may lack procps; the reload command is checked on real hosts.
[ -x /bin/kill ] || sed -i -e "s|^ExecReload=/bin/kill |ExecReload=/bin/true |" "$work/ccagentd.service"

options=(--man=no)
if systemd-analyze --help 2>/dev/null | grep -q -- '--recursive-errors'; then
    options+=(--recursive-errors=no)
fi
set +e
output="$(systemd-analyze verify "${options[@]}" "$work/ccagentd.service" 2>&1)"
status=$?
set -e
ours="$(printf '%s\n' "$output" | grep -F 'ccagentd' || true)"
if [ -n "$ours" ]; then
    printf '%s\n' "$ours" >&2
    echo "systemd unit has problems (systemd-analyze verify exit $status)" >&2
    exit 1
fi
if [ $status -ne 0 ] && [ -n "$output" ]; then
    echo "note: systemd-analyze verify reported problems with other units only:"
    printf '%s\n' "$output" | sed 's/^/  /'
fi

if systemd-analyze --help 2>/dev/null | grep -q -- '--threshold'; then
    if ! score="$(systemd-analyze security --offline=yes --threshold=20 "$work/ccagentd.service" 2>&1)"; then
        printf '%s\n' "$score" | grep -E '✗|Overall' >&2
        echo "systemd unit exposure is above 2.0: was hardening removed?" >&2
        exit 1
    fi
    printf '%s\n' "$score" | grep 'Overall exposure' || true
fi
echo "systemd unit verified"
