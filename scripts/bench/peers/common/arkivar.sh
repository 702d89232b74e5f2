# What the two Arkivar peers share (sourced after lib.sh): the programs of this checkout,
# and one index built by bin/arkivar-indexer from the corpus directory.
# Why the corpus and not PASSAGES: Arkivar cuts its own passages from whole documents
# (headings, provenance, repaired line breaks: lib/text/segment.c) and keeps document
# records; fed the harness's passages it would index other units than it serves. So it
# indexes $CORPUS_DIR, the .txt files the passages TSV was cut from; its own passage count
# goes to index.extra.json and under the table.
# Why one index: arkivar-http and arkivar-inproc query the same engine; a 1 GB build takes
# most of an hour here, so the second peer of a run reuses the first one's build and its
# figures (report.py says so under the table) instead of building it again.
ARK_BIN=${ARK_BIN:-$ARK_ROOT/bin}
ARK_LIBA=${ARK_LIBA:-$ARK_ROOT/build/libarkivar.a}
ARK_IDX_HOME=$(dirname "$WORK")/arkivar-index   # $DATA/work/CORPUS/arkivar-index
ARK_IDX=$ARK_IDX_HOME/idx
ARK_ACRONYMS=$ARK_ROOT/data/acronyms.txt
PEER=$(basename "$WORK")

# ark_make: the programs and the library, with the project's own flags (warnings are errors).
# BUILD and BIN on the command line: run-all.sh exports BUILD (the drivers' directory), which
# the Makefile would otherwise take for its object directory.
ark_make() {
    make -C "$ARK_ROOT" -j2 --no-print-directory BUILD=build BIN=bin bin/arkivar-indexer \
        bin/arkivar-server build/libarkivar.a >&2
}

# ark_index: build the index from $CORPUS_DIR under /usr/bin/time -v, unless the other
# Arkivar peer built it in this run (same BENCH_RUN_ID and corpus): then reuse that build.
ark_index() {
    : "${CORPUS_DIR:?set CORPUS_DIR to the corpus directory the passages came from}"
    local key="${BENCH_RUN_ID:-} $CORPUS_DIR" stamp=$ARK_IDX_HOME/stamp
    if [ -n "${BENCH_RUN_ID:-}" ] && [ -f "$stamp" ] && [ "$(head -1 "$stamp")" = "$key" ] &&
        [ "$(sed -n 2p "$stamp")" != "$PEER" ]; then
        cp "$ARK_IDX_HOME/index.timev" "$WORK/index.timev"
        sed "s/}\$/, \"index_shared_with\": \"$(sed -n 2p "$stamp")\"}/" \
            "$ARK_IDX_HOME/index.extra.json" >"$WORK/index.extra.json"
        echo "$PEER: reusing the index $(sed -n 2p "$stamp") built in this run: $ARK_IDX"
        return 0
    fi
    rm -rf "$ARK_IDX_HOME"
    mkdir -p "$ARK_IDX_HOME"
    timed index "$ARK_BIN/arkivar-indexer" --index "$ARK_IDX" "$CORPUS_DIR" 2>"$ARK_IDX_HOME/indexer.log" ||
        { cat "$ARK_IDX_HOME/indexer.log" >&2; return 1; }
    # "arkivar-indexer: N files indexed, ...; P passages, ..."
    local passages
    passages=$(sed -nE 's/^arkivar-indexer: .*; ([0-9]+) passages,.*/\1/p' "$ARK_IDX_HOME/indexer.log" | tail -1)
    echo "{\"own_passages\": ${passages:-null}}" >"$WORK/index.extra.json"
    cp "$WORK/index.timev" "$WORK/index.extra.json" "$ARK_IDX_HOME/"
    printf '%s\n%s\n' "$key" "$PEER" >"$stamp"
    tail -1 "$ARK_IDX_HOME/indexer.log"
}
