#!/usr/bin/env bash
# tests/t_install.sh: `make install` as an operator runs it, and the installed programs
# (TAP; needs root for a private mount namespace).
# Owns: the install layout (PREFIX/bin, sbin, share/arkivar, the man pages, the systemd
# unit, which `systemd-analyze verify` must accept without a word), the version
# each installed program prints against the Makefile's, the pages rendering without a
# warning, and the installed server started in / finding its data files: an index built
# by the installed indexer answers "KFF" through data/acronyms.txt's expansion, which no
# document spells as KFF; it tells systemd READY=1 (sd_notify) once /health answers, and
# STOPPING=1 on SIGTERM. SIGHUP leaves it running: a changed acronyms file is read
# (a new acronym found at once), a bad one keeps the table in use, and the key file is
# read again. The configuration file (--config): its keys set what the flags set, a flag
# wins over it, an unknown key or a bad value stops the start naming the line, and the
# installed example parses. `make uninstall` leaves no file behind.
# Why a mount namespace: the installed server has PREFIX/share/arkivar compiled in, and
# DESTDIR stages the files elsewhere; `unshare --mount` binds DESTDIR/usr/local onto
# /usr/local for the installed programs alone, so they run from where they will live
# without touching this machine's /usr/local.
# Needs root (unshare, mount), make, man, systemd-analyze, curl, python3. ARK_BUILD names the build
# (build-san: the programs are installed from the sanitizer build).
set -u

ARK_BUILD=${ARK_BUILD:-build}
n=0
failed=0
PID=
NPID=

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tap.sh"

require make man systemd-analyze curl python3 unshare mount

T=$(mktemp -d "${TMPDIR:-/tmp}/t_install.XXXXXX")
cleanup() {
    # Only the server this script started, by its PID.
    for p in $PID $NPID; do
        if kill -0 "$p" 2>/dev/null; then kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; fi
    done
    rm -rf "$T"
}
trap cleanup EXIT

VERSION=$(makefile_version)
ROOT=$T/root
P=/usr/local
case "$ARK_BUILD" in *-san) SAN=1 ;; *) SAN=0 ;; esac

# The make that runs this test must not lend its jobserver to the one below, which
# installs the build under test (ARK_BUILD, ARK_BIN).
mk() {
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory SAN=$SAN \
        BUILD="$ARK_BUILD" BIN="${ARK_BIN:-bin}" "$@"
}

if ! mk install DESTDIR="$ROOT" PREFIX=$P >"$T/install.log" 2>&1; then
    not_ok "make install DESTDIR=… PREFIX=$P"
    tail -20 "$T/install.log" | diag
    echo "1..$n"
    exit 1
fi
ok "make install DESTDIR=… PREFIX=$P"

files="bin/arkivar-indexer bin/arkivar-keys sbin/arkivar-server share/arkivar/acronyms.txt
share/man/man1/arkivar-indexer.1 share/man/man1/arkivar-keys.1 share/man/man8/arkivar-server.8
lib/systemd/system/arkivar.service share/arkivar/arkivar.conf.example"
missing=
for f in $files; do [ -f "$ROOT$P/$f" ] || missing="$missing $f"; done
ok_if "$([ -z "$missing" ]; echo $?)" "installed under PREFIX: $(echo $files | tr '\n' ' ')${missing:+ (missing:$missing)}"
check "the installed acronyms are data/acronyms.txt" cmp data/acronyms.txt "$ROOT$P/share/arkivar/acronyms.txt"

# in_ns CMD ARGS...: CMD in a mount namespace where DESTDIR's /usr/local is /usr/local,
# in / (exec all the way: the PID of `in_ns … &` is CMD's).
cat >"$T/in_ns" <<EOF
#!/bin/sh
exec unshare --mount sh -c 'mount --bind "\$0" $P && cd / && exec "\$@"' "$ROOT$P" "\$@"
EOF
printf '#!/bin/sh\nexec "%s" %s/sbin/arkivar-server "$@"\n' "$T/in_ns" $P >"$T/server"
chmod +x "$T/in_ns" "$T/server"
IN_NS=$T/in_ns

for prog in bin/arkivar-indexer bin/arkivar-keys sbin/arkivar-server; do
    name=${prog#*/}
    check "installed $name --version prints '$name $VERSION' (the Makefile's)" \
        bash -c "out=\$('$IN_NS' $P/$prog --version) && [ \"\$out\" = '$name $VERSION' ] || { echo \"got: \$out\"; exit 1; }"
done

for page in man1/arkivar-indexer.1 man1/arkivar-keys.1 man8/arkivar-server.8; do
    check "man $page renders without warnings" bash -c "
        w=\$(man --warnings -E UTF-8 -l -Tutf8 '$ROOT$P/share/man/$page' 2>&1 >/dev/null)
        [ -z \"\$w\" ] || { echo \"\$w\"; exit 1; }"
done
check "the installed server's page names the installed data directory" \
    grep -q "^\.I $P/share/arkivar/acronyms.txt" "$ROOT$P/share/man/man8/arkivar-server.8"

# verify reads the unit where systemd would (the namespace): it checks that ExecStart's
# program exists and that man finds the Documentation= page. It exits 0 on an unknown
# key too, so any word it says fails the test.
check "systemd-analyze verify accepts the installed unit, without a warning" bash -c "
    out=\$('$IN_NS' systemd-analyze verify $P/lib/systemd/system/arkivar.service 2>&1); rc=\$?
    [ \$rc = 0 ] && [ -z \"\$out\" ] || { echo \"rc=\$rc \$out\"; exit 1; }"
U=$ROOT$P/lib/systemd/system/arkivar.service
check "the unit is Type=notify and starts the installed server" \
    grep -qx "ExecStart=$P/sbin/arkivar-server" "$U"
for want in Type=notify DynamicUser=yes StateDirectory=arkivar ProtectSystem=strict ProtectHome=yes \
    PrivateTmp=yes NoNewPrivileges=yes "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6" \
    SystemCallFilter=@system-service "ExecReload=/bin/kill -HUP \$MAINPID"; do
    grep -qxF "$want" "$U" || lacks="${lacks:-} [$want]"
done
ok_if "$([ -z "${lacks:-}" ]; echo $?)" "the unit runs unprivileged and sandboxed (DynamicUser, ProtectSystem=strict, SystemCallFilter …)${lacks:+; lacks$lacks}"

# ---- the installed programs, from / ---------------------------------------------------------

# No document says KFF: only the acronyms file joins it to the name.
mkdir -p "$T/records"
cat >"$T/records/svar.txt" <<'EOF'
Svar om åbningstider i svømmehallerne

Kultur- og Fritidsforvaltningen oplyser, at svømmehallerne holder åbent til klokken 21
på hverdage, og at skolernes morgensvømning fortsætter i det nye år.
EOF
cat >"$T/records/notat.txt" <<'EOF'
Notat om fuglekasser i parkerne

Grønnegårdssekretariatet har sat 40 nye fuglekasser op i de store parker, og
Grønnegårdssekretariatet tæller ynglefuglene igen til foråret.
EOF

check "the installed indexer, run in /, builds an index" \
    "$IN_NS" $P/bin/arkivar-indexer --quiet --index "$T/idx" "$T/records"
check "the installed arkivar-keys makes a key file" \
    bash -c "'$IN_NS' $P/bin/arkivar-keys add '$T/keys' anna offentlig >'$T/key1'"

# A notification socket as systemd's: every datagram the server sends, one a line.
python3 - "$T/notify.sock" "$T/notify.log" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(60)
with open(sys.argv[2], "a", buffering=1) as log:
    while True:
        m = s.recv(4096).decode()
        log.write(m.replace("\n", " ") + "\n")
        if "STOPPING=1" in m:
            break
PY
NPID=$!
for _ in $(seq 50); do [ -S "$T/notify.sock" ] && break; sleep 0.1; done

PORT=$(free_port)
B=http://127.0.0.1:$PORT
up=0
NOTIFY_SOCKET=$T/notify.sock SERVER=$T/server start_server "$PORT" "$T/server.log" --index "$T/idx" \
    --threads 2 --keys "$T/keys" && up=1
ok_if "$([ $up = 1 ]; echo $?)" "the installed server, started in /, answers /health"
if [ $up != 1 ]; then diag <"$T/server.log"; echo "1..$n"; exit 1; fi
check "it sent READY=1 to \$NOTIFY_SOCKET, with its address" \
    bash -c "for _ in \$(seq 50); do grep -q '^READY=1 STATUS=listening on http://127.0.0.1:$PORT' '$T/notify.log' 2>/dev/null && exit 0; sleep 0.1; done; cat '$T/notify.log'; exit 1"
check "its ready line counts the installed acronyms" grep -Eq ' [1-9][0-9]* acronyms \([0-9]+ learned\),' "$T/server.log"

# finds Q WANT: /api/search?q=Q has a result whose snippet holds WANT
finds() {
    curl -s "$B/api/search?q=$1" | python3 -c '
import json, sys
r = json.load(sys.stdin)
snips = [x["snippet"] for x in r["results"]]
sys.exit(0 if any(sys.argv[1] in s for s in snips) else (print(r["total"], snips) or 1))' "$2"
}
check "\"KFF\" finds Kultur- og Fritidsforvaltningen through the installed acronyms.txt" \
    finds KFF "Kultur- og Fritidsforvaltningen"
check "/health says the Makefile's version" \
    bash -c "[ \"\$(curl -s '$B/health' | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"version\"])')\" = '$VERSION' ]"

# ---- SIGHUP --------------------------------------------------------------------------------

ACR=$ROOT$P/share/arkivar/acronyms.txt
# replace FILE: stdin becomes FILE at once (a rename, as an editor or a package does).
replace() { cat >"$1.new" && mv "$1.new" "$1"; }
# after_hup N PATTERN: send SIGHUP, wait until the server's log has N lines matching
# PATTERN (the reload's own line; the threads take a new table on their next request).
after_hup() {
    kill -HUP "$PID" || return 1
    for _ in $(seq 100); do
        [ "$(grep -cE "$2" "$T/server.log")" -ge "$1" ] && return 0
        kill -0 "$PID" 2>/dev/null || { echo "the server died"; tail -5 "$T/server.log"; return 1; }
        sleep 0.1
    done
    echo "no '$2' in the log:"; tail -5 "$T/server.log"; return 1
}
check "before: \"GGS\" is no acronym, nothing finds it" \
    bash -c "[ \"\$(curl -s '$B/api/search?q=GGS' | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"total\"])')\" = 0 ]"

{ cat data/acronyms.txt; echo "GGS Grønnegårdssekretariatet (no equals sign)"; } | replace "$ACR"
check "SIGHUP with a bad acronyms file: the server runs on and names the line" \
    after_hup 1 "^arkivar-server: SIGHUP: cannot load acronyms: $P/share/arkivar/acronyms.txt:[0-9]+: expected .*; the acronyms in use are kept\$"
check "… and keeps the acronyms in use: \"KFF\" still finds Kultur- og Fritidsforvaltningen" \
    finds KFF "Kultur- og Fritidsforvaltningen"

{ cat data/acronyms.txt; echo "GGS = Grønnegårdssekretariatet"; } | replace "$ACR"
NACR=$(grep -cE '^[^#[:space:]].*=' "$ACR")
check "SIGHUP with a good acronyms file: $NACR acronyms read again" \
    after_hup 1 "^arkivar-server: SIGHUP: $NACR acronyms from $P/share/arkivar/acronyms.txt\$"
check "\"GGS\" now finds Grønnegårdssekretariatet, without a restart" finds GGS "Grønnegårdssekretariatet"
check "\"KFF\" still finds Kultur- og Fritidsforvaltningen" finds KFF "Kultur- og Fritidsforvaltningen"
check "it told systemd RELOADING=1 and READY=1 again" \
    bash -c "[ \$(grep -c '^RELOADING=1 MONOTONIC_USEC=[0-9]' '$T/notify.log') = 2 ] && [ \$(grep -c '^READY=1' '$T/notify.log') = 3 ]"

"$IN_NS" $P/bin/arkivar-keys add "$T/keys" bo offentlig >"$T/key2"
check "SIGHUP reads the key file again (a key added: 2 keys)" \
    after_hup 2 "^arkivar-server: SIGHUP: [0-9]+ keys from $T/keys\$"
check "… and the new key is served" \
    bash -c "grep -q 'SIGHUP: 2 keys from' '$T/server.log' &&
        [ \"\$(curl -s -o /dev/null -w '%{http_code}' -H \"Authorization: Bearer \$(cat '$T/key2')\" '$B/api/search?q=fuglekasser')\" = 200 ]"
check "the server is the one started before the signals" kill -0 "$PID"

check "an --acronyms file that is missing stops the start, named" bash -c "
    '$T/server' --index '$T/idx' --listen 127.0.0.1:0 --acronyms /nonexistent/acr.txt 2>'$T/missing.log'; rc=\$?
    [ \$rc = 1 ] && grep -q 'cannot load acronyms: /nonexistent/acr.txt: No such file' '$T/missing.log' ||
    { echo rc=\$rc; cat '$T/missing.log'; exit 1; }"

kill -TERM "$PID" && wait "$PID"
ok_if $? "SIGTERM ends the installed server with status 0"
PID=
wait "$NPID"
check "and it said STOPPING=1 first" grep -q '^STOPPING=1' "$T/notify.log"
NPID=

# ---- the configuration file ---------------------------------------------------------------

check "the installed server's --help names /etc/arkivar/arkivar.conf as its default file" \
    bash -c "'$T/server' --help | grep -q '(default /etc/arkivar/arkivar.conf if present)'"
check "the checkout's server reads no file unless told" \
    bash -c "'${ARK_BIN:-bin}/arkivar-server' --help | grep -q 'the flags given win (default: none)'"

PORT2=$(free_port)
cat >"$T/arkivar.conf" <<EOF
# the test's server
[server]
index = $T/idx
listen = 127.0.0.1:$PORT2   ; an inline comment
threads = 1
keys = $T/keys
EOF
up=0
SERVER=$T/server start_server "$PORT" "$T/server2.log" --config "$T/arkivar.conf" && up=1
ok_if "$([ $up = 1 ]; echo $?)" "--listen given as a flag wins over the file's listen"
check "the file's index, keys and threads are used" \
    bash -c "grep -q '^arkivar-server: listening on http://127.0.0.1:$PORT (1 threads, index $T/idx,' '$T/server2.log' &&
        [ \"\$(curl -s -o /dev/null -w '%{http_code}' -H \"Authorization: Bearer \$(cat '$T/key1')\" '$B/api/search?q=fuglekasser')\" = 200 ] &&
        [ \"\$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer ark_wrong' '$B/api/search?q=fuglekasser')\" = 401 ]"
[ -n "$PID" ] && kill -TERM "$PID" && wait "$PID"
PID=
"$T/server" --config="$T/arkivar.conf" 2>"$T/server3.log" &
PID=$!
up=0
for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$PORT2/health" >/dev/null 2>&1 && { up=1; break; }
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.1
done
ok_if "$([ $up = 1 ]; echo $?)" "without --listen the file's listen is used (--config=FILE)"
[ -n "$PID" ] && kill -TERM "$PID" && wait "$PID"
PID=

# refused CONTENT MESSAGE: a file with CONTENT stops the start, exit 2, saying MESSAGE
refused() {
    printf '%s\n' "$1" >"$T/bad.conf"
    "$T/server" --config "$T/bad.conf" --listen 127.0.0.1:0 2>"$T/bad.log"; rc=$?
    [ $rc = 2 ] && grep -qF "arkivar-server: $T/bad.conf:$2" "$T/bad.log" || { echo "rc=$rc"; cat "$T/bad.log"; return 1; }
}
check "an unknown key stops the start, naming its line" \
    refused "$(printf '[server]\nthreads = 2\nfrobnicate = yes')" "3: unknown key 'frobnicate'"
check "a bad value stops the start, naming its line and the flag's own reason" \
    refused "$(printf '# c\n[server]\nthreads = 0')" "3: bad --threads 0 (want 1 to 1024)"
check "a key given twice is refused" \
    refused "$(printf '[server]\nthreads = 2\nthreads = 3')" "3: key 'threads' given twice"
check "a key outside [server] is refused" \
    refused "$(printf 'threads = 2')" "1: key threads outside a section"
check "another section is refused" \
    refused "$(printf '[indexer]\nthreads = 2')" "2: unknown section [indexer]"
check "a line that is no key = value is refused" \
    refused "$(printf '[server]\nthreads 2')" "2: expected \"key = value\" or \"[server]\""
check "a line longer than libinih reads is refused, not cut in two" \
    refused "$(printf '[server]\ncors = https://%0300d.dk' 0)" "2: line longer than"
check "a --config file that is missing is refused, named" bash -c "
    '$T/server' --config /nonexistent/a.conf 2>'$T/nf.log'; rc=\$?
    [ \$rc = 2 ] && grep -q 'arkivar-server: /nonexistent/a.conf: No such file or directory' '$T/nf.log' || { echo rc=\$rc; cat '$T/nf.log'; exit 1; }"
check "--help is shown whatever the file" bash -c "'$T/server' --config '$T/bad.conf' --help | grep -q '^usage: arkivar-server'"
check "the installed example parses (everything in it commented out)" bash -c "
    '$T/server' --config $P/share/arkivar/arkivar.conf.example --index /nonexistent --listen 127.0.0.1:0 2>'$T/ex.log'; rc=\$?
    [ \$rc = 1 ] && grep -q 'no index at /nonexistent' '$T/ex.log' || { echo rc=\$rc; cat '$T/ex.log'; exit 1; }"

# ---- uninstall ------------------------------------------------------------------------------

check "make uninstall DESTDIR=… PREFIX=$P" mk uninstall DESTDIR="$ROOT" PREFIX=$P
left=$(find "$ROOT" -type f | sed "s|^$ROOT||")
ok_if "$([ -z "$left" ]; echo $?)" "make uninstall leaves no file${left:+ (left: $left)}"

echo "1..$n"
[ "$failed" = 0 ]
