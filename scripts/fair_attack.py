#!/usr/bin/env python3
"""scripts/fair_attack.py: one address attacks arkivar-server while 127.0.0.1 searches.
Owns: the attackers and the honest client of tests/t_fair.sh (short form) and
scripts/fair-attack.sh (full form); prints one JSON object of figures.
  --slowloris N   N sockets from 127.0.0.2, each sending a request head one header line
                  per --drip seconds and never finishing it; a socket the server closes
                  is opened again, so N stay attempted
  --flood C       C keep-alive connections from 127.0.0.3 sending the most expensive
                  query there is (64 two-letter wildcards, ~1000 bytes) back to back,
                  each with a forged X-Forwarded-For (the server must not believe it)
  --searches K    127.0.0.1 searches K times, one fresh connection each (after --warmup
                  seconds of attack), and for at least --duration seconds
Why python sockets: the source address must be chosen (bind before connect), and the
slowloris sockets must send a head byte by byte, which no HTTP client does."""
import argparse, json, random, select, socket, string, sys, threading, time

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, required=True)
ap.add_argument("--slowloris", type=int, default=0)
ap.add_argument("--drip", type=float, default=1.0)
ap.add_argument("--flood", type=int, default=0)
ap.add_argument("--searches", type=int, default=20)
ap.add_argument("--duration", type=float, default=0)
ap.add_argument("--warmup", type=float, default=1.0)
ap.add_argument("--query", default="innovation")
a = ap.parse_args()
PORT = a.port
stop = threading.Event()
lock = threading.Lock()
fig = {"slowloris": {"opened": 0, "refused_at_once": 0, "closed_by_server": 0,
                     "held_max": 0, "longest_held_s": 0.0},
       "flood": {"200": 0, "503": 0, "503_without_retry_after": 0, "other": 0, "reconnects": 0},
       "search": {"answers": 0, "status": {}, "latencies_ms": []}}

def conn_from(src, timeout=5):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.bind((src, 0))
    s.connect(("127.0.0.1", PORT))
    return s

# ---- slowloris ------------------------------------------------------------------------
def slowloris():
    f = fig["slowloris"]
    live = {}  # socket -> opened at
    def open_one():
        try:
            s = conn_from("127.0.0.2", 2)
            s.setblocking(False)
            s.send(b"GET /api/search?q=x HTTP/1.1\r\nHost: x\r\n")
            live[s] = time.monotonic()
            f["opened"] += 1
        except OSError:
            f["refused_at_once"] += 1
    while not stop.is_set():
        while len(live) < a.slowloris and not stop.is_set():
            open_one()
        f["held_max"] = max(f["held_max"], len(live))
        t_end = time.monotonic() + a.drip
        while time.monotonic() < t_end and not stop.is_set():
            r, _, _ = select.select(list(live), [], [], 0.1) if live else ([], [], [time.sleep(0.1)])
            for s in r:
                try:
                    data = s.recv(4096)
                except OSError:
                    data = b""
                if data:
                    continue  # an answer (e.g. 503): the server still holds it open
                held = time.monotonic() - live.pop(s)
                if held < 0.5:
                    f["refused_at_once"] += 1
                else:
                    f["closed_by_server"] += 1
                    f["longest_held_s"] = max(f["longest_held_s"], round(held, 2))
                s.close()
        for s in list(live):
            try:
                s.send(b"X-a: b\r\n")
            except OSError:
                pass
    for s in live:
        f["longest_held_s"] = max(f["longest_held_s"], round(time.monotonic() - live[s], 2))
        s.close()

# ---- flood of expensive queries ----------------------------------------------------------
PREFIXES = [x + y + "*" for x in "abdefghiklmnoprstuv" for y in "aeiloru"]
EXPENSIVE = "+".join(PREFIXES[:110])[:1000].rsplit("+", 1)[0]

def read_answer(s, buf):
    while b"\r\n\r\n" not in buf:
        b = s.recv(65536)
        if not b:
            return None, None, buf
        buf += b
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    hdr = {l.split(":", 1)[0].strip().lower(): l.split(":", 1)[1].strip() for l in lines[1:] if ":" in l}
    n = int(hdr.get("content-length", 0))
    while len(rest) < n:
        b = s.recv(65536)
        if not b:
            break
        rest += b
    return status, hdr, rest[n:]

def flooder():
    f = fig["flood"]
    s, buf = None, b""
    while not stop.is_set():
        try:
            if s is None:
                s, buf = conn_from("127.0.0.3"), b""
            xff = "%d.%d.%d.%d" % tuple(random.randrange(1, 255) for _ in range(4))
            s.sendall(("GET /api/search?q=%s&limit=100 HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: %s\r\n\r\n"
                       % (EXPENSIVE, xff)).encode())
            status, hdr, buf = read_answer(s, buf)
            if status is None:
                raise OSError("closed")
            with lock:
                if status == 200: f["200"] += 1
                elif status == 503:
                    f["503"] += 1
                    if hdr.get("retry-after") != "1": f["503_without_retry_after"] += 1
                else: f["other"] += 1
            if hdr.get("connection", "").lower() == "close":
                s.close(); s = None
        except OSError:
            if s: s.close()
            s = None
            with lock: f["reconnects"] += 1
            time.sleep(0.01)
    if s: s.close()

# ---- the honest client ----------------------------------------------------------------
def search_once():
    t0 = time.monotonic()
    try:
        s = conn_from("127.0.0.1", 5)
        s.sendall(("GET /api/search?q=%s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % a.query).encode())
        status, _, _ = read_answer(s, b"")
        s.close()
    except OSError as e:
        status = "error: %s" % e
    return status, (time.monotonic() - t0) * 1000

threads = []
if a.slowloris: threads.append(threading.Thread(target=slowloris))
threads += [threading.Thread(target=flooder) for _ in range(a.flood)]
for t in threads: t.start()
time.sleep(a.warmup)
sr = fig["search"]
t_start = time.monotonic()
while sr["answers"] < a.searches or time.monotonic() - t_start < a.duration:
    status, ms = search_once()
    sr["answers"] += 1
    sr["status"][str(status)] = sr["status"].get(str(status), 0) + 1
    sr["latencies_ms"].append(round(ms, 1))
    time.sleep(0.05)
stop.set()
for t in threads: t.join()
lat = sorted(sr["latencies_ms"])
pct = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))]
sr.update(p50_ms=pct(0.5), p99_ms=pct(0.99), max_ms=lat[-1])
if len(lat) > 40: del sr["latencies_ms"]
print(json.dumps(fig))
