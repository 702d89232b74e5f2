#!/bin/sh
# scripts/install-deps.sh: install the Debian packages Arkivar builds and runs with, and
# with --test also those only its tests use.
# Idempotent: does nothing (and needs no root) when everything is already there.
#   scripts/install-deps.sh [--deb] [--test] [--check]
#     (none)   what `make`, `make run` and `make index` need: compilers, the libraries'
#              -dev packages, the word list
#     --deb    that and what `make deb` needs (debhelper, dpkg-dev, fakeroot)
#     --test   all of that and what `make test` needs (browsers, node, clang's fuzzer,
#              lintian …)
#     --check  only say what is missing (exit 1 if anything)
# Why two sets: an operator building from source to serve records should not get
# chromium, node, LibreOffice's help pages and a second compiler (issue 15). The Makefile's
# `deps` installs the first set, `deps-test` (what `make test` depends on) both, so a
# fresh machine still needs one command either way, and .ci/run's `make test` gets the
# test set even after a plain `sh scripts/install-deps.sh`.
set -eu

test_set=0
deb_set=0
check=0
for a in "$@"; do
    case $a in
    --test) test_set=1; deb_set=1 ;;
    --deb) deb_set=1 ;;
    --check) check=1 ;;
    *) echo "usage: scripts/install-deps.sh [--deb] [--test] [--check]" >&2; exit 2 ;;
    esac
done

# ---- build and run ----------------------------------------------------------------------
BUILD_PKGS="build-essential g++ pkg-config libxapian-dev libmicrohttpd-dev libstemmer-dev
zlib1g-dev libutf8proc-dev libsodium-dev wdanish libpoppler-glib-dev libxml2-dev libzip-dev
libsystemd-dev libinih-dev"
# libpoppler-glib-dev: the PDF loader (lib/text/pdf.c).
# libxml2-dev: the HTML loader (lib/text/html.c), libxml2's HTML parser; and the XML of
# DOCX and ODT (lib/text/office.c). libzip-dev: their zip container (zip64, inflation
# read in bounded steps, CRC checks), rather than a zip reader of our own.
# libsystemd-dev: sd_notify, so that the systemd unit (dist/arkivar.service.in) is
# Type=notify. libinih-dev: the server's configuration file (server/config.c).
# libsodium-dev: access keys and --log-query-hash (BLAKE2b, the random source).
# wdanish: /usr/share/dict/danish, the word list compound splitting reads at run time.

# ---- the package ------------------------------------------------------------------------
DEB_PKGS="debhelper dpkg-dev fakeroot"
# debhelper, dpkg-dev, fakeroot: `make deb` runs dpkg-buildpackage with dh (debian/rules).
# An operator installing the .deb needs none of them.

# ---- tests only -------------------------------------------------------------------------
TEST_PKGS="xapian-tools curl perl python3 python3-xapian time clang libclang-rt-14-dev
libsqlite3-dev gnuplot-nox poppler-utils qpdf libreoffice-help-da systemd man-db lintian haproxy"
# xapian-tools: xapian-delve/xapian-check read the indexes the tests build, and
# xapian-tcpsrv serves the remote shards of tests/t_shards.sh (a production shard host
# installs it itself). curl, python3, perl (prove): the integration tests speak HTTP,
# read JSON and run under prove. python3-xapian: the relevance test's plain-Xapian
# baseline. time: /usr/bin/time -v in the indexing benchmark's smoke run.
# clang, libclang-rt-14-dev: libFuzzer for tests/t_fuzz.sh.
# libsqlite3-dev, gnuplot-nox: tests/t_benchpeers.sh runs the peer benchmark's SQLite peer
# and its plot (scripts/bench/); the other peers' packages are in scripts/bench/setup.sh.
# poppler-utils (pdftotext) and qpdf: tests/t_pdf.sh checks its fixtures' pages and
# encrypts one.
# systemd (systemd-analyze) and man-db (man): tests/t_install.sh verifies the installed
# unit and renders the installed pages (the service itself needs only the machine's
# systemd, which Debian has).
# haproxy: tests/t_replicas.sh balances two servers on replicas, as docs/scaling.md shows.
# lintian: tests/t_deb.sh checks the package `make deb` builds (with the set above).
# libreoffice-help-da: 2,500 pages of real Danish prose on other subjects, the haystack
# tests/t_haystack.sh hides the five records in (its HTML only: no LibreOffice).

PKGS=$BUILD_PKGS
[ $deb_set = 0 ] || PKGS="$PKGS $DEB_PKGS"
[ $test_set = 0 ] || PKGS="$PKGS $TEST_PKGS"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ $test_set = 1 ]; then
    # The browser test (tests/t_browser.sh): Debian's chromium, driven by playwright-core
    # from npm. tests/t_openapi.sh takes its validators from npm as well
    # (@apidevtools/swagger-parser and ajv, pinned in tests/openapi/package-lock.json; the
    # test runs npm ci), so it needs node and npm too, and no python package. A node and
    # npm installed another way (nodesource, nvm) are used as they are; Debian's
    # nodejs/npm only come in when the commands are missing.
    [ -x /usr/bin/chromium ] || missing="$missing chromium"
    command -v node >/dev/null 2>&1 || missing="$missing nodejs"
    command -v npm >/dev/null 2>&1 || missing="$missing npm"
    # tests/t_vnu.sh runs the Nu HTML Checker (npm's vnu-jar, pinned in tests/vnu/), a
    # Java program: any java on PATH will do, else Debian's headless runtime.
    command -v java >/dev/null 2>&1 || missing="$missing default-jre-headless"
fi
[ -z "$missing" ] && exit 0
if [ $check = 1 ]; then echo "install-deps: missing:$missing"; exit 1; fi

echo "install-deps: installing:$missing" >&2
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
