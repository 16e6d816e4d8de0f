#!/usr/bin/env bash
# Proves the Debian package installs and runs where Swift is absent, the way an admin uses it:
#
#   Scripts/test-install.sh [PACKAGE.deb]      (root; builds the package when none is given)
#
# 1. lintian on the package (errors and warnings fail; overrides say why).
# 2. A minimal Debian of this host's release (mmdebstrap --variant=minbase, cached as a tarball
#    under $CACHE, /var/cache/ccagentd-install-test by default) unpacked into a temp directory:
#    no Swift toolchain, no compiler. Everything below runs in it, chrooted, inside a mount
#    namespace of its own, so nothing is mounted or left on this host.
# 3. dpkg -i; the files, user, group and permissions it made.
# 4. ccagentd --version, ccagentd check-config /etc/ccagentd/ccagentd.conf, ldd (no Swift library).
# 5. A short run as the ccagentd user against amisim (built statically beside the package): an
#    admin logs an agent in with ccagentctl over the daemon's socket, the agent lands in its
#    queues (read back from amisim with QueueStatus), SIGTERM stops the daemon with exit 0 and
#    removes the socket.
# 6. dpkg --purge: the files, the user, the group and the state are gone.
# Needs root (chroot, mounts), mmdebstrap and lintian (apt-get install mmdebstrap lintian), and
# Debian's package mirror for the first run on a machine.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "test-install.sh: needs root (chroot and mounts)" >&2; exit 1; }
for tool in mmdebstrap lintian unshare chroot; do
    command -v "$tool" >/dev/null || { echo "test-install.sh: $tool not found (apt-get install mmdebstrap lintian)" >&2; exit 1; }
done

step() { echo "== $*"; }
fail() { echo "test-install.sh: FAILED: $*" >&2; exit 1; }

if [ -z "${CCAGENTD_IN_NAMESPACE:-}" ]; then
    if [ $# -ge 1 ]; then
        deb="$1"
        amisim="$(dirname "$deb")/amisim"
    else
        deb=$(Scripts/package-deb.sh)
        amisim="$(dirname "$deb")/amisim"
    fi
    [ -f "$deb" ] || fail "no package at $deb"
    [ -x "$amisim" ] || fail "no amisim beside the package ($amisim): Scripts/package-deb.sh builds it"

    step "lintian $deb"
    lintian --fail-on error,warning --display-info "$deb" || fail "lintian"
    echo "lintian: no errors or warnings"

    . /etc/os-release
    suite="${VERSION_CODENAME:?no VERSION_CODENAME in /etc/os-release}"
    cache="${CACHE:-/var/cache/ccagentd-install-test}"
    tarball="$cache/$suite-minbase.tar"
    mkdir -p "$cache"
    if [ ! -s "$tarball" ] || [ -n "$(find "$tarball" -mtime +7)" ]; then
        step "mmdebstrap --variant=minbase $suite (a Debian without Swift)"
        mmdebstrap --quiet --variant=minbase --include=libsqlite3-0,adduser "$suite" "$cache/$suite-minbase.new.tar" \
            http://deb.debian.org/debian </dev/null
        mv "$cache/$suite-minbase.new.tar" "$tarball"
    fi
    # The rest in a mount namespace of its own: /proc and /dev for the chroot vanish with it.
    exec unshare --mount --fork env CCAGENTD_IN_NAMESPACE=1 "$0" "$deb" "$amisim" "$tarball"
fi

deb="$1" amisim="$2" tarball="$3"
mount --make-rprivate /
root=$(mktemp -d /tmp/ccagentd-install-XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    umount -R "$root/proc" "$root/dev" 2>/dev/null || true
    rm -rf "$root"
}
trap cleanup EXIT
tar -xf "$tarball" -C "$root"
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
cp "$deb" "$root/tmp/ccagentd.deb"
cp "$amisim" "$root/tmp/amisim"
in_root() { chroot "$root" "$@"; }

step "the throwaway root has no Swift"
in_root sh -c 'command -v swift swiftc; ls -d /opt/swift /usr/lib/swift 2>/dev/null' && fail "Swift is in the throwaway root"
echo "no swift, swiftc, /opt/swift or /usr/lib/swift"

step "dpkg -i ccagentd.deb"
in_root dpkg -i /tmp/ccagentd.deb
step "dpkg -L ccagentd"
in_root dpkg -L ccagentd
step "the user, the group and the permissions"
in_root getent passwd ccagentd || fail "no ccagentd user"
in_root getent group ccagentd || fail "no ccagentd group"
for spec in "/etc/ccagentd root:ccagentd 750" "/etc/ccagentd/ccagentd.conf root:ccagentd 640" \
    "/var/lib/ccagentd ccagentd:ccagentd 750" "/usr/sbin/ccagentd root:root 755" "/usr/bin/ccagentctl root:root 755"; do
    set -- $spec
    got=$(in_root stat -c '%U:%G %a' "$1")
    echo "$1 $got"
    [ "$got" = "$2 $3" ] || fail "$1 is $got, expected $2 $3"
done

step "ldd /usr/sbin/ccagentd /usr/bin/ccagentctl"
libs=$(in_root ldd /usr/sbin/ccagentd /usr/bin/ccagentctl)
echo "$libs"
echo "$libs" | grep -q "not found" && fail "a library is missing"
echo "$libs" | grep -qi "swift\|Foundation\|dispatch" && fail "a Swift library is loaded dynamically"

step "ccagentd --version"
in_root ccagentd --version
step "ccagentctl --version"
in_root ccagentctl --version
step "ccagentd check-config /etc/ccagentd/ccagentd.conf"
in_root ccagentd check-config /etc/ccagentd/ccagentd.conf
step "man -w ccagentd ccagentctl ccagentd.conf"
ls "$root"/usr/share/man/man8/ccagentd.8.gz "$root"/usr/share/man/man1/ccagentctl.1.gz "$root"/usr/share/man/man5/ccagentd.conf.5.gz

step "amisim (static too) in the root; its ccagentd user has exactly the README's manager.conf classes"
sed -e '/^\[ccagentd\]/,/^$/{s/^read = .*/read = system,call,agent,user/;s/^write = .*/write = system,agent/}' \
    Config/amisim.conf > "$root/tmp/amisim.conf"
grep -A3 '^\[ccagentd\]' "$root/tmp/amisim.conf"
in_root /tmp/amisim --config /tmp/amisim.conf --port 0 --log-level warning > "$root/tmp/amisim.out" 2>&1 &
pids+=($!)
port=
for _ in $(seq 100); do
    port=$(sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' "$root/tmp/amisim.out" | head -1)
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || { cat "$root/tmp/amisim.out" >&2; fail "amisim did not start"; }
echo "amisim on 127.0.0.1:$port"

step "ccagentd as the ccagentd user, the packaged config pointed at amisim"
# What an admin edits: the AMI port (amisim's), and the API on a free port (8088 may be taken here).
sed -i -e "s/^port = 5038/port = $port/" -e 's/^listen = .*/listen = 127.0.0.1:0/' -e 's/^log_format = json /log_format = text /' \
    "$root/etc/ccagentd/ccagentd.conf"
# What systemd's RuntimeDirectory=ccagentd does.
install -d -m 0750 "$root/run/ccagentd"
in_root chown ccagentd:ccagentd /run/ccagentd
in_root ccagentd check-config /etc/ccagentd/ccagentd.conf > /dev/null
chroot --userspec=ccagentd:ccagentd "$root" /usr/sbin/ccagentd --config /etc/ccagentd/ccagentd.conf \
    > "$root/tmp/ccagentd.log" 2>&1 &
daemon=$!
pids+=($daemon)
for _ in $(seq 100); do
    [ -S "$root/run/ccagentd/ccagentd.sock" ] && grep -q "daemon.ready" "$root/tmp/ccagentd.log" && break
    kill -0 "$daemon" 2>/dev/null || { cat "$root/tmp/ccagentd.log" >&2; fail "ccagentd exited"; }
    sleep 0.1
done
[ -S "$root/run/ccagentd/ccagentd.sock" ] || { cat "$root/tmp/ccagentd.log" >&2; fail "no socket"; }

step "ccagentctl login dana@example.com 101, and maya@example.com on her virtual extension 901 (root, over the socket)"
in_root ccagentctl login dana@example.com 101
in_root ccagentctl login maya@example.com 901
in_root ccagentctl agents

step "QueueStatus and DBGet from amisim: the agents are members of their queues, 901 follows maya's mobile"
members="" followme=""
for _ in $(seq 50); do
    exec 3<>"/dev/tcp/127.0.0.1/$port"
    printf 'Action: Login\r\nUsername: ccd\r\nSecret: ccdsecret\r\nEvents: off\r\n\r\nAction: QueueStatus\r\n\r\nAction: DBGet\r\nFamily: ccagentd/followme\r\nKey: 901\r\n\r\nAction: Logoff\r\n\r\n' >&3
    answer=$(timeout 5 cat <&3 | tr -d '\r')
    exec 3<&-
    members=$(echo "$answer" | awk '/^Event: QueueMember/{m=1} m&&/^Queue: /{q=$2} m&&/^Location: /{l=$2} m&&/^$/{if(l!="")print q, l; m=0; l=""}')
    followme=$(echo "$answer" | sed -n 's/^Val: //p')
    echo "$members" | grep -q " PJSIP/101$" && echo "$members" | grep -q "@ccagentd-remote/n$" && [ -n "$followme" ] && break
    sleep 0.1
done
echo "$members"
echo "DBGet ccagentd/followme/901: $followme"
[ "$followme" = "+972507654321" ] || fail "the follow-me key of 901 is '$followme'"
for queue in sales support-private support-business; do
    echo "$members" | grep -q "^$queue PJSIP/101$" || fail "PJSIP/101 is not a member of $queue"
done
echo "$members" | grep -q "^support-private Local/+972507654321@ccagentd-remote/n$" || fail "maya's mobile is not a member of support-private"

step "ccagentctl report --tz Asia/Jerusalem and --tz Europe/Warsaw (the system's tz database, read without ICU)"
for zone in Asia/Jerusalem Europe/Warsaw; do
    report=$(in_root ccagentctl report --tz "$zone" --json)
    echo "$report"
    echo "$report" | grep -q "\"time_zone\" *: *\"$zone\"" || fail "the report is not in $zone"
    echo "$report" | grep -q "dana@example.com" || fail "dana is not in the report for $zone"
done
in_root ccagentctl report --tz Asia/Jerusalem

step "SIGTERM"
kill -TERM "$daemon"
status=0
wait "$daemon" || status=$?
sed 's/^/   log | /' "$root/tmp/ccagentd.log"
[ "$status" = 0 ] || fail "ccagentd exited $status"
echo "ccagentd exited 0"
grep -E "ami\.action_failed|Permission denied|ami\.login_failed" "$root/tmp/ccagentd.log" && fail "an AMI action was refused"
echo "no AMI action refused"
[ -e "$root/run/ccagentd/ccagentd.sock" ] && fail "the socket was left behind"
echo "the socket is gone"

step "dpkg --purge ccagentd"
in_root dpkg --purge ccagentd
for path in /etc/ccagentd /var/lib/ccagentd /run/ccagentd /usr/sbin/ccagentd /usr/bin/ccagentctl /lib/systemd/system/ccagentd.service; do
    [ -e "$root$path" ] && fail "$path is still there after purge"
done
in_root getent passwd ccagentd && fail "the ccagentd user is still there"
in_root getent group ccagentd && fail "the ccagentd group is still there"
[ -z "$(in_root dpkg-statoverride --list)" ] || fail "statoverrides left: $(in_root dpkg-statoverride --list)"
echo "nothing left: files, user, group and overrides gone"
echo "install test passed"
