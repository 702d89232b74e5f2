#!/usr/bin/env bash
# tests/t_html.sh: web pages (.html, .htm) through libxml2's HTML parser (TAP).
# Owns: the title from <title>, <h1>-<h6> as the passages' headings, the text of the
# page without its scripts, styles and navigation, and refusing what is not a page;
# hostile pages (deep nesting, a big page) are bounded.
set -u

ARK_BIN=${ARK_BIN:-bin}
SERVER=$ARK_BIN/arkivar-server
INDEXER=$ARK_BIN/arkivar-indexer
n=0
failed=0
PID=

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tap.sh"

require curl python3 "$SERVER" "$INDEXER"

T=$(mktemp -d "${TMPDIR:-/tmp}/t_html.XXXXXX")
cleanup() {
    if [ -n "$PID" ]; then kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; fi
    rm -rf "$T"
}
trap cleanup EXIT

mkdir -p "$T/c"
cat > "$T/c/svar.html" <<'HTML'
<!doctype html>
<html lang="da"><head><meta charset="utf-8"><title>  Svar om   skolemad – Københavns Kommune </title>
<style>body { color: Zylstyle }</style><script>var hemmelig = "Zorblax";</script></head>
<body><header><nav><a href="/">Forside</a> <a href="/om">Kvorpnavigation</a></nav></header>
<main><h1>Svar til Økonomiudvalget</h1>
<p>Kære udvalg. Skolemad i <b>alle</b>
   københavnske skoler er et mål.</p>
<h2>Økonomi</h2><p>Ordningen koster 200 mio. kr. om året.<br>Beløbet er fordelt på 5 år.</p>
</main><footer>Kontakt: Fodnoteby</footer></body></html>
HTML
printf 'just text, no markup at all\n' > "$T/c/fake.html"
python3 -c 'print("<html><body>" + "<div>" * 20000 + "Dybtliggende tekst" + "</div>" * 20000 + "</body></html>")' > "$T/c/deep.htm"
python3 -c '
import sys
sys.stdout.write("<html><head><title>Stor side</title></head><body>")
for i in range(40000): sys.stdout.write("<p>Afsnit %d om vandforsyning og kloakering.</p>\n" % i)
sys.stdout.write("</body></html>")' > "$T/c/stor.html"
start=$(date +%s)
"$INDEXER" --index "$T/i" "$T/c" 2>"$T/i.log"; rc=$?
secs=$(( $(date +%s) - start ))
[ $rc = 1 ] && grep -q 'fake.html.*not HTML' "$T/i.log" && grep -q '2 files indexed' "$T/i.log"
ok_if $? "a folder of pages indexes; a .html without markup is named and refused (exit $rc)"
# Text nested past libxml2's depth limit (256) is not read: that page has no text left
# and is refused with the reason, in bounded time and memory.
grep -q 'deep.htm.*no text' "$T/i.log" && [ $secs -lt 60 ]
ok_if $? "20,000 nested elements: refused as holding no readable text; with a 2 MB page, $secs s"

PORT=$(free_port)
start_server "$PORT" "$T/s.log" --index "$T/i" --threads 2; ok_if $? "server starts"
S=http://127.0.0.1:$PORT
doc=$(curl -s "$S/api/doc/svar.html")
[ "$(echo "$doc" | json_field 'd["doc"]["title"]')" = '"Svar om skolemad – Københavns Kommune"' ]
ok_if $? "the title is the page's <title>, its white space as one space"
[ "$(echo "$doc" | json_field '[(p["heading"], p["text"]) for p in d["passages"]]')" = \
  '[["Svar til Økonomiudvalget", "Kære udvalg. Skolemad i alle københavnske skoler er et mål."], ["Økonomi", "Ordningen koster 200 mio. kr. om året. Beløbet er fordelt på 5 år."]]' ]
ok_if $? "h1 and h2 are the passages' headings; paragraphs are their text"
all0=1
for w in Zorblax Zylstyle Kvorpnavigation Fodnoteby; do
    [ "$(curl -s "$S/api/search?q=$w" | json_field 'd["total"]')" = 0 ] || all0=0
done
[ $all0 = 1 ]; ok_if $? "scripts, styles, navigation and footer are not indexed"
[ "$(curl -s "$S/api/search?q=skolemad" | json_field 'd["results"][0]["doc"]["id"]')" = '"svar.html"' ] && \
    [ "$(curl -s "$S/api/search?q=vandforsyning" | json_field 'd["total"] > 1000')" = true ]
ok_if $? "the pages' words are found (the big one's too)"
kill -TERM "$PID"; wait "$PID"; PID=
! grep -q 'ERROR: \(Address\|Leak\)Sanitizer\|runtime error' "$T/s.log" "$T/i.log"; ok_if $? "no sanitizer report"
echo "1..$n"
[ $failed = 0 ]
