#!/usr/bin/env bash
# Builds the Debian package of ccagentd from this checkout, with the Swift runtime linked in
# statically so that it installs and runs on a PBX host that has no Swift:
#
#   Scripts/package-deb.sh        → .build-deb/ccagentd_VERSION_ARCH.deb, and .build-deb/amisim
#
# The package: /usr/sbin/ccagentd, /usr/bin/ccagentctl, the unit in /lib/systemd/system, the
# sample configuration as a conffile in /etc/ccagentd (0640 root:ccagentd), the man pages, the
# dialplan snippet and api-tokens.example under /usr/share/doc/ccagentd/examples, and maintainer
# scripts (packaging/deb/) that create the ccagentd system user and purge cleanly. The version is
# the one `ccagentd --version` prints (Sources/SystemSupport/ProductVersion.swift). amisim, the
# simulated Asterisk, is built the same way beside the package for the install test; it is not
# in the package.
#
# Environment: SCRATCH (build folder, .build-release), OUT (output folder, .build-deb).
# Needs dpkg-deb and dpkg-shlibdeps (Debian's dpkg-dev).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
scratch="${SCRATCH:-.build-release}"
out="${OUT:-.build-deb}"

for tool in dpkg-deb dpkg-shlibdeps strip gzip; do
    command -v "$tool" >/dev/null || { echo "package-deb.sh: $tool not found (apt-get install dpkg-dev binutils gzip)" >&2; exit 1; }
done
for page in Sources/ccagentd/ccagentd.8 Sources/ccagentctl/ccagentctl.1 Sources/Config/ccagentd.conf.5; do
    [ -f "$page" ] || { echo "package-deb.sh: the man page $page is missing" >&2; exit 1; }
done

# Static Swift standard library and Foundation; -z now completes RELRO (Debian's hardening).
build=(-c release --static-swift-stdlib --scratch-path "$scratch" -Xlinker -z -Xlinker now)
for product in ccagentd ccagentctl amisim; do
    echo "== swift build ${build[*]} --product $product" >&2
    swift build "${build[@]}" --product "$product" >&2
done
bin="$scratch/release"

version=$("$bin/ccagentd" --version | sed -n 's/^ccagentd \([0-9][0-9A-Za-z.+~-]*\)$/\1/p')
[ -n "$version" ] || { echo "package-deb.sh: cannot read the version from ccagentd --version" >&2; exit 1; }
ctl_version=$("$bin/ccagentctl" --version)
[ "$ctl_version" = "ccagentctl $version" ] || { echo "package-deb.sh: ccagentctl says '$ctl_version', ccagentd $version" >&2; exit 1; }
arch=$(dpkg --print-architecture)
# Reproducible: file dates, the changelog's and the archive's, from the last commit.
SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || date +%s)
export SOURCE_DATE_EPOCH

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
chmod 0755 "$root"

install -D -m 0755 "$bin/ccagentd" "$root/usr/sbin/ccagentd"
install -D -m 0755 "$bin/ccagentctl" "$root/usr/bin/ccagentctl"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/sbin/ccagentd" "$root/usr/bin/ccagentctl"
install -D -m 0644 systemd/ccagentd.service "$root/lib/systemd/system/ccagentd.service"
install -d -m 0750 "$root/etc/ccagentd" "$root/var/lib/ccagentd"
install -m 0640 Config/ccagentd.conf "$root/etc/ccagentd/ccagentd.conf"

doc="$root/usr/share/doc/ccagentd"
install -d -m 0755 "$doc/examples"
install -m 0644 Config/extensions-ccagentd.conf Config/api-tokens.example "$doc/examples/"
install -m 0644 packaging/deb/copyright "$doc/copyright"
gzip -9n -c README.md > "$doc/README.md.gz"
gzip -9n -c docs/API.md > "$doc/API.md.gz"
{
    echo "ccagentd ($version) unstable; urgency=medium"
    echo
    echo "  * Release $version, built from commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)."
    echo
    echo " -- ccagentd maintainers <ccagentd@example.com>  $(date -R -u -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n > "$doc/changelog.gz"

install -d -m 0755 "$root/usr/share/man/man1" "$root/usr/share/man/man5" "$root/usr/share/man/man8"
gzip -9n -c Sources/ccagentctl/ccagentctl.1 > "$root/usr/share/man/man1/ccagentctl.1.gz"
gzip -9n -c Sources/Config/ccagentd.conf.5 > "$root/usr/share/man/man5/ccagentd.conf.5.gz"
gzip -9n -c Sources/ccagentd/ccagentd.8 > "$root/usr/share/man/man8/ccagentd.8.gz"
install -D -m 0644 packaging/deb/lintian-overrides "$root/usr/share/lintian/overrides/ccagentd"

# Depends: the shared libraries the binaries load (libc, libsqlite3, libcrypt, libstdc++, libgcc)
# as dpkg-shlibdeps reads them, and adduser for postinst.
shlibs=$(mktemp -d)
mkdir "$shlibs/debian"
printf 'Source: ccagentd\n\nPackage: ccagentd\nArchitecture: any\n' > "$shlibs/debian/control"
depends=$(cd "$shlibs" && dpkg-shlibdeps -O "-e$root/usr/sbin/ccagentd" "-e$root/usr/bin/ccagentctl" 2>/dev/null \
    | sed -n 's/^shlibs:Depends=//p')
rm -rf "$shlibs"
[ -n "$depends" ] || { echo "package-deb.sh: dpkg-shlibdeps found no dependencies" >&2; exit 1; }

install -d -m 0755 "$root/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" -e "s/@DEPENDS@/adduser, $depends/" \
    packaging/deb/control.in > "$root/DEBIAN/control"
echo /etc/ccagentd/ccagentd.conf > "$root/DEBIAN/conffiles"
install -m 0755 packaging/deb/postinst packaging/deb/prerm packaging/deb/postrm "$root/DEBIAN/"
(cd "$root" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) > "$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles" "$root/DEBIAN/md5sums"
find "$root" -exec touch --no-dereference --date="@$SOURCE_DATE_EPOCH" {} +

mkdir -p "$out"
deb="$out/ccagentd_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >&2
install -m 0755 "$bin/amisim" "$out/amisim"
echo "$deb"
