#!/usr/bin/env python3
"""scripts/gen-corpus.py: a deterministic, larger corpus of Danish case records for benchmarks.

Owns: an order-2 word Markov chain trained on the seed records (corpus/*.txt) and the
document templates around it: title line, date, case numbers, headings, hard-wrapped
paragraphs with line-end hyphenation, bullet lists, PDF-style double spacing and broken
glyphs, i.e. the quirks DOMAIN.md lists, in proportions a real archive might have.
Not here: relevance. The text is statistically Danish and semantically nonsense; it is
for speed and size figures only.
Why: five seed files (124 KB) cannot show how the indexer and the server scale; real
deployments hold tens of thousands to millions of such documents.

    scripts/gen-corpus.py OUT_DIR --size 100MB [--seed 2026] [--jobs 2] [--corpus DIR]

Sizes: 1 KB = 1000 bytes, 1 MB = 10^6, 1 GB = 10^9. Document sizes are log-normal
(median ~10 KB, 1.5-150 KB); files go 1000 to a folder (OUT_DIR/000/, OUT_DIR/001/, ...).
Deterministic: the list of sizes comes from --seed, and document i draws from its own
random stream (seed, i), so the output does not depend on --jobs.
The corpus is written to OUT_DIR.tmp and renamed to OUT_DIR when complete, so an
existing OUT_DIR is always a whole corpus. Python 3.11 standard library only.
"""

import argparse
import math
import multiprocessing
import os
import random
import re
import shutil
import sys
import time
import unicodedata
from pathlib import Path

DOCS_PER_DIR = 1000
TASK_DOCS = 250           # documents per worker task: small enough to balance 2 jobs
BOS = "\x02"              # sentence start (never in the text)
EOS = "\x03"              # sentence end
MAX_SENT_WORDS = 60       # a runaway sentence is cut here (the chain can loop)

# ---- Training: seed text -> sentences -> chain ---------------------------------------

BULLET_RE = re.compile(r"^[\s\uf0b7•●▪◦\-–*]+")
SENT_SPLIT_RE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ0-9\"“”’(])")
SOFT_HYPHEN_RE = re.compile(r"(?<=[a-zæøåé])-$")
NO_JOIN = {"og", "eller", "samt", "til", "som"}


def _clean_lines(raw):
    """Seed file -> list of paragraphs (single-line strings), undoing PDF layout:
    broken glyphs, double spacing, line-end hyphenation and hard wrapping."""
    raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    raw = raw.replace("Ƶ", "(").replace("ƶ", ")")
    raw = unicodedata.normalize("NFC", raw)
    lines = raw.split("\n")
    empty = sum(1 for ln in lines if ln == "")
    # Double-spaced extraction: every line is followed by an empty line, and a paragraph
    # break is a line holding only spaces. Drop the empty lines, keep the spaced ones.
    if empty > 0.35 * len(lines):
        lines = [ln for ln in lines if ln != ""]
    paras, cur = [], []
    for ln in lines:
        s = ln.strip()
        if not s:
            if cur:
                paras.append(cur)
                cur = []
            continue
        cur.append(s)
    if cur:
        paras.append(cur)
    out = []
    for p in paras:
        text = ""
        for s in p:
            if not text:
                text = s
            elif SOFT_HYPHEN_RE.search(text) and s[:1].islower() \
                    and s.split(" ", 1)[0] not in NO_JOIN:
                text = text[:-1] + s              # samar-\nbejder -> samarbejder
            else:
                text = text + " " + s
        out.append(text)
    return out


def train(corpus_dir):
    """The chain: {(w1, w2): [successors, with repeats]}. Sentences come from paragraphs
    that read as prose (8+ words, a full stop), headings and metadata are left out
    (templates make those)."""
    files = sorted(Path(corpus_dir).glob("*.txt"))
    if not files:
        sys.exit(f"gen-corpus: no *.txt in {corpus_dir}")
    chain = {}
    nsent = 0
    for f in files:
        for para in _clean_lines(f.read_text(encoding="utf-8", errors="replace")):
            para = BULLET_RE.sub("", para)
            para = para.replace("**", "").lstrip("#").strip()
            if len(para.split()) < 8 or "." not in para:
                continue
            for sent in SENT_SPLIT_RE.split(para):
                words = sent.split()
                if len(words) < 4:
                    continue
                nsent += 1
                a, b = BOS, BOS
                for w in words + [EOS]:
                    chain.setdefault((a, b), []).append(w)
                    a, b = b, w
    # Freeze to tuples: indexing a tuple is as fast as a list and makes the intent plain.
    return {k: tuple(v) for k, v in chain.items()}, nsent


# ---- Vocabulary for the templates -----------------------------------------------------

FIRST = ("Emil Anne Mette Søren Lars Karen Jens Ida Mads Sofie Frederik Camilla Henrik Line "
         "Rasmus Louise Niels Maja Jesper Pernille Morten Signe Thomas Birgitte Anders Helle "
         "Åse Bjørn Kirsten Jørgen Trine Ulla Mikkel Astrid Peter Lærke").split()
MIDDLE = "Moselund Skov Holm Bach Juhl Dahl Vinther Krogh Bøgh Brink Lykke Nørgaard".split()
LAST = ("Østergaard Jensen Nielsen Hansen Pedersen Andersen Christensen Larsen Sørensen "
        "Rasmussen Jørgensen Petersen Madsen Kristensen Olsen Thomsen Poulsen Lauritsen Møller "
        "Kjær Lund Frederiksen Bækgaard Aagaard Damgaard Skovgaard Kragh Therkildsen").split()
PARTIES = "A B C F I O V Ø Å K M".split()
COMMITTEES = ["Økonomiudvalget", "Borgerrepræsentationen", "Beskæftigelses- og Integrationsudvalget",
              "Teknik- og Miljøudvalget", "Børne- og Ungdomsudvalget", "Sundheds- og Omsorgsudvalget",
              "Kultur- og Fritidsudvalget", "Socialudvalget", "ØU", "BR"]
ADMINS = ["Økonomiforvaltningen", "Beskæftigelses-, Integrations- og Erhvervsforvaltningen",
          "Klima-, Miljø- og Teknikforvaltningen", "Sundheds- og Omsorgsforvaltningen",
          "Børne- og Ungdomsforvaltningen", "Kultur- og Fritidsforvaltningen",
          "Socialforvaltningen", "ØKF", "BIF", "TMF", "SUF", "BUF", "KFF"]
ROLES = ["chefkonsulent", "specialkonsulent", "fuldmægtig", "kontorchef", "projektleder",
         "Administrerende direktør", "centerchef", "sagsbehandler"]
MONTHS = ("januar februar marts april maj juni juli august september oktober november "
          "december").split()
SECTION_HEADINGS = ["Baggrund", "Økonomi", "Videre proces", "Politisk behandling", "Indstilling",
                    "Effekter", "Forventede effekter:", "Mulige elementer i initiativet:",
                    "Nøgletal", "Høring", "Tidsplan", "Risici", "Bilag", "Kontaktpersoner",
                    "Løsning", "Problemstilling", "Vurdering", "Konklusion"]
QUESTION_TPL = ["Hvordan arbejder forvaltningen med {t}?", "Hvilke erfaringer er der med {t}?",
                "Hvad koster {t} årligt?", "Hvem har ansvaret for {t}?",
                "Har kommunen tidligere undersøgt {t}?", "Hvordan koordineres {t} på tværs af forvaltningerne?",
                "Hvilke konkrete enheder arbejder i praksis med {t}?"]
TITLE_TPL = ["Orientering om {t}", "Svar til {n} ({p}) vedr. {t}", "Nr. {k}: {T}", "Nr. {k} – {T}",
             "Indstilling om {t}", "Erfaringsopsamling på {t}", "Beslutningsforslag om {t}",
             "Status på {t}", "Referat af møde i {c} den {d}", "Høringssvar vedr. {t}"]
STOP = set("og i at det en den til er som på de med for af ikke der var han et om har vi "
           "kan skal så også fra blev men ved efter sig ud da eller være hvor nu".split())
BULLETS = ["•", "\uf0b7", "●", "-"]


def _name(rng):
    n = rng.choice(FIRST)
    if rng.random() < 0.3:
        n += " " + rng.choice(MIDDLE)
    return n + " " + rng.choice(LAST)


def _date(rng, year):
    d, m = rng.randint(1, 28), rng.randint(1, 12)
    r = rng.random()
    if r < 0.6:
        return f"{d:02d}-{m:02d}-{year}"
    if r < 0.75:
        return f"{d:02d}-{m:02d}-{year % 100:02d}"
    if r < 0.9:
        return f"{d}/{m} {year}"
    return f"{d}. {MONTHS[m - 1]} {year}"


def _amount(rng):
    r = rng.random()
    if r < 0.3:
        return f"{rng.randint(1, 400)} mio.kr."
    if r < 0.6:
        return f"{rng.randint(1, 9)},{rng.randint(1, 9)} mio. kr."
    if r < 0.8:
        return f"{rng.randint(2, 95)} %"
    return f"{rng.randint(10, 990)}.000 kr."


# ---- Generation -----------------------------------------------------------------------

def compile_chain(chain):
    """Collapse deterministic stretches: most states of a chain trained on 124 KB have one
    successor, so each option of a state is stored as (text of the whole run up to the
    next branching state, that state, words in the run). The walk then costs one random
    draw per branch instead of one per word (3x faster; the generator's hot loop)."""
    def run_from(cur):
        words, seen = [], set()
        while True:
            nxt = chain[cur]
            if len(words) >= 25 or cur in seen or any(w != nxt[0] for w in nxt):
                return "".join(" " + w for w in words), cur, len(words)
            if nxt[0] == EOS:
                return "".join(" " + w for w in words), None, len(words)
            seen.add(cur)
            words.append(nxt[0])
            cur = (cur[1], nxt[0])

    comp = {}
    for state, nxt in chain.items():
        opts, memo = [], {}
        for w in nxt:
            if w not in memo:
                if w == EOS:
                    memo[w] = None
                else:
                    text, end, n = run_from((state[1], w))
                    memo[w] = (" " + w + text, end, n + 1)
            opts.append(memo[w])
        comp[state] = tuple(opts)
    return comp


class Gen:
    """One document at a time from one random stream; the chain is shared (read-only,
    inherited by forked workers)."""

    def __init__(self, chain):
        self.comp = compile_chain(chain)

    def sentence(self, rng):
        comp, rnd = self.comp, rng.random
        s = (BOS, BOS)
        parts, n = [], 0
        while s is not None:
            opts = comp[s]
            o = opts[0] if len(opts) == 1 else opts[int(rnd() * len(opts))]
            if o is None:
                break
            text, s, k = o
            parts.append(text)
            n += k
            if n >= MAX_SENT_WORDS:
                if text[-1] not in ".?!":
                    parts.append(".")
                break
        return "".join(parts)[1:]

    def topic(self, rng):
        """A title/question fragment: 3-7 words from a sentence, from a content word on."""
        for _ in range(8):
            words = self.sentence(rng).split()
            starts = [i for i, w in enumerate(words[:-3])
                      if w.isalpha() and w.lower() not in STOP]
            if not starts:
                continue
            i = rng.choice(starts)
            frag = words[i:i + rng.randint(3, 7)]
            while frag and frag[-1].lower().strip(".,;:") in STOP:
                frag.pop()
            if len(frag) >= 2:
                t = " ".join(frag).rstrip(".,;:?!")
                return t[0].lower() + t[1:] if t[1:2].islower() else t
        return "innovation og partnerskaber"

    def paragraph(self, rng, st):
        text = " ".join(self.sentence(rng) for _ in range(rng.choice((1, 2, 2, 3, 3, 4, 5))))
        if st["annex"] and rng.random() < 0.06:
            # "(bilag 1)" placed before the last full stop; extraction breaks the brackets.
            ref = f"{st['lp']}bilag {rng.randint(1, 6)}{st['rp']}"
            cut = text.rfind(".")
            text = text[:cut] + " " + ref + text[cut:] if cut > 0 else text + " " + ref
        if rng.random() < 0.08:
            text += f" Der er afsat {_amount(rng)} i {st['year'] + rng.randint(0, 3)}."
        return text


def wrap(text, width, rng, hyph_p):
    """Hard-wrap text at width columns (a PDF's layout). A long word at the line end is
    sometimes hyphenated at a syllable (before consonant+vowel: "samar-\\nbejder"), and an
    inner hyphen may end a line ("offentlige-\\nprivate"). Works per line, not per word,
    with str.rfind: the corpus is 10^8-10^9 bytes and this is the hot loop."""
    lines = []
    s, n = 0, len(text)
    while n - s > width:
        lim = s + width
        b = text.rfind(" ", s, lim + 1)
        if b <= s:                        # one word longer than the line
            b = text.find(" ", lim)
            if b < 0:
                break
            lines.append(text[s:b])
            s = b + 1
            continue
        if hyph_p and rng.random() < hyph_p:
            e = text.find(" ", b + 1)
            if e < 0:
                e = n
            word = text[b + 1:e]
            room = lim - (b + 1) - 1      # letters that still fit, leaving one for '-'
            if len(word) >= 9 and room >= 4:
                h = word.find("-", 2, room + 1)
                if 0 < h < len(word) - 2:
                    lines.append(text[s:b + 2 + h])
                    s = b + 2 + h
                    continue
                k = min(room, len(word) - 3)
                while k >= 4 and not (word[k] in CONS and word[k + 1] in VOWELS
                                      and word[k - 1].isalpha()):
                    k -= 1
                if k >= 4 and word[:k].isalpha():
                    lines.append(text[s:b + 1 + k] + "-")
                    s = b + 1 + k
                    continue
        lines.append(text[s:b])
        s = b + 1
    lines.append(text[s:])
    return lines


VOWELS = set("aeiouyæøåéAEIOUYÆØÅ")
CONS = set("bcdfghjklmnpqrstvwxzBCDFGHJKLMNPQRSTVWXZ")


def make_doc(gen, rng, target):
    """One case record of about target bytes (UTF-8)."""
    year = rng.randint(2015, 2027)
    st = {
        "year": year,
        "width": rng.choice((78, 84, 88, 90, 90, 92, 96, 100)),
        "hyph": rng.choice((0.0, 0.05, 0.15, 0.3)),
        "double": rng.random() < 0.2,     # PDF extraction: a blank line after every line
        "trail": rng.random() < 0.4,      # PDF extraction: a space at each line end
        "md": rng.random() < 0.15,        # Word -> markdown: "## **heading**"
        "bullet": rng.choice(BULLETS),
        "annex": rng.random() < 0.5,
    }
    broken = rng.random() < 0.3
    st["lp"], st["rp"] = ("Ƶ", "ƶ") if broken else ("(", ")")
    kind = rng.choice(("orientering", "orientering", "svar", "katalog", "indstilling", "referat"))
    date = _date(rng, year)
    committee = rng.choice(COMMITTEES)
    admin = rng.choice(ADMINS)
    official = _name(rng)

    # Blocks: ("h", text) heading, ("p", text) paragraph, ("l", [items]) bullets,
    # ("m", [lines]) metadata lines kept as they are, ("t", text) title.
    blocks = []
    t = gen.topic(rng)
    tpl = {"orientering": "Orientering om {t}", "svar": "Svar til {n} ({p}) vedr. {t}",
           "katalog": "Nr. {k}: {T}", "indstilling": "Indstilling om {t}",
           "referat": "Referat af møde i {c} den {d}"}[kind]
    if rng.random() < 0.3:
        tpl = rng.choice(TITLE_TPL)
    addressee = _name(rng)
    title = tpl.format(t=t, T=t[:1].upper() + t[1:], n=addressee, p=rng.choice(PARTIES),
                       k=rng.randint(1, 12), c=committee, d=date)
    if kind in ("orientering", "indstilling") and rng.random() < 0.6:
        blocks.append(("m", [kind.capitalize(), "", f"Til {committee}"]))
    if kind == "svar" and rng.random() < 0.7:
        blocks.append(("m", [f"Til {addressee}"]))
    if st["md"] and rng.random() < 0.5:
        blocks.append(("t", f"{date} {title}"))
    else:
        blocks.append(("t", title))
        blocks.append(("m", [date]))
    meta = []
    if rng.random() < 0.7:
        meta += [f"Sagsnummer eDoc {year}-{rng.randint(0, 9999999):07d}"]
    if rng.random() < 0.5:
        f2 = f"{year} - {rng.randint(1000, 99999)}"
        meta += ["Sagsnummer i F2", f2] if rng.random() < 0.5 else [f"Sagsnummer i F2 {f2}"]
    if rng.random() < 0.4:
        meta += ["Dokumentnummer i F2", f"{rng.randint(10000000, 99999999)}"]
    if rng.random() < 0.4:
        meta += ["Sagsbehandler", official]
    if meta:
        blocks.append(("m", meta))
    if kind != "katalog":
        blocks.append(("h", "Resumé"))
        blocks.append(("p", gen.paragraph(rng, st)))
        blocks.append(("h", "Sagsfremstilling"))

    size = sum(len(b[1]) if isinstance(b[1], str) else sum(map(len, b[1])) for b in blocks)
    target_chars = int(target * 0.92)    # Danish letters: 2 bytes; the last block overshoots
    q = 0
    k = rng.randint(1, 5)
    while size < target_chars:
        r = rng.random()
        if blocks[-1][0] == "h" and 0.72 <= r < 0.93:
            r = 0.0                       # a heading is followed by text, not another heading
        if r < 0.62:
            blk = ("p", gen.paragraph(rng, st))
        elif r < 0.72:
            items = [gen.sentence(rng) if rng.random() < 0.5 else gen.topic(rng)
                     for _ in range(rng.randint(2, 6))]
            blk = ("l", items)
        elif r < 0.88:
            if kind == "svar":
                q += 1
                blk = ("h", f"Ad {q}: " + rng.choice(QUESTION_TPL).format(t=gen.topic(rng)))
            elif kind == "katalog":
                k += 1
                tt = gen.topic(rng)
                blk = ("h", f"Nr. {k}{rng.choice((': ', ' – '))}{tt[:1].upper()}{tt[1:]}")
            else:
                blk = ("h", rng.choice(SECTION_HEADINGS))
        elif r < 0.93 and kind != "katalog":
            blk = ("h", "Økonomi")
            blocks.append(blk)
            size += len(blk[1])
            blk = ("p", rng.choice(("Sagen har ingen økonomiske konsekvenser.",
                                    f"Forslaget finansieres inden for en ramme på {_amount(rng)}."))
                   + " " + gen.sentence(rng))
        elif r < 0.95:
            # Page-break debris in the middle of the text (002): date and case numbers.
            blk = ("m", [date, "", "Sagsnummer i F2", f"{year} - {rng.randint(1000, 99999)}",
                         "", "Sagsbehandler", official])
        else:
            email = "".join(rng.choice("abcdefghijklmnoprstuvz") for _ in range(4)) + "@kk.dk"
            blk = ("p", f"Kontaktperson: {_name(rng)}, {rng.choice(ROLES)}, {admin}, "
                        f"e-mail: {email}, tlf. {rng.randint(20, 99)} {rng.randint(10, 99)} "
                        f"{rng.randint(10, 99)} {rng.randint(10, 99)}")
        blocks.append(blk)
        size += len(blk[1]) if isinstance(blk[1], str) else sum(map(len, blk[1])) + 4
    blocks.append(("m", ["Med venlig hilsen", "", official, rng.choice(ROLES), admin]))
    return render(blocks, st, rng)


def render(blocks, st, rng):
    """Blocks -> the text as a PDF or Word extraction would leave it."""
    width, hyph, md = st["width"], st["hyph"], st["md"]
    lines = []                           # None marks a paragraph break
    lead = rng.choice((0, 0, 1, 3))
    lines.extend([None] * lead)
    for kind, val in blocks:
        if kind == "t":
            lines.append(f"## **{val}**" if md else val)
        elif kind == "h":
            if md:
                lines.append(f"### **{val}**" if not val.startswith("Ad ") else f"**{val}**")
            else:
                lines.extend(wrap(val, width, rng, 0.0))
        elif kind == "p":
            lines.extend(wrap(val, width, rng, hyph))
        elif kind == "l":
            b = st["bullet"]
            for it in val:
                ls = wrap(it, width - 2, rng, hyph)
                ls[0] = f"{b} {ls[0]}"
                lines.extend(ls)
                if st["double"] or rng.random() < 0.3:
                    lines.append(None)
        elif kind == "m":
            for m in val:
                lines.append(m if m else None)
        lines.append(None)
    if st["double"]:
        # 001: "line \n\n", a paragraph break is " \n\n" (a line of spaces, then empty).
        parts = [(ln + " " if ln is not None else " ") + "\n\n" for ln in lines]
        return "".join(parts)
    if st["trail"]:
        return "".join(ln + " \n" if ln is not None else rng.choice(("\n", " \n")) for ln in lines)
    return "".join(ln + "\n" if ln is not None else "\n" for ln in lines)


# ---- The benchmark query list -----------------------------------------------------------

WORD_RE = re.compile(r"^[A-Za-zÆØÅæøåÉé]+(?:-[A-Za-zÆØÅæøå]+)*$")
QSTOP = STOP | set("af de den det denne dette disse dem deres din dig du dog efter eller en end "
                   "er et for fra før gennem ham han hans har havde hende hendes her hos hun hvad "
                   "hvis hvor hvordan hvilke hvilken i ikke ind jeg jer kan kun kunne man mange "
                   "med meget mellem men mere mig min mod må ned noget nogle nok nu når og også om "
                   "op os over på sammen selv sig sin sine sit skal skulle som så sådan thi til "
                   "ud under var vi vil ville vor være været blev bliver blive bl.a fx ift dvs samt inden både etc".split())


def make_queries(corpus_dir, seed):
    """~200 queries from the seed records' own vocabulary, in the query syntax of
    include/arkivar/query.h: 40 common, 30 medium and 30 rare single words, 30 two-word
    and 20 three-word queries, 30 "phrases" (stop words kept), 20 prefix* queries and
    a few typed the way DOMAIN.md says people type (no æ/ø/å, acronyms, case numbers)."""
    rng = random.Random(seed)
    sents, count = [], {}
    for f in sorted(Path(corpus_dir).glob("*.txt")):
        for para in _clean_lines(f.read_text(encoding="utf-8", errors="replace")):
            para = BULLET_RE.sub("", para).replace("**", "").lstrip("#").strip()
            for sent in SENT_SPLIT_RE.split(para):
                toks = sent.split()
                sents.append(toks)
                for t in toks:
                    w = t.strip(".,;:!?()’”“\"'").lower()
                    if WORD_RE.match(w) and w not in QSTOP and len(w) >= 3:
                        count[w] = count.get(w, 0) + 1
    ranked = sorted(count, key=lambda w: (-count[w], w))
    content = [w for w in ranked if len(w) >= 4]
    common = content[:40]
    medium = rng.sample(sorted(content[150:700]), 30)
    rare = rng.sample(sorted(w for w in content if count[w] == 1 and len(w) >= 7), 30)

    def windows(n, stop_ok):
        out = []
        for toks in sents:
            for i in range(len(toks) - n + 1):
                win = toks[i:i + n]
                if any(not WORD_RE.match(t) for t in win[:-1]):
                    continue
                last = win[-1].rstrip(".,;:!?")
                if not WORD_RE.match(last):
                    continue
                ws = [t.lower() for t in win[:-1]] + [last.lower()]
                if stop_ok:
                    if ws[0] in QSTOP or ws[-1] in QSTOP:
                        continue
                elif any(w in QSTOP or len(w) < 3 for w in ws):
                    continue
                out.append(" ".join(ws))
        return sorted(set(out))

    two = rng.sample(windows(2, False), 30)
    three = rng.sample(windows(3, False), 20)
    phrases = ['"' + p + '"' for p in rng.sample(windows(3, True) + windows(2, False), 30)]
    prefixes = []
    for w in rng.sample(content[:300], 40):
        p = w[:rng.randint(3, min(6, len(w) - 1))] + "*"
        if p not in prefixes:
            prefixes.append(p)
    prefixes = prefixes[:20]
    typed = ["kobenhavn", "koebenhavns kommune", "okonomiudvalget", "ØU orientering",
             "TMF", "skolemad", "innovation projekter", "partnerskab", "150 mio.kr.",
             "Sagsnummer eDoc"]
    qs = ([w for w in common] + medium + rare + two + three + phrases + prefixes + typed)
    return qs


# ---- Driver -----------------------------------------------------------------------------

_GEN = None


def _work(task):
    seed, out_tmp, first, sizes = task
    total = 0
    for j, target in enumerate(sizes):
        i = first + j
        rng = random.Random(seed * 1_000_003 + i)
        text = make_doc(_GEN, rng, target)
        d = os.path.join(out_tmp, f"{i // DOCS_PER_DIR:03d}")
        os.makedirs(d, exist_ok=True)
        data = text.encode("utf-8")
        with open(os.path.join(d, f"{i:06d}_{rng.getrandbits(64):016x}.txt"), "wb") as f:
            f.write(data)
        total += len(data)
    return total


def parse_size(s):
    m = re.fullmatch(r"\s*([0-9.]+)\s*([KMG]?B?)\s*", s, re.I)
    if not m:
        raise argparse.ArgumentTypeError(f"bad size {s!r} (e.g. 2MB, 100MB, 1GB)")
    mult = {"": 1, "B": 1, "K": 10**3, "KB": 10**3, "M": 10**6, "MB": 10**6,
            "G": 10**9, "GB": 10**9}[m.group(2).upper()]
    return int(float(m.group(1)) * mult)


def main():
    global _GEN
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", nargs="?")
    ap.add_argument("--queries", metavar="FILE",
                    help="write the benchmark query list to FILE instead of a corpus")
    ap.add_argument("--size", type=parse_size, default=parse_size("100MB"))
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--corpus", default=str(Path(__file__).resolve().parent.parent / "corpus"))
    args = ap.parse_args()

    if args.queries:
        qs = make_queries(args.corpus, args.seed)
        with open(args.queries + ".tmp", "w", encoding="utf-8") as f:
            f.write("".join(q + "\n" for q in qs))
        os.rename(args.queries + ".tmp", args.queries)
        print(f"gen-corpus: {len(qs)} queries -> {args.queries}", file=sys.stderr)
        return
    if not args.out_dir:
        ap.error("OUT_DIR is required (or --queries FILE)")

    t0 = time.monotonic()
    chain, nsent = train(args.corpus)
    _GEN = Gen(chain)

    # Sizes first, from the seed alone: the same list whatever --jobs is.
    srng = random.Random(args.seed)
    sizes, total = [], 0
    mu, sigma = math.log(10_000), 0.75
    while total < args.size:
        s = min(150_000, max(1_500, int(srng.lognormvariate(mu, sigma))))
        s = min(s, max(1_500, args.size - total)) if args.size - total < s else s
        sizes.append(s)
        total += s

    out = args.out_dir.rstrip("/")
    tmp = out + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    tasks = [(args.seed, tmp, i, sizes[i:i + TASK_DOCS]) for i in range(0, len(sizes), TASK_DOCS)]
    written = 0
    if args.jobs > 1 and len(tasks) > 1:
        ctx = multiprocessing.get_context("fork")   # workers inherit the trained chain
        with ctx.Pool(args.jobs) as pool:
            for n in pool.imap_unordered(_work, tasks):
                written += n
    else:
        for t in tasks:
            written += _work(t)
    if os.path.exists(out):
        shutil.rmtree(out)
    os.rename(tmp, out)
    dt = time.monotonic() - t0
    print(f"gen-corpus: {len(sizes)} files, {written / 1e6:.1f} MB in {dt:.1f} s "
          f"({written / 1e6 / max(dt, 1e-9):.1f} MB/s); chain: {len(chain)} states "
          f"from {nsent} seed sentences; seed {args.seed} -> {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
