#!/bin/bash
# Arkivar's engine in-process (no server, no HTTP): arkivar_bench.c linked against this
# checkout's build/libarkivar.a, as scripts/bench-load.sh links bench_inproc.c.
# See ../common/lib.sh for the interface and ../common/arkivar.sh for the index (built from
# CORPUS_DIR, not from PASSAGES; shared with arkivar-http within one run).
source "$(dirname "$0")/../common/lib.sh"
source "$PEERS_DIR/common/arkivar.sh"
BIN=$BUILD/arkivar_bench
case "${1:-}" in
build)
    ark_make
    cc -O2 -g -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Werror \
        -Wstrict-prototypes -I"$ARK_ROOT/include" -I"$PEERS_DIR/common" \
        -c -o "$BIN.o" "$PEERS_DIR/arkivar-inproc/arkivar_bench.c"
    # shellcheck disable=SC2046
    c++ -o "$BIN" "$BIN.o" "$ARK_LIBA" $(xapian-config --libs) \
        $(pkg-config --libs libmicrohttpd libutf8proc zlib) -lstemmer -lpthread -lm
    ;;
index) ark_index ;;
start|stop) ;;
query) "$BIN" query "$ARK_IDX" "$ARK_ACRONYMS" "$(translate arkivar "$2")" "$3" "$4" ${5:+"$5"} ;;
load) no_load ;;
size) du -sb "$ARK_IDX" | cut -f1 ;;
*) echo "usage: $0 build|index PASSAGES|start|query QUERIES PASSES LOG [SHOW]|size|stop" >&2; exit 2 ;;
esac
