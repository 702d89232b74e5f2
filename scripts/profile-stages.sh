#!/usr/bin/env bash
# scripts/profile-stages.sh: where a query's instructions go, stage by stage.
# Owns: running the in-process driver (scripts/bench_inproc.c) under callgrind with
# collection on inside ark_search only (no start-up, no index opening), and one table of
# instructions per query for each stage: matching (Xapian's matcher without the facet
# spies), facets, passage and document records, per-document counts, rerank, snippets,
# and the rest (parsing, query building, spelling, result assembly).
# Why callgrind: it counts instructions, so the figures repeat on a shared, noisy machine
# (wall time does not); a change's effect is its difference in this table.
#
#   scripts/profile-stages.sh INDEX QUERIES [DRIVER]
#     DRIVER: a bench_inproc binary (default: built from this tree into /tmp).
#   The first PROFILE_COLUMNS (default 3) queries of QUERIES get a column each; the
#   last column is the whole file, averaged. All in a warm engine (see steady());
#   PROFILE_WARM=all warms it with the whole file first (a server that has seen them).
set -euo pipefail
cd "$(dirname "$0")/.."
idx=${1:?usage: profile-stages.sh INDEX QUERIES [DRIVER]}
queries=${2:?usage: profile-stages.sh INDEX QUERIES [DRIVER]}
drv=${3:-}
command -v valgrind >/dev/null || { echo "profile-stages: valgrind is missing" >&2; exit 2; }
work=$(mktemp -d /tmp/ark-prof.XXXXXX)
trap 'rm -rf "$work"' EXIT
if [ -z "$drv" ]; then
    [ -f build/libarkivar.a ] || { echo "profile-stages: run make first" >&2; exit 2; }
    CF="-O2 -g -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE"
    # shellcheck disable=SC2086
    cc $CF -Iinclude -pthread -c -o "$work/d.o" scripts/bench_inproc.c
    # shellcheck disable=SC2046
    c++ -o "$work/bench_inproc" "$work/d.o" build/libarkivar.a $(xapian-config --libs) \
        $(pkg-config --libs libmicrohttpd libutf8proc zlib) -lstemmer -lpthread -lm
    drv=$work/bench_inproc
fi

# profile FILE OUT: callgrind over one pass of FILE, collecting inside ark_search only.
profile() {
    valgrind --tool=callgrind --toggle-collect='ark_search' --callgrind-out-file="$2" \
        "$drv" "$idx" "$1" 1 0 prof >/dev/null 2>&1
}

# stages OUT: the stage figures of one profile, in the order of the labels below.
stages() {
    (cd / && callgrind_annotate --inclusive=yes --auto=no --threshold=100 "$1") 2>/dev/null | awk '
        function num(s) { gsub(",", "", s); return s + 0 }
        { v = num($1) }
        /search.c:ark_search /          { total = v }
        /shim_query.cc:ark_rdb_search / { search = v }
        /FacetSpy::operator\(\)/ || /ValueCountMatchSpy::operator\(\)/ || /shim_query.cc:value_table / { facets += v }
        /Xapian::Document::get_data\[/ { data = v }
        /doc.c:ark_load_docinfo /       { docs = v }
        /ark_rdb_count_by / { counts = v }
        /snippet.c:ark_snippet_cover /  { cover = v }
        /snippet.c:ark_snippet_make /   { snip = v }
        END {
            printf "%.0f %.0f %.0f %.0f %.0f %.0f %.0f %.0f\n", search - facets - data, facets, data + docs, counts,
                   cover, snip, total - search - docs - counts - cover - snip, total
        }'
}

# steady WARM FILE N: per-query figures of FILE in a warm engine: the profile of WARM
# then FILE, less the profile of WARM alone, over the N queries of FILE. So the one-time
# costs of an engine (caches, the facet tables) are left out.
steady() {
    cat "$1" "$2" >"$work/both.txt"
    profile "$1" "$work/cg-warm"
    profile "$work/both.txt" "$work/cg-both"
    read -r -a a <<<"$(stages "$work/cg-warm")"
    read -r -a b <<<"$(stages "$work/cg-both")"
    local out=()
    for s in 0 1 2 3 4 5 6 7; do out+=($(( (b[s] - a[s]) / $3 ))); done
    echo "${out[*]}"
}

# The engine is warmed by the first query (its tables), or with PROFILE_WARM=all by the
# whole file once (also the terms' bounds, read once per term: shim_bm25.cc).
if [ "${PROFILE_WARM:-first}" = all ]; then cp "$queries" "$work/warm.txt"; else head -1 "$queries" >"$work/warm.txt"; fi
cols=() names=()
i=0
while IFS= read -r q; do
    [ -n "$q" ] || continue
    i=$((i + 1))
    printf '%s\n%s\n' "$q" "$q" >"$work/one.txt"
    cols+=("$(steady "$work/warm.txt" "$work/one.txt" 2)")
    names+=("\`$q\`")
    [ "$i" -lt "${PROFILE_COLUMNS:-3}" ] || break
done <"$queries"
cols+=("$(steady "$work/warm.txt" "$queries" "$(grep -c . "$queries")")")
names+=("all $(grep -c . "$queries") (mean)")

labels=("matching (Xapian)" "facets" "records (passages, documents)" "per-document counts" \
        "rerank (candidates' text)" "snippets" "parse, build, spell, assemble" "**total**")
printf '| thousand instructions per query |'; for nm in "${names[@]}"; do printf ' %s |' "$nm"; done; echo
printf '|---|'; for _ in "${names[@]}"; do printf -- '---:|'; done; echo
for s in 0 1 2 3 4 5 6 7; do
    printf '| %s |' "${labels[$s]}"
    for c in "${cols[@]}"; do
        read -r -a f <<<"$c"
        printf ' %s |' "$(( f[s] / 1000 ))"
    done
    echo
done
