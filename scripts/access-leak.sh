#!/usr/bin/env bash
# scripts/access-leak.sh: the leak check of tests/t_access.sh at full size.
# Indexes corpus/ alone (A) and corpus/ with closed documents beside it (B), serves both,
# and sends N anonymous probes (default 10,000) to each: every answer must be
# byte-identical, timing fields aside. Prints the figures; exit 1 on any difference.
#   scripts/access-leak.sh [N]
set -u
cd "$(dirname "$0")/.."
N=${1:-10000}
BIN=${ARK_BIN:-bin}
T=$(mktemp -d /tmp/ark-leak.XXXXXX)
PA=; PB=
trap 'for p in $PA $PB; do kill $p 2>/dev/null; done; rm -rf "$T"' EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 100); do curl -sf "127.0.0.1:$1/health" >/dev/null && return 0; sleep 0.1; done; return 1; }

mkdir -p "$T/src/lukket"
cp corpus/*.txt "$T/src/"
"$BIN/arkivar-indexer" --quiet --index "$T/a" "$T/src" || exit 1
echo '{"access": "intern"}' > "$T/src/lukket/.arkivar.json"
for i in $(seq 1 20); do
    printf '# Personalesag %d om Zyxwarbling\n\nLukket punkt: personalesagen om Qorvandel%d, innovation og samarbejde i kommunen, Blimpfjordprojektet og Trompelund.\n' "$i" "$i" > "$T/src/lukket/sag$i.txt"
done
"$BIN/arkivar-indexer" --quiet --index "$T/b" "$T/src" || exit 1
A=$(port); "$BIN/arkivar-server" --index "$T/a" --listen 127.0.0.1:$A 2>/dev/null & PA=$!
B=$(port); "$BIN/arkivar-server" --index "$T/b" --listen 127.0.0.1:$B 2>/dev/null & PB=$!
wait_up $A && wait_up $B || { echo "servers did not start"; exit 1; }
start=$(date +%s)
python3 scripts/access-probes.py --a http://127.0.0.1:$A --b http://127.0.0.1:$B --n "$N" \
    --ids "$(seq -s, -f 'lukket/sag%g.txt' 1 20)" Qorvandel1 Qorvandel7 Zyxwarbling Blimpfjordprojektet Trompelund
rc=$?
echo "closed documents 20, public documents $(ls corpus | wc -l), $(( $(date +%s) - start )) s"
exit $rc
