#!/usr/bin/env bash
# tests/t_suggest.sh: completions as a Dane typing in the search box sees them (TAP).
# Owns: issue 14, class 12, on a real index of corpus/ served on 127.0.0.1: the records'
# case kept (acronyms, names), no junk for any 1-4 letter prefix of the corpus's words,
# the last word completed after the words before it, the whole query given back, and
# the latency over many prefixes (a diagnostic).
# Why: the box asks on every keystroke; a completion is what the user picks, so it must
# be a word the records hold, written as they write it.
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

T=$(mktemp -d "${TMPDIR:-/tmp}/t_suggest.XXXXXX")
cleanup() {
    if [ -n "$PID" ]; then kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; fi
    rm -rf "$T"
}
trap cleanup EXIT

"$INDEXER" --quiet --index "$T/i" corpus 2>"$T/i.log"; ok_if $? "corpus/ indexes"
PORT=$(free_port)
start_server "$PORT" "$T/s.log" --index "$T/i" --threads 2; ok_if $? "server starts"
S=http://127.0.0.1:$PORT

# The passages' text as indexed (line-end hyphenation repaired), one file: what the
# checks below take the records' words from.
python3 - "$S" "$T/text" <<'PY'
import json, sys, urllib.request
out = open(sys.argv[2], "w", encoding="utf-8")
for f in ["000_92fe6cf18886d868.txt", "001_cd1fcdf664451ee5.txt", "002_1152fea116605285.txt",
          "003_9fe98847643c27d8.txt", "004_d98ee981822f2781.txt"]:
    frm = 0
    while frm is not None:
        d = json.load(urllib.request.urlopen(sys.argv[1] + "/api/doc/%s?from=%d&count=200" % (f, frm)))
        for p in d["passages"]: out.write(p["text"] + "\n")
        frm = d["next"]
PY
[ -s "$T/text" ]; ok_if $? "the passages of corpus/ are read back from /api/doc"

# first Q: the first completion of Q, or "" (Q is URL-encoded by python).
first() {
    python3 - "$S" "$1" <<'PY'
import json, sys, urllib.parse, urllib.request
d = json.load(urllib.request.urlopen(sys.argv[1] + "/api/suggest?q=" + urllib.parse.quote(sys.argv[2])))
print(d[1][0] if d[1] else "")
PY
}
# all Q: every completion of Q, one a line.
all() {
    python3 - "$S" "$1" <<'PY'
import json, sys, urllib.parse, urllib.request
d = json.load(urllib.request.urlopen(sys.argv[1] + "/api/suggest?q=" + urllib.parse.quote(sys.argv[2])))
print("\n".join(d[1]))
PY
}

# ---- The records' case ------------------------------------------------------------------
got=$(first "økf"); [ "$got" = "ØKF" ]; ok_if $? "økf completes to the acronym as written: ØKF (got '$got')"
got=$(first "okf"); [ "$got" = "ØKF" ]; ok_if $? "okf (no ø) completes to ØKF (got '$got')"
all "tech" >"$T/tech"; grep -qx "TechBBQ" "$T/tech"
ok_if $? "tech offers TechBBQ as written ($(tr '\n' ' ' <"$T/tech"))"
got=$(first "søre"); [ "$got" = "Søren" ]; ok_if $? "søre completes to the name Søren (got '$got')"
all "kob" >"$T/kob"; grep -qx "København" "$T/kob" && ! grep -qx "københavn" "$T/kob"
ok_if $? "kob offers København, capitalized ($(tr '\n' ' ' <"$T/kob"))"

# Every completion of every 1-4 letter prefix of the records' words, as the records
# write them: a word of theirs, its capitals as they write it; and a word they write with
# capitals in mid-sentence at least twice and never in lowercase is never shown in
# lowercase (names, acronyms: the rule, not a list).
python3 - "$S" "$T/text" >"$T/all.out" <<'PY'
import json, re, sys, urllib.parse, urllib.request
from collections import Counter
base = sys.argv[1]
text = open(sys.argv[2], encoding="utf-8").read()
words = re.findall(r"\w+", text)
prefixes = sorted({w.lower()[:k] for w in words for k in range(1, 5) if len(w) >= k})
shown = {}
for p in prefixes:
    d = json.load(urllib.request.urlopen(base + "/api/suggest?q=" + urllib.parse.quote(p)))
    for c in d[1]:
        shown.setdefault(c, p)
verbatim = set(words)
lowered = {w.lower() for w in words}
lower = Counter(w for w in words if w == w.lower())
mid = Counter(m.group(2) for m in re.finditer(r"([\w,]) +(\w+)", text) if m.group(2) != m.group(2).lower())
names = {w.lower() for w, k in mid.items() if k >= 2 and lower[w.lower()] == 0}
junk = []
for c, p in sorted(shown.items()):
    why = []
    if re.search(r"\d", c): why.append("digits")
    if re.search(r"[^\w]", c): why.append("not letters only")
    if re.fullmatch(r"[xX]{2,}", c): why.append("masked")
    if len(c) < 3 and c != c.upper(): why.append("fragment under 3 letters")
    if c != c.lower() and c not in verbatim: why.append("capitals not written so in corpus/")
    if c.lower() not in lowered: why.append("no word of corpus/")
    if c.lower() in names and c == c.lower(): why.append("a name shown in lowercase")
    if why: junk.append("%s (for %s): %s" % (c, p, ", ".join(why)))
# a suspended compound's head ("Sundheds- og"): before a hyphen in 3 of 4 of its passages
heads, holds = Counter(), Counter()
for line in text.splitlines():
    heads.update({m.group(1).lower() for m in re.finditer(r"(\w+)[-\u2010]", line)})
    holds.update({w.lower() for w in re.findall(r"\w+", line)})
for c in shown:
    if heads[c.lower()] * 4 >= holds[c.lower()] * 3:
        junk.append("%s: a suspended head (before a hyphen in %d of %d passages)" % (c, heads[c.lower()], holds[c.lower()]))
caps = sum(1 for c in shown if c != c.lower())
print("# %d prefixes, %d distinct completions, %d with capitals, %d names checked" % (len(prefixes), len(shown), caps, len(names)))
for j in junk[:30]: print("# junk: " + j)
print("junk %d shown %d names %d" % (len(junk), len(shown), len(names)))
PY
grep '^#' "$T/all.out" | head -32
tail -1 "$T/all.out" | grep -Eq "^junk 0 shown [1-9][0-9]{2,} names [1-9]"
ok_if $? "every 1-4 letter prefix of corpus/: no junk, words as written, names with capitals ($(tail -1 "$T/all.out"))"

# ---- The words before it ----------------------------------------------------------------
got=$(first "Søren M"); [ "$got" = "Søren Magne" ]; ok_if $? "Søren M -> Søren Magne (got '$got')"
got=$(first "Copenhagen S"); [ "$got" = "Copenhagen Solutions" ]; ok_if $? "Copenhagen S -> Copenhagen Solutions (got '$got')"
got=$(first "Soren M"); [ "$got" = "Soren Magne" ]; ok_if $? "Soren M (no ø) -> Soren Magne, the typed words kept (got '$got')"
got=$(first "Teknik og M"); [ "$got" = "Teknik og Miljøforvaltningen" ]; ok_if $? "Teknik og M -> Teknik og Miljøforvaltningen (got '$got')"

# The rule, over the records' own word pairs: for each word A in at most 30 passages and
# each first letter of the words that follow it, the follower the records hold most often
# (by a clear margin: twice at least, and more than the next) is the first completion.
python3 - "$S" "$T/text" >"$T/pairs.out" <<'PY'
import json, re, sys, urllib.parse, urllib.request
from collections import Counter, defaultdict
base = sys.argv[1]
def get(u): return json.load(urllib.request.urlopen(base + u))
passages = open(sys.argv[2], encoding="utf-8").read().splitlines()
# tokens roughly as the tokenizer sees them: an address or a link is one, a word is
# letters and digits joined by inner hyphens or apostrophes
tok = re.compile(r"\S+@\S+|(?:https?://|www\.)\S+|\w+(?:['\u2019\u2010-]\w+)*")
heads, holds = Counter(), Counter()
for line in passages:
    heads.update({m.group(1).lower() for m in re.finditer(r"(\w+)[-\u2010]", line)})
    holds.update({w.lower() for w in re.findall(r"\w+", line)})
def word(w, k):  # a completion could be this: letters only, k of them at least, no head
    return re.fullmatch(r"[^\W\d_]{%d,}" % k, w) and heads[w.lower()] * 4 < holds[w.lower()] * 3
seen_in = Counter()
follow = defaultdict(Counter)
for t in passages:
    ws = tok.findall(t)
    for a in {w.lower() for w in ws}: seen_in[a] += 1
    for a, b in zip(ws, ws[1:]):
        if word(b, 3) and re.fullmatch(r"[^\W\d_]{4,}", a):
            follow[(a.lower(), b[0].lower())][b.lower()] += 1
tried = hit = 0
miss = []
for (a, p), c in sorted(follow.items()):
    if seen_in[a] > 30: continue
    top = c.most_common(2)
    if top[0][1] < 2 or (len(top) > 1 and top[1][1] >= top[0][1]): continue
    tried += 1
    d = get("/api/suggest?q=" + urllib.parse.quote(a + " " + p))
    got = d[1][0].split(" ", 1)[1].lower() if d[1] else ""
    if got == top[0][0]: hit += 1
    else: miss.append("%s %s: %s expected, got %s" % (a, p, top[0][0], got or "nothing"))
for m in miss[:15]: print("# miss: " + m)
print("pairs %d first %d" % (tried, hit))
PY
grep '^#' "$T/pairs.out" | head -15
read -r _ tried _ hit < <(tail -1 "$T/pairs.out")
[ "${tried:-0}" -ge 20 ] && [ $((hit * 100)) -ge $((tried * 90)) ]
ok_if $? "the records' most frequent follower comes first for 90% of word pairs ($(tail -1 "$T/pairs.out"))"

# The whole query comes back, as typed up to the last word.
python3 - "$S" <<'PY' >"$T/whole.out"
import json, sys, urllib.parse, urllib.request
bad = 0
for q in ["Københavns k", "innovation og sam", "ØU  ø", "skole m"]:
    d = json.load(urllib.request.urlopen(sys.argv[1] + "/api/suggest?q=" + urllib.parse.quote(q)))
    head = q[:q.rstrip().rfind(" ") + 1]
    bad += d[0] != q or not d[1] or any(not c.startswith(head) or " " in c[len(head):] for c in d[1])
print("bad %d" % bad)
PY
grep -q "^bad 0$" "$T/whole.out"; ok_if $? "each completion is the whole query with its last word completed"

# ---- Latency: every prefix above and word pairs, one connection (diagnostic) -------------
python3 - "$S" "$T/text" <<'PY' | diag
import http.client, re, sys, time, urllib.parse
host, port = sys.argv[1].split("//")[1].split(":")
text = open(sys.argv[2], encoding="utf-8").read()
words = re.findall(r"[^\W\d_]{3,}", text)
qs = sorted({w.lower()[:k] for w in words for k in range(1, 5)})
qs += sorted({a + " " + b[:1] for a, b in zip(words, words[1:])})[:1500]
c = http.client.HTTPConnection(host, int(port))
lat = []
for q in qs:
    t0 = time.perf_counter()
    c.request("GET", "/api/suggest?q=" + urllib.parse.quote(q))
    c.getresponse().read()
    lat.append((time.perf_counter() - t0) * 1000)
lat.sort()
print("suggest over HTTP, %d requests: p50 %.2f ms, p99 %.2f ms, max %.2f ms" %
      (len(lat), lat[len(lat) // 2], lat[int(len(lat) * 0.99)], lat[-1]))
PY

kill -TERM "$PID"; wait "$PID" 2>/dev/null; PID=
check "no sanitizer report" bash -c "! grep -E 'Sanitizer|runtime error' '$T/s.log' '$T/i.log'"
echo "1..$n"
[ "$failed" = 0 ]
