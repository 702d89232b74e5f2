#!/usr/bin/env bash
# tests/t_acronyms_learned.sh: acronyms the records define, without data/acronyms.txt (TAP).
# Owns: issue 14, class 2 end to end: arkivar-indexer finds "Grøn Omstillingsfond (GOF)"
# in one record (GOF is in no list), the server's query for GOF finds a record that only
# spells the name out and the reverse, with the words highlighted; an --acronyms file
# replaces what was learned; with the defining record indexed away (or changed), the
# server (running on) forgets GOF once it sees the new revision; a definition in a second shard counts;
# an acronym keeps the long forms half as many records give as its most common one.
# Why: the definitions are stored with their document (lib/ingest/build.c) and summed by
# the engine (lib/search/learned.c); only the programs together show that they stay true.
set -u

ARK_BIN=${ARK_BIN:-bin}
SERVER=$ARK_BIN/arkivar-server
INDEXER=$ARK_BIN/arkivar-indexer
n=0
failed=0
PID=

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tap.sh"

require curl "$SERVER" "$INDEXER"

T=$(mktemp -d "${TMPDIR:-/tmp}/t_acronyms_learned.XXXXXX")
stop_server() {
    # only the server this script started, by its PID
    if [ -n "$PID" ]; then kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; fi
    PID=
}
cleanup() {
    stop_server
    rm -rf "$T"
}
trap cleanup EXIT

mkdir -p "$T/c"
printf 'Orientering om klimamidler\n\nKommunen har oprettet Grøn Omstillingsfond (GOF), som støtter lokale projekter om klimatilpasning i bydelene.\n' >"$T/c/a_defines.txt"
printf 'Svar om ansøgninger\n\nAnsøgninger til GOF behandles to gange om året af sekretariatet i forvaltningen.\n' >"$T/c/b_short.txt"
printf 'Notat om bestyrelsen\n\nBestyrelsen for Grøn Omstillingsfond mødes i august om næste års budgetter.\n' >"$T/c/c_long.txt"
printf 'Notat om opsparing\n\nGrønt Opsparingsforbund holder generalforsamling i maj med valg til bestyrelsen.\n' >"$T/c/d_other.txt"

# Which long forms an acronym keeps (lib/search/learned.c): those given by at least half
# as many documents as its most common one. KSU: one name in three records, another in
# one (dropped); PFU: two names in one record each (both kept).
for k in 1 2 3; do
    printf 'Referat %s\n\nKvarterets Samarbejdsudvalg (KSU) drøftede trafikken i kvarter %s.\n' $k $k >"$T/c/k_def$k.txt"
done
printf 'Referat\n\nKunst- og Scenekunstudvalget (KSU) mødes om teatret.\n' >"$T/c/k_other.txt"
printf 'Notat\n\nHer nævnes Kvarterets Samarbejdsudvalg uden forkortelse.\n' >"$T/c/k_a_only.txt"
printf 'Notat\n\nHer nævnes Kunst- og Scenekunstudvalget uden forkortelse.\n' >"$T/c/k_b_only.txt"
printf 'Referat\n\nPlanlægningsforum Uddannelse (PFU) mødtes i marts.\n' >"$T/c/p_def1.txt"
printf 'Referat\n\nProjektgruppen for Udbud (PFU) mødtes i april.\n' >"$T/c/p_def2.txt"
printf 'Notat\n\nEt oplæg fra Planlægningsforum Uddannelse om studiepladser.\n' >"$T/c/p_a_only.txt"
printf 'Notat\n\nEt oplæg fra Projektgruppen for Udbud om kontrakter.\n' >"$T/c/p_b_only.txt"
# A Danish word in capitals is no acronym: SAND (true) must not stand for a name.
printf 'Vejledning\n\nFunktionen giver SAND (Samlet Antal Nye Dokumenter) når feltet er udfyldt.\n' >"$T/c/s_word.txt"
printf 'Notat\n\nSamlet Antal Nye Dokumenter opgøres hver måned.\n' >"$T/c/s_long.txt"

# The acronym is in no list the server reads: the test would prove nothing otherwise.
! grep -qi '^GOF *=' data/acronyms.txt
ok_if $? "GOF is not in data/acronyms.txt"
printf '# no acronyms but the learned\n' >"$T/none.txt"
printf 'GOF = Grønt Opsparingsforbund\n' >"$T/override.txt"

# A new index is built in parts and merged (indexer/fresh.c): --threads 2.
"$INDEXER" --quiet --threads 2 --index "$T/i" "$T/c" 2>"$T/i.log"
ok_if $? "the records index"

PORT=$(free_port)
S=http://127.0.0.1:$PORT
runs=0
# serve ARGS...: start_server with a log of its own (all are read for sanitizer reports)
serve() {
    runs=$((runs + 1))
    LOG=$T/s$runs.log
    start_server "$PORT" "$LOG" "$@"
}

# hits Q: "doc<TAB>highlighted text|..." per result of the query Q.
hits() {
    curl -s -G "$S/api/search" --data-urlencode "q=$1" | /usr/bin/python3 -c '
import json, sys
for r in json.load(sys.stdin)["results"]:
    s = r["snippet"].encode()
    marks = [s[a:b].decode() for a, b in r["highlights"]]
    print(r["doc"]["id"] + "\t" + "|".join(marks))'
}
# finds Q DOC MARK: a result of Q is DOC, with MARK among its highlights.
finds() {
    local out
    out=$(hits "$1")
    printf '%s\n' "$out" | grep -q "^$2	.*$3" && return 0
    echo "query '$1': no result $2 with '$3' highlighted; got:"
    printf '%s\n' "$out"
    return 1
}
# misses Q DOC: no result of Q is DOC.
misses() {
    local out
    out=$(hits "$1")
    printf '%s\n' "$out" | grep -q "^$2	" || return 0
    echo "query '$1': $2 found; got:"
    printf '%s\n' "$out"
    return 1
}

serve --index "$T/i" --acronyms "$T/none.txt" --threads 2
ok_if $? "server starts with an acronym file that lists nothing"
check "GOF finds the record that only spells it out, 'Grøn Omstillingsfond' marked" \
    finds "GOF" c_long.txt "Grøn"
check "GOF marks both words of the long form" finds "GOF" c_long.txt "Omstillingsfond"
check "'Grøn Omstillingsfond' finds the record that only writes GOF, GOF marked" \
    finds "Grøn Omstillingsfond" b_short.txt "GOF"
check "'gof' in lowercase finds the long form too" finds "gof" c_long.txt "Grøn"
check "GOF does not find Grønt Opsparingsforbund (not learned for it)" misses "GOF" d_other.txt
check "KSU keeps the long form three records give" finds "KSU" k_a_only.txt "Samarbejdsudvalg"
check "KSU drops the long form one record gives beside three" misses "KSU" k_b_only.txt
check "PFU keeps both long forms one record each gives (1)" finds "PFU" p_a_only.txt "Planlægningsforum"
check "PFU keeps both long forms one record each gives (2)" finds "PFU" p_b_only.txt "Projektgruppen"
check "a word in capitals is not learned: 'sand' does not find 'Samlet Antal Nye Dokumenter'" \
    misses "sand" s_long.txt
stop_server

# An --acronyms file replaces what was learned for its acronym.
serve --index "$T/i" --acronyms "$T/override.txt" --threads 2
ok_if $? "server starts with GOF = Grønt Opsparingsforbund in its file"
check "with the file, GOF finds the file's expansion" finds "GOF" d_other.txt "Opsparingsforbund"
check "with the file, GOF no longer finds the learned long form" misses "GOF" c_long.txt
check "with the file, 'Grøn Omstillingsfond' no longer finds GOF" \
    misses "Grøn Omstillingsfond" b_short.txt
stop_server

# The defining record goes; the server, running on, sees the new revision.
serve --index "$T/i" --acronyms "$T/none.txt" --threads 1
ok_if $? "server starts again without the file's GOF"
check "before the removal GOF still finds the long form" finds "GOF" c_long.txt "Grøn"
rm "$T/c/a_defines.txt"
# and a record changed so that it no longer defines PFU as Projektgruppen for Udbud
printf 'Referat\n\nProjektgruppen mødtes i april uden forkortelse.\n' >"$T/c/p_def2.txt"
"$INDEXER" --quiet --index "$T/i" "$T/c" 2>"$T/i2.log"
ok_if $? "the indexer runs again without the defining record"
gone() {
    for _ in $(seq 1 40); do
        misses "GOF" c_long.txt >/dev/null && misses "Grøn Omstillingsfond" b_short.txt >/dev/null &&
            return 0
        sleep 0.1
    done
    misses "GOF" c_long.txt && misses "Grøn Omstillingsfond" b_short.txt
}
check "after the removal the server forgets GOF, both ways (within 4 s)" gone
check "a record changed to define nothing: PFU no longer finds its long form" misses "PFU" p_b_only.txt
check "the other record's PFU stays" finds "PFU" p_a_only.txt "Planlægningsforum"
stop_server

# Shards: the definition lives in the second shard, the long form in the first. Xapian's
# metadata of the combined database is the first shard's, so each shard must be read.
mkdir -p "$T/s1" "$T/s2"
cp "$T/c/c_long.txt" "$T/c/b_short.txt" "$T/s1/"
printf 'Orientering om klimamidler\n\nKommunen har oprettet Grøn Omstillingsfond (GOF), som støtter lokale projekter om klimatilpasning i bydelene.\n' >"$T/s2/a_defines.txt"
"$INDEXER" --quiet --index "$T/i1" "$T/s1" 2>"$T/i3.log" &&
    "$INDEXER" --quiet --index "$T/i2" "$T/s2" 2>>"$T/i3.log"
ok_if $? "two shards index"
serve --index "$T/i1" --shard "$T/i2" --acronyms "$T/none.txt"
ok_if $? "server starts over both shards"
check "a definition in the second shard: GOF finds the first shard's long form" \
    finds "GOF" c_long.txt "Omstillingsfond"
stop_server

# An index whose records define nothing: the table is the file's alone.
mkdir -p "$T/plain"
printf 'Notat\n\nEt notat uden forkortelser om budgettet.\n' >"$T/plain/x.txt"
"$INDEXER" --quiet --index "$T/i4" "$T/plain" 2>"$T/i4.log"
ok_if $? "a record without definitions indexes"
serve --index "$T/i4" --acronyms "$T/override.txt"
ok_if $? "server starts on an index that defines no acronym"
grep -q " 1 acronyms (0 learned)" "$LOG"
ok_if $? "its ready line: 1 acronyms (0 learned)"
stop_server

! grep -l "runtime error\|AddressSanitizer\|LeakSanitizer" "$T"/s*.log
ok_if $? "no sanitizer report in the servers' logs"

[ "$failed" = 0 ] || sed 's/^/# /' "$LOG" | tail -20
echo "1..$n"
[ "$failed" = 0 ]
