#!/usr/bin/env bash
# tests/t_deb.sh: the Debian package (`make deb`, debian/) as an operator installs it (TAP;
# needs root for a private mount namespace).
# Owns: that `make deb` builds build/deb/arkivar_VERSION_ARCH.deb at the Makefile's
# version; that lintian says nothing about it, not even pedantic or informational tags,
# beyond the commented overrides in debian/arkivar.lintian-overrides; the layout `dpkg -x`
# finds (the programs, pages, data, conffile and unit where the unit and the pages say
# they are) and the extracted programs' --version; and a real `dpkg -i`: the postinst
# makes an empty index so the service can start, enables the unit, the installed server
# started as the unit starts it (no arguments, in /) reads the conffile and answers
# /health, a reinstall keeps an index with documents, and `dpkg --purge` removes the state.
# Why a mount namespace with overlays: `dpkg -i` must run its maintainer scripts against
# this machine's /usr, /etc and /var (the libraries, dpkg's database, deb-systemd-helper),
# yet change nothing here (a shared machine). `unshare --mount` puts a copy-on-write
# overlay over each, whose upper layer is a scratch folder; when the namespace ends, so does
# the install. systemd is not running as PID 1 here, so the postinst enables the unit but
# starts nothing (its `[ -d /run/systemd/system ]` test); the test starts the server itself.
# Time: the package is built incrementally in build/deb/obj (its own objects: Debian's
# hardening flags), so a second run only packs it: seconds, not the first build's minute.
# Needs root (unshare, mount -t overlay), make, dpkg-buildpackage, debhelper, lintian,
# man, systemd-analyze, curl, python3.
set -u

n=0
failed=0
PID=

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tap.sh"

require make dpkg-buildpackage dh lintian dpkg-deb man systemd-analyze curl python3 xapian-delve unshare mount

T=$(mktemp -d "${TMPDIR:-/tmp}/t_deb.XXXXXX")
cleanup() {
    # Only the server this script started, by its PID.
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill -KILL "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; fi
    rm -rf "$T"
}
trap cleanup EXIT

VERSION=$(makefile_version)
ARCH=$(dpkg-architecture -qDEB_HOST_ARCH)
DEB=build/deb/arkivar_${VERSION}_${ARCH}.deb

# The make that runs this test must not lend its jobserver to dpkg-buildpackage's.
t0=$(date +%s)
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory deb >"$T/deb.log" 2>&1 || [ ! -f "$DEB" ]; then
    not_ok "make deb builds $DEB"
    tail -30 "$T/deb.log" | diag
    echo "1..$n"
    exit 1
fi
ok "make deb builds $DEB ($(($(date +%s) - t0)) s)"
check "the package is arkivar $VERSION (the Makefile's), $ARCH" bash -c "
    got=\$(dpkg-deb -f '$DEB' Package Version Architecture | tr '\n' ' ')
    [ \"\$got\" = 'Package: arkivar Version: $VERSION Architecture: $ARCH ' ] || { echo \"got: \$got\"; exit 1; }"
check "it depends on the libraries it links (shlibs) and on wdanish's word list" bash -c "
    d=\$(dpkg-deb -f '$DEB' Depends); echo \"\$d\"
    case \$d in *wdanish*) ;; *) exit 1 ;; esac
    case \$d in *libxapian30*) ;; *) exit 1 ;; esac
    case \$d in *libmicrohttpd12*) ;; *) exit 1 ;; esac"

# Every tag lintian knows, informational and pedantic too, except the overridden ones.
lintian --fail-on error,warning,info,pedantic --info --pedantic "$DEB" >"$T/lintian.log" 2>&1
rc=$?
grep -v '^running with root privileges is not recommended!$' "$T/lintian.log" >"$T/tags"
ok_if "$([ $rc = 0 ] && [ ! -s "$T/tags" ]; echo $?)" "lintian --pedantic --info: not a tag beyond debian/arkivar.lintian-overrides"
[ -s "$T/tags" ] && diag <"$T/tags"
check "each lintian override is commented" python3 - debian/arkivar.lintian-overrides <<'PY'
import sys
prev = ""
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    if line and not line.startswith("#") and not prev.startswith("#"):
        sys.exit("uncommented override: " + line)
    prev = line
PY

# ---- dpkg -x: the layout ----------------------------------------------------------------------

R=$T/x
dpkg-deb -x "$DEB" "$R"
files="usr/bin/arkivar-indexer usr/bin/arkivar-keys usr/sbin/arkivar-server
usr/share/arkivar/acronyms.txt usr/share/arkivar/arkivar.conf.example etc/arkivar/arkivar.conf
lib/systemd/system/arkivar.service usr/share/man/man1/arkivar-indexer.1.gz
usr/share/man/man1/arkivar-keys.1.gz usr/share/man/man8/arkivar-server.8.gz
usr/share/doc/arkivar/copyright usr/share/doc/arkivar/changelog.gz"
missing=
for f in $files; do [ -f "$R/$f" ] || missing="$missing $f"; done
ok_if "$([ -z "$missing" ]; echo $?)" "dpkg -x: $(echo $files | wc -w) files where they belong${missing:+ (missing:$missing)}"
check "the installed acronyms are data/acronyms.txt" cmp data/acronyms.txt "$R/usr/share/arkivar/acronyms.txt"
check "/etc/arkivar/arkivar.conf is a conffile" bash -c "
    dpkg-deb --ctrl-tarfile '$DEB' | tar -xO ./conffiles | grep -qx /etc/arkivar/arkivar.conf"

U=$R/lib/systemd/system/arkivar.service
exe=$(sed -n 's/^ExecStart=//p' "$U")
check "the unit's ExecStart ($exe) is the packaged server" test -x "$R$exe" -a "$exe" = /usr/sbin/arkivar-server
page=$(sed -n 's/^Documentation=man:\([a-z-]*\)(\([0-9]\))$/man\2\/\1.\2.gz/p' "$U")
check "the unit's Documentation= page ($page) is packaged" test -n "$page" -a -f "$R/usr/share/man/$page"

for prog in usr/bin/arkivar-indexer usr/bin/arkivar-keys usr/sbin/arkivar-server; do
    name=${prog##*/}
    check "the packaged $name --version prints '$name $VERSION'" \
        bash -c "out=\$('$R/$prog' --version) && [ \"\$out\" = '$name $VERSION' ] || { echo \"got: \$out\"; exit 1; }"
done
check "the packaged server's defaults are the package's paths (conffile, index, acronyms)" bash -c "
    h=\$('$R/usr/sbin/arkivar-server' --help)
    grep -qF '(default /etc/arkivar/arkivar.conf if present)' <<<\"\$h\" &&
    grep -qF '(default /var/lib/arkivar/index)' <<<\"\$h\" &&
    grep -qF '(default /usr/share/arkivar/acronyms.txt)' <<<\"\$h\" || { echo \"\$h\" | head -20; exit 1; }"
for page in man1/arkivar-indexer.1.gz man1/arkivar-keys.1.gz man8/arkivar-server.8.gz; do
    check "man $page renders without warnings" bash -c "
        w=\$(man --warnings -E UTF-8 -l -Tutf8 '$R/usr/share/man/$page' 2>&1 >/dev/null)
        [ -z \"\$w\" ] || { echo \"\$w\"; exit 1; }"
done
check "the packaged page names the packaged acronyms file" \
    bash -c "zcat '$R/usr/share/man/man8/arkivar-server.8.gz' | grep -q '^\.I /usr/share/arkivar/acronyms.txt'"

# ---- dpkg -i, on overlays of this machine ------------------------------------------------------

PORT=$(free_port)
mkdir -p "$T/records"
printf 'Notat om fuglekasser\n\nGrønnegårdssekretariatet har sat 40 nye fuglekasser op i parkerne.\n' \
    >"$T/records/notat.txt"
# The inner script prints TAP lines numbered on from n and leaves its counts in a file.
cat >"$T/inner.sh" <<'INNER'
set -u
. tests/lib.sh
. tests/tap.sh
PID=
# Only the server this script started, by its PID.
trap '[ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null' EXIT
for d in usr etc var; do
    mkdir -p "$T/ov/$d/up" "$T/ov/$d/work"
    mount -t overlay overlay -o "lowerdir=/$d,upperdir=$T/ov/$d/up,workdir=$T/ov/$d/work" "/$d" ||
        { not_ok "an overlay on /$d"; echo "$n $failed" >"$T/counts"; exit 0; }
done
check "dpkg -i installs the package (its maintainer scripts run)" \
    dpkg -i --no-triggers "$DEB"
check "dpkg says arkivar $VERSION is installed" \
    bash -c "[ \"\$(dpkg-query -W -f='\${Status} \${Version}' arkivar)\" = 'install ok installed $VERSION' ]"
check "the postinst made an empty index at /var/lib/arkivar/index" test -f /var/lib/arkivar/index/iamglass
check "the postinst enabled the unit (multi-user.target wants it)" bash -c "
    [ \"\$(readlink /etc/systemd/system/multi-user.target.wants/arkivar.service)\" = /lib/systemd/system/arkivar.service ]"
check "systemd-analyze verify accepts the installed unit, without a warning" bash -c "
    out=\$(systemd-analyze verify /lib/systemd/system/arkivar.service 2>&1); rc=\$?
    [ \$rc = 0 ] && [ -z \"\$out\" ] || { echo \"rc=\$rc \$out\"; exit 1; }"

# The unit's ExecStart has no arguments: the conffile says where to listen (8080 may be
# someone's make run), the defaults do the rest.
printf '[server]\nlisten = 127.0.0.1:%s\nthreads = 2\n' "$PORT" >>/etc/arkivar/arkivar.conf
(cd / && exec /usr/sbin/arkivar-server) 2>"$T/server.log" &
PID=$!
up=0
for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$PORT/health" >"$T/health" 2>/dev/null && { up=1; break; }
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.1
done
ok_if "$([ $up = 1 ]; echo $?)" "the installed server, started as the unit starts it, answers /health on the conffile's port"
[ $up = 1 ] || diag <"$T/server.log"
check "… serving the postinst's empty index with the installed acronyms" bash -c "
    grep -q '\"documents\":0' '$T/health' &&
    grep -Eq 'index /var/lib/arkivar/index, .* [1-9][0-9]* acronyms' '$T/server.log' || { cat '$T/health' '$T/server.log'; exit 1; }"
kill -TERM "$PID" && wait "$PID"
ok_if $? "SIGTERM ends it with status 0"
PID=

check "the installed indexer fills the index" \
    arkivar-indexer --quiet --index /var/lib/arkivar/index "$T/records"
check "a reinstall (dpkg -i again) keeps that index" bash -c "
    dpkg -i --no-triggers '$DEB' >/dev/null &&
    [ \"\$(xapian-delve /var/lib/arkivar/index 2>/dev/null | sed -n 's/^number of documents = //p')\" = 1 ] ||
    { xapian-delve /var/lib/arkivar/index; exit 1; }"
check "dpkg --purge removes the package, its conffile and the state directory" bash -c "
    dpkg --purge --no-triggers arkivar >/dev/null &&
    [ ! -e /var/lib/arkivar ] && [ ! -e /etc/arkivar ] && [ ! -e /usr/sbin/arkivar-server ] &&
    [ ! -e /etc/systemd/system/multi-user.target.wants/arkivar.service ] || { ls -la /var/lib/arkivar /etc/arkivar; exit 1; }"
echo "$n $failed" >"$T/counts"
INNER
export T DEB VERSION PORT n failed
unshare --mount --propagation private bash "$T/inner.sh"
if [ -f "$T/counts" ]; then
    read -r n failed <"$T/counts"
else
    not_ok "the namespace's script ran to its end"
fi
check "this machine has no arkivar package after the test" bash -c "! dpkg-query -W arkivar >/dev/null 2>&1 && [ ! -e /usr/sbin/arkivar-server ]"

echo "1..$n"
[ "$failed" = 0 ]
