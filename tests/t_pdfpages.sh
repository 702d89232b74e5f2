#!/usr/bin/env bash
# tests/t_pdfpages.sh: a PDF's running header and footer, and sentences over page breaks (TAP).
# Owns: the 4-page fixture tests/fixtures/pdf/havneplan.pdf (made by tests/mkpdf.py)
# has a letterhead at the top and "Side N af 4" at the foot of every page, and sentences
# that run on from one page to the next, one with a word hyphenated across the break.
# Seen through the indexer and the server: the header and footer are in no passage and
# find nothing; the sentence is one passage whose pages say where it starts and ends
# (page 1, page_end 3, as pdftotext -f N -l N shows the words), and the hyphenated word
# is whole.
# Why: a letterhead taken as text ranks every page for the administration's name, and a
# sentence cut at a page break is found by neither half.
set -u

ARK_BIN=${ARK_BIN:-bin}
SERVER=$ARK_BIN/arkivar-server
INDEXER=$ARK_BIN/arkivar-indexer
FIX=$(dirname "$0")/fixtures/pdf/havneplan.pdf
n=0
failed=0
PID=

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tap.sh"

require curl python3 pdftotext "$SERVER" "$INDEXER"
if [ ! -f "$FIX" ]; then echo "not ok 1 - $FIX is missing (python3 tests/mkpdf.py)"; echo "1..1"; exit 1; fi

T=$(mktemp -d "${TMPDIR:-/tmp}/t_pdfpages.XXXXXX")
cleanup() {
    if [ -n "$PID" ]; then kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; fi
    rm -rf "$T"
}
trap cleanup EXIT

# The fixture, read by another program: where its words are.
page_has() { pdftotext -q -f "$1" -l "$1" "$FIX" - | grep -q "$2"; }
check "fixture: the letterhead is on every page" bash -c "$(declare -f page_has); FIX='$FIX'
    for p in 1 2 3 4; do page_has \$p 'Teknik- og Miljøforvaltningen' && page_has \$p \"Side \$p af 4\" || exit 1; done"
check "fixture: the sentence starts on page 1, 'cykel-' ends page 2, 'stier' starts page 3" bash -c "
    $(declare -f page_has); FIX='$FIX'
    page_has 1 'udvide det grønne' && page_has 2 'bygger nye cykel' && page_has 3 '^stier langs kanalen'"
check "fixture: tests/mkpdf.py still writes it byte for byte" bash -c "
    python3 '$(dirname "$0")/mkpdf.py' '$T/regen' && cmp '$T/regen/havneplan.pdf' '$FIX'"

mkdir -p "$T/c"
cp "$FIX" "$T/c/havneplan.pdf"
"$INDEXER" --quiet --index "$T/i" "$T/c" 2>"$T/i.log"; ok_if $? "the PDF indexes (exit 0)"
PORT=$(free_port)
start_server "$PORT" "$T/s.log" --index "$T/i" --threads 2; ok_if $? "server starts"
S=http://127.0.0.1:$PORT

doc=$(curl -s "$S/api/doc/havneplan.pdf")
[ "$(echo "$doc" | json_field 'any("Miljøforvaltningen" in p["text"] or "af 4" in p["text"] for p in d["passages"])')" = false ] && \
    [ "$(curl -s "$S/api/search?q=Miljøforvaltningen" | json_field 'd["total"]')" = 0 ]
ok_if $? "the running header and footer are in no passage, and a search for them finds nothing"

hit=$(curl -s -G "$S/api/search" --data-urlencode "q=cykelstier langs kanalen")
[ "$(echo "$hit" | json_field '[d["results"][0]["passage"][k] for k in ("page", "page_end")]')" = '[1, 3]' ] && \
    [ "$(echo "$hit" | json_field '"cykelstier" in d["results"][0]["snippet"]')" = true ]
ok_if $? "the sentence over two page breaks is one passage, pages 1-3, 'cykel-|stier' whole ($(echo "$hit" | json_field 'd["results"][0]["passage"]' | cut -c1-120))"
[ "$(echo "$doc" | json_field '[p["text"] for p in d["passages"] if "udvide det grønne område ved Sydhavnen" in p["text"]] != []')" = true ]
ok_if $? "the words on either side of the first break meet in one passage text"
curl -s "$S/doc/havneplan.pdf" | grep -q 'side 1–3'
ok_if $? "the document page says 'side 1–3' for it"
[ "$(echo "$doc" | json_field '[d["doc"][k] for k in ("title", "date", "format")]')" = '["Status for havnens grønne områder", "2026-04-15", "pdf"]' ]
ok_if $? "title and date from the PDF's Info (/Title, /CreationDate: the text dates nothing), format pdf"

kill -TERM "$PID"; wait "$PID" 2>/dev/null; PID=
check "no sanitizer report" bash -c "! grep -E 'Sanitizer|runtime error' '$T/s.log' '$T/i.log'"
echo "1..$n"
[ "$failed" = 0 ]
