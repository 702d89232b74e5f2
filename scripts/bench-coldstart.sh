#!/usr/bin/env bash
# scripts/bench-coldstart.sh: how long arkivar-server takes from exec to its first answer.
# Owns: starting bin/arkivar-server on a free 127.0.0.1 port against an existing index and
# timing until GET /api/search?q=QUERY answers 200, RUNS times; as root also with the page
# cache dropped first (the index read from disk, as after a reboot). Prints one table.
# Why: a server restarted by a deploy or a crash must answer within a second; the first
# query also builds the facet tables (lib/index/shim_query.cc), so it is in the figure.
#
#   scripts/bench-coldstart.sh INDEX [RUNS] [QUERY]     default 5 runs, q=kommune
set -euo pipefail
cd "$(dirname "$0")/.."
idx=${1:?usage: bench-coldstart.sh INDEX [RUNS] [QUERY]}
runs=${2:-5}
q=${3:-kommune}
[ -x bin/arkivar-server ] || { echo "bench-coldstart: run make first" >&2; exit 2; }
python3 - "$idx" "$runs" "$q" <<'EOF'
import os, socket, statistics, subprocess, sys, time, urllib.parse, urllib.request
idx, runs, q = sys.argv[1], int(sys.argv[2]), sys.argv[3]

def first_answer(drop):
    if drop:
        os.sync()
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
    url = "http://127.0.0.1:%d/api/search?q=%s" % (port, urllib.parse.quote(q))
    t0 = time.monotonic()
    p = subprocess.Popen(["bin/arkivar-server", "--index", idx, "--listen", "127.0.0.1:%d" % port],
                         stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                if urllib.request.urlopen(url, timeout=10).status == 200:
                    return time.monotonic() - t0
            except OSError:
                if p.poll() is not None:
                    sys.exit("bench-coldstart: the server exited")
                time.sleep(0.002)
    finally:
        p.terminate(); p.wait()

modes = [("page cache warm", False)]
if os.geteuid() == 0:
    modes.append(("page cache dropped", True))
print("| start to first answer (q=%s) | runs | median s | max s |" % q)
print("|---|---:|---:|---:|")
for name, drop in modes:
    t = [first_answer(drop) for _ in range(runs)]
    print("| %s | %d | %.3f | %.3f |" % (name, runs, statistics.median(t), max(t)))
EOF
