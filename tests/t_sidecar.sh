#!/usr/bin/env bash
# tests/t_sidecar.sh: a document's metadata from its sidecar, NAME.meta.json (TAP).
# Owns: what the source system says (title, date, type, committee, case numbers) wins
# over what is guessed from the text; a changed sidecar re-indexes its document; a
# sidecar with a member of the wrong kind is an error for that file (indexed nowhere).
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

T=$(mktemp -d "${TMPDIR:-/tmp}/t_sidecar.XXXXXX")
cleanup() {
    if [ -n "$PID" ]; then kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; fi
    rm -rf "$T"
}
trap cleanup EXIT

mkdir -p "$T/c"
cp corpus/001_cd1fcdf664451ee5.txt "$T/c/svar.txt"
cp corpus/002_1152fea116605285.txt "$T/c/andet.txt"
cat > "$T/c/svar.txt.meta.json" <<'JSON'
{"title": "Svar til \u00d8konomiudvalget om \"innovation\"", "date": "2026-06-24", "type": "svar",
 "committee": "ØU", "case_numbers": ["2026-9999999", "2026-0000001"], "url": "https://kk.dk/sag/1",
 "fields": {"sagsbehandler": "x"}}
JSON
"$INDEXER" --quiet --index "$T/i" "$T/c" 2>"$T/i.log"; ok_if $? "a folder with a sidecar indexes (exit 0)"
PORT=$(free_port)
start_server "$PORT" "$T/s.log" --index "$T/i" --threads 2; ok_if $? "server starts"
S=http://127.0.0.1:$PORT
doc=$(curl -s "$S/api/doc/svar.txt?count=1")
[ "$(echo "$doc" | json_field 'd["doc"]["title"]')" = '"Svar til Økonomiudvalget om \"innovation\""' ] && \
    [ "$(echo "$doc" | json_field '[d["doc"][k] for k in ("date", "type", "committee")]')" = '["2026-06-24", "svar", "ØU"]' ] && \
    [ "$(echo "$doc" | json_field 'd["doc"]["case_numbers"]')" = '["2026-9999999", "2026-0000001"]' ]
ok_if $? "title, date, type, committee and case numbers are the sidecar's, not the text's guesses"
[ "$(curl -s "$S/api/search?q=innovation&case=2026-0000001" | json_field 'sorted({r["doc"]["id"] for r in d["results"]})')" = '["svar.txt"]' ] && \
    [ "$(curl -s "$S/api/search?q=sag:2026-9999999" | json_field 'd["total"] > 0')" = true ]
ok_if $? "the sidecar's case numbers filter (case= and sag:)"
[ "$(curl -s "$S/api/search?q=innovation&type=svar&date=2026-06" | json_field 'sorted({r["doc"]["id"] for r in d["results"]})')" = '["svar.txt"]' ]
ok_if $? "its type and date filter too"
[ "$(echo "$doc" | json_field '[d["doc"][k] for k in ("url", "format", "fields")]')" = '["https://kk.dk/sag/1", "text", {"sagsbehandler": "x"}]' ] && \
    [ "$(curl -s "$S/api/search?q=innovation" | json_field 'sorted({r["doc"].get("url", "") for r in d["results"] if r["doc"]["id"] == "svar.txt"})')" = '["https://kk.dk/sag/1"]' ] && \
    curl -s "$S/?q=innovation" | grep -q '<a href="https://kk.dk/sag/1">Originalen</a>' && \
    curl -s "$S/doc/svar.txt" | grep -q '<dt>sagsbehandler</dt><dd>x</dd>'
ok_if $? "url, format and free fields: in /api/doc, the url in every result and linked from the page"
[ "$(curl -s "$S/api/search?q=felt:sagsbehandler=X" | json_field 'sorted({r["doc"]["id"] for r in d["results"]})')" = '["svar.txt"]' ] && \
    [ "$(curl -s "$S/api/search?q=felt:sagsbehandler=y" | json_field 'd["total"]')" = 0 ]
ok_if $? "a free field filters as felt:key=value, case-insensitively"
guess=$(curl -s "$S/api/doc/andet.txt?count=1" | json_field 'd["doc"]["title"]')
[ -n "$guess" ] && [ "$guess" != '""' ]; ok_if $? "a file without a sidecar keeps the guessed title ($guess)"

echo '{"title": "Et nyt navn"}' > "$T/c/svar.txt.meta.json"
"$INDEXER" --index "$T/i" "$T/c" 2>"$T/i2.log"; rc=$?
sleep 0.5
[ $rc = 0 ] && grep -q '1 files indexed, 1 unchanged' "$T/i2.log" && \
    [ "$(curl -s "$S/api/doc/svar.txt?count=1" | json_field 'd["doc"]["title"]')" = '"Et nyt navn"' ]
ok_if $? "a changed sidecar re-indexes its document, the other stays unchanged ($(tail -1 "$T/i2.log" | cut -c1-60))"

echo '{"url": "javascript:alert(1)"}' > "$T/c/andet.txt.meta.json"
"$INDEXER" --index "$T/i" "$T/c" --allow-removals 2>"$T/iu.log"; rc=$?
[ $rc = 1 ] && grep -q 'andet.txt.meta.json.*"url" is not an http(s) address' "$T/iu.log"
ok_if $? "a url that is not http(s) is an error for its file (exit $rc)"
rm "$T/c/andet.txt.meta.json"

echo '{"title": 5}' > "$T/c/svar.txt.meta.json"
"$INDEXER" --index "$T/i" "$T/c" --allow-removals 2>"$T/i3.log"; rc=$?
sleep 0.5
code=$(curl -s -o /dev/null -w '%{http_code}' "$S/api/doc/svar.txt")
[ $rc = 1 ] && grep -q 'svar.txt.meta.json.*"title" is not a string' "$T/i3.log" && [ "$code" = 404 ]
ok_if $? "a title that is not a string: the file is named, exit 1, and indexed nowhere ($code)"

# A markdown file's YAML front matter is read the same way (the sidecar wins over it),
# and is no passage of the document: offsets still count the file's own bytes.
mkdir -p "$T/md"
printf -- '---\ntitle: "Referat af ØU-mødet"\ndate: 2026-03-02\ntype: referat\ncase_numbers:\n  - 2026-1234567\ncommittee: ØU\n---\n# Punkt 1\n\nUdvalget drøftede skolemad og innovation.\n' > "$T/md/ref.md"
printf -- '---\ntitle: Lukket punkt\naccess: intern\n---\nPersonalesag om Qorvandel.\n' > "$T/md/lukket.md"
printf -- '---\ntitle: [\n---\nTekst.\n' > "$T/md/bad.md"
"$INDEXER" --quiet --index "$T/m" "$T/md" 2>"$T/m.log"; rc=$?
kill -TERM "$PID"; wait "$PID"; PID=
start_server "$PORT" "$T/s2.log" --index "$T/m" --threads 2; ok_if $? "server on the markdown index starts"
doc=$(curl -s "$S/api/doc/ref.md")
[ "$(echo "$doc" | json_field '[d["doc"][k] for k in ("title", "date", "type", "committee", "case_numbers")]')" = \
  '["Referat af ØU-mødet", "2026-03-02", "referat", "ØU", ["2026-1234567"]]' ] && \
    [ "$(echo "$doc" | json_field '[(p["text"], p["line_start"]) for p in d["passages"]]')" = '[["Udvalget drøftede skolemad og innovation.", 11]]' ] && \
    [ "$(echo "$doc" | json_field 'd["passages"][0]["start"]')" = "$(grep -bo 'Udvalget' "$T/md/ref.md" | cut -d: -f1)" ]
ok_if $? "front matter: the metadata read, no passage of it, offsets and lines in the file's bytes"
[ $rc = 1 ] && grep -q 'bad.md.*front matter' "$T/m.log" && [ "$(curl -s -o /dev/null -w '%{http_code}' "$S/api/doc/bad.md")" = 404 ]
ok_if $? "front matter that is not key: value: the file is named, exit 1, indexed nowhere (exit $rc)"
[ "$(curl -s "$S/api/search?q=Qorvandel" | json_field 'd["total"]')" = 0 ] && [ "$(curl -s -o /dev/null -w '%{http_code}' "$S/api/doc/lukket.md")" = 404 ]
ok_if $? "access: intern in front matter keeps the file out of the public database"

kill -TERM "$PID"; wait "$PID"; PID=
echo "1..$n"
[ $failed = 0 ]
