#!/usr/bin/env bash
# scripts/fair-attack.sh: the full form of tests/t_fair.sh, with the server's defaults.
# Owns: a 2 MB generated index, bin/arkivar-server on a free 127.0.0.1 port (stopped by
# its PID), then two attacks while 127.0.0.1 searches on fresh connections: 1,000
# slowloris sockets from 127.0.0.2 (DUR_SLOW seconds, default 30), and a flood of the
# most expensive query on FLOOD connections (default 200) from 127.0.0.3 (DUR_FLOOD,
# default 60). Prints one markdown row per attack: answers, p50/p99/max latency of
# 127.0.0.1, and what each attacking address got (docs/security.md, "Hostile clients").
#   scripts/fair-attack.sh [DATA_DIR]     default /tmp/arkivar-fair
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-/tmp/arkivar-fair}
DUR_SLOW=${DUR_SLOW:-30}; DUR_FLOOD=${DUR_FLOOD:-60}; FLOOD=${FLOOD:-200}
[ -x bin/arkivar-server ] || { echo "fair-attack: run make first" >&2; exit 2; }
mkdir -p "$DATA"
if [ ! -d "$DATA/idx" ]; then
    python3 scripts/gen-corpus.py "$DATA/corpus" --size 2MB --jobs 2 >/dev/null
    bin/arkivar-indexer --quiet --index "$DATA/idx" "$DATA/corpus"
fi
. tests/lib.sh
PORT=$(free_port)
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null' EXIT
start_server "$PORT" "$DATA/server.log" --index "$DATA/idx" || { echo "fair-attack: server did not start" >&2; exit 1; }
grep -m1 'listening on' "$DATA/server.log" >&2
python3 scripts/fair_attack.py --port "$PORT" --slowloris 1000 --drip 2 --warmup 2 \
    --searches 1 --duration "$DUR_SLOW" >"$DATA/slow.json"
python3 scripts/fair_attack.py --port "$PORT" --flood "$FLOOD" --warmup 2 \
    --searches 1 --duration "$DUR_FLOOD" >"$DATA/flood.json"
kill -TERM "$PID"; wait "$PID" || true; PID=
python3 - "$DATA/slow.json" "$DATA/flood.json" "$DUR_SLOW" "$DUR_FLOOD" "$FLOOD" <<'PY'
import json, sys
s, f = (json.load(open(p)) for p in sys.argv[1:3])
def honest(x):
    r = x["search"]
    good = r["status"].get("200", 0)
    return "127.0.0.1: %d of %d answers 200, p50 %.1f / p99 %.1f / max %.1f ms" % (
        good, r["answers"], r["p50_ms"], r["p99_ms"], r["max_ms"])
sl = s["slowloris"]
print("| 1,000 slowloris sockets from 127.0.0.2 for %s s (a header line every 2 s, reopened when closed) | %s; 127.0.0.2: %d sockets opened, %d refused at once (256 per address), %d cut at --request-timeout (longest held %.1f s); %d 503s to 127.0.0.1 | `scripts/fair-attack.sh` |"
      % (sys.argv[3], honest(s), sl["opened"], sl["refused_at_once"], sl["closed_by_server"], sl["longest_held_s"],
         s["search"]["status"].get("503", 0)))
fl = f["flood"]
print("| %s keep-alive connections of the most expensive query (64 two-letter wildcards, 1,000 bytes, forged X-Forwarded-For) from 127.0.0.3 for %s s | %s; 127.0.0.3: %d answers 200, %d 503 with Retry-After (%d without), %d reconnects | `scripts/fair-attack.sh` |"
      % (sys.argv[5], sys.argv[4], honest(f), fl["200"], fl["503"], fl["503_without_retry_after"], fl["reconnects"]))
PY
