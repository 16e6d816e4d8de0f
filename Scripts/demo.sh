#!/usr/bin/env bash
# The daemon for real, against the bundled amisim: builds both, starts amisim on a free port,
# runs ccagentd with the sample configuration (pointed at amisim, a store in a temp directory,
# text logs), then plays a few minutes of a call center in seconds: agents log in and take a
# break from their phones' feature codes (UserEvent), a customer calls the sales queue, and
# the queues are shown after each step. Ends with SIGTERM, as systemd stops it.
#   Scripts/demo.sh          run the scripted session and stop
#   Scripts/demo.sh --keep   leave both running until Ctrl-C (drive them yourself)
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/build-deps.sh
keep=no
[ "${1:-}" = "--keep" ] && keep=yes

swift build --product amisim >&2
swift build --product ccagentd >&2
swift build --product ccagentctl >&2
bin=$(swift build --show-bin-path)
work=$(mktemp -d)
cleanup() {
    [ -n "${daemon:-}" ] && kill -TERM "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null || true
    [ -n "${sim:-}" ] && kill -TERM "$sim" 2>/dev/null && wait "$sim" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# A simulated Asterisk; quick calls so the demo is short.
sed -e 's/^ring_time = .*/ring_time = 1/' -e 's/^talk_time = .*/talk_time = 2/' Config/amisim.conf > "$work/amisim.conf"
"$bin/amisim" --config "$work/amisim.conf" --port 0 --log-level warning > "$work/amisim.out" 2>&1 &
sim=$!
for _ in $(seq 100); do grep -q "listening on" "$work/amisim.out" && break; sleep 0.05; done
port=$(sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' "$work/amisim.out" | head -1)
[ -n "$port" ] || { echo "amisim did not start:" >&2; cat "$work/amisim.out" >&2; exit 1; }

sed -e "s#^database = .*#database = $work/ccagentd.sqlite#" -e "s/^port = 5038/port = $port/" \
    -e 's/^log_format = json /log_format = text /' -e 's/^listen = .*/listen = 127.0.0.1:0/' \
    -e "s#^socket = .*#socket = $work/ccagentd.sock#" Config/ccagentd.conf > "$work/ccagentd.conf"
echo "== ccagentd --config $work/ccagentd.conf   (amisim on 127.0.0.1:$port)"
"$bin/ccagentd" --config "$work/ccagentd.conf" > >(sed -u 's/^/   log | /') 2>&1 &
daemon=$!
sleep 1

# The dialplan's side: a manager session that sends the phones' UserEvents and reads the queues.
exec 3<>"/dev/tcp/127.0.0.1/$port"
action() { printf '%s\r\n' "$@" "" >&3; }
action "Action: Login" "Username: ccd" "Secret: ccdsecret" "Events: off"
phone() {  # phone EXTENSION COMMAND [STATUS]
    echo "== phone $1 dials the feature code: $2 ${3:-}"
    action "Action: UserEvent" "UserEvent: ccagentd" "Command: $2" "Extension: $1" ${3:+"Status: $3"}
    sleep 0.5
}
queues() {
    echo "== queue show"
    action "Action: Command" "Command: queue show"
    sleep 0.3
    timeout 0.3 cat <&3 | tr -d '\r' | sed -n 's/^Output: \(.*\(has\|(dynamic)\|(Not in use)\|Members\).*\)/      \1/p' || true
}

phone 101 login
phone 102 login
phone 103 login
queues
phone 102 status break
queues
echo "== a customer calls the sales queue"
action "Action: Command" "Command: sim call inbound sales"
sleep 4
phone 102 status connected
queues
phone 103 logout
queues

# The admin's side: the control API over the daemon's Unix socket.
ctl() {
    echo "== ccagentctl $*"
    "$bin/ccagentctl" --socket "$work/ccagentd.sock" "$@" | sed 's/^/      /'
}
ctl agents
ctl status eli@example.com break
ctl agent eli@example.com
queues

if [ "$keep" = yes ]; then
    echo "== running: amisim on 127.0.0.1:$port, config $work/ccagentd.conf; Ctrl-C stops both"
    echo "   try: $bin/ccagentctl --socket $work/ccagentd.sock watch"
    wait "$daemon"
fi
echo "== SIGTERM"
kill -TERM "$daemon"
wait "$daemon" && echo "== ccagentd exited 0"
daemon=
