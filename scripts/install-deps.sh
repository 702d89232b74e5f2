#!/bin/sh
# scripts/install-deps.sh: install the Debian packages Arkivar builds, tests and runs with.
# Idempotent: does nothing (and needs no root) when everything is already there.
#   scripts/install-deps.sh [--check]   --check: only say what is missing (exit 1 if anything)
set -eu

PKGS="build-essential g++ pkg-config libxapian-dev xapian-tools libmicrohttpd-dev
libstemmer-dev zlib1g-dev libutf8proc-dev libsodium-dev wdanish curl perl python3 python3-xapian time clang libclang-rt-14-dev
libsqlite3-dev gnuplot-nox libpoppler-glib-dev poppler-utils qpdf libxml2-dev libreoffice-help-da libzip-dev
libsystemd-dev systemd man-db libinih-dev"
# libsqlite3-dev, gnuplot-nox: tests/t_benchpeers.sh runs the peer benchmark's SQLite peer
# and its plot (scripts/bench/); the other peers' packages are in scripts/bench/setup.sh.
# libpoppler-glib-dev: the PDF loader (lib/text/pdf.c); poppler-utils (pdftotext) and
# qpdf: tests/t_pdf.sh checks its fixtures' pages and encrypts one.
# libxml2-dev: the HTML loader (lib/text/html.c), libxml2's HTML parser; and the XML of
# DOCX and ODT (lib/text/office.c). libzip-dev: their zip container (zip64, inflation
# read in bounded steps, CRC checks), rather than a zip reader of our own.
# libsystemd-dev: sd_notify, so that the systemd unit (dist/arkivar.service.in) is
# Type=notify; systemd (systemd-analyze) and man-db (man): tests/t_install.sh verifies the
# installed unit and renders the installed pages.
# libinih-dev: the server's configuration file (server/config.c), an INI parser.
# libreoffice-help-da: 2,500 pages of real Danish prose on other subjects, the haystack
# tests/t_haystack.sh hides the five records in (its HTML only: no LibreOffice).

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
# The browser test (tests/t_browser.sh): Debian's chromium, driven by playwright-core
# from npm. tests/t_openapi.sh takes its validators from npm as well
# (@apidevtools/swagger-parser and ajv, pinned in tests/openapi/package-lock.json; the
# test runs npm ci), so it needs node and npm too, and no python package. A node and npm
# installed another way (nodesource, nvm) are used as they are; Debian's nodejs/npm only
# come in when the commands are missing.
[ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
# tests/t_vnu.sh runs the Nu HTML Checker (npm's vnu-jar, pinned in tests/vnu/), a Java
# program: any java on PATH will do, else Debian's headless runtime.
command -v java >/dev/null 2>&1 || missing="$missing default-jre-headless"
[ -z "$missing" ] && exit 0
if [ "${1:-}" = "--check" ]; then echo "install-deps: missing:$missing"; exit 1; fi

echo "install-deps: installing:$missing" >&2
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
