#!/usr/bin/env python3
"""tests/mkpdf.py: write small PDF fixtures for tests/t_pdf.sh, without LibreOffice.
Owns: a minimal valid PDF writer (one Helvetica font, WinAnsiEncoding, one text stream
per page, an Info dictionary with a title, a correct xref table) and the fixtures.
Why: the loader is tested on files we can read byte for byte; the fixtures are committed
(tests/fixtures/pdf/), this script says how they were made:  python3 tests/mkpdf.py DIR
(and, made as the test runs, a PDF of N pages:  python3 tests/mkpdf.py --pages N OUT)
WinAnsiEncoding is cp1252, so Danish æ ø å Æ Ø Å are single bytes in the strings."""
import sys, os

def pdf_string(s):
    b = s.encode("cp1252")
    return b"(" + b.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"

def page_stream(lines):
    out = [b"BT /F1 12 Tf 14 TL 72 760 Td"]
    for line in lines:
        out.append(pdf_string(line) + b" Tj T*")
    out.append(b"ET")
    return b"\n".join(out) + b"\n"

def write_pdf(path, pages, title=None, created=None):
    """pages: a list of pages, each a list of text lines ("" for a blank line)."""
    objs = []  # object bodies, numbered from 1
    n = len(pages)
    # 1 catalog, 2 pages, 3 font, 4 info, then per page: page object, content stream
    kids = " ".join("%d 0 R" % (5 + 2 * i) for i in range(n))
    objs.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objs.append(("<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, n)).encode())
    objs.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    info = b"<< /Title " + pdf_string(title) if title else b"<<"
    if created:
        info += b" /CreationDate " + pdf_string(created)
    objs.append(info + b" /Producer (tests/mkpdf.py) >>")
    for i, lines in enumerate(pages):
        objs.append(("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                     "/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (6 + 2 * i)).encode())
        body = page_stream(lines)
        objs.append(b"<< /Length %d >>\nstream\n" % len(body) + body + b"endstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % (i + 1) + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 4 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    with open(path, "wb") as f:
        f.write(out)

# Each page's words are its own: "vandløb" only on page 2, "skøjtebane" only on page 3,
# so a search says whether passage.page is right.
THREE = [
    ["Lokalplan for Ærøvej", "",
     "Kommunen har modtaget en ansøgning om ny bebyggelse ved Ærøvej.",
     "Planen omfatter boliger, stier og en mindre park mod nord.", "",
     "Byrådet behandlede sagen på sit møde i juni."],
    ["Miljøforhold", "",
     "Et vandløb løber gennem området og skal bevares som åben grøft.",
     "Naturstyrelsen har ingen bemærkninger til den foreslåede afgrænsning.", "",
     "Støjen fra vejen ligger under de vejledende grænseværdier."],
    ["Fritid og foreninger", "",
     "Der etableres en skøjtebane ved skolen, som foreningerne kan bruge om vinteren.",
     "Åbningstiderne aftales med den lokale idrætsforening.", "",
     "Økonomien afholdes inden for udvalgets ramme."],
]

# A report with a running header and footer on every page, and sentences that run on
# over the page breaks (one with a word hyphenated across the break).
HEADER = "Københavns Kommune · Teknik- og Miljøforvaltningen"
REPORT_BODY = [
    ["Grønne områder ved havnen", "",
     "Forvaltningen har siden 2024 arbejdet med at udvide det grønne",
     "område ved Sydhavnen med nye træer og bænke, og planen"],
    ["fortsætter i de kommende år, så flere borgere kan bruge det.", "",
     "Cyklisterne får bedre forhold, fordi kommunen bygger nye cykel-"],
    ["stier langs kanalen og gennem parken ved Enghave.", "",
     "Udvalget får en status på arbejdet hvert halve år."],
    ["Bilag og kontakt", "",
     "Spørgsmål om planen kan stilles til forvaltningens sekretariat."],
]

def report_pages():
    n = len(REPORT_BODY)
    return [[HEADER, ""] + body + ["", "Side %d af %d" % (k + 1, n)]
            for k, body in enumerate(REPORT_BODY)]

def main():
    # tests/mkpdf.py --pages N OUT: N pages of "Side K" text (the page limit; a quick rate).
    if len(sys.argv) == 4 and sys.argv[1] == "--pages":
        n = int(sys.argv[2])
        write_pdf(sys.argv[3], [["Side %d" % (k + 1), "Teksten på side %d af %d." % (k + 1, n)]
                                for k in range(n)])
        return
    d = sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/pdf"
    os.makedirs(d, exist_ok=True)
    write_pdf(os.path.join(d, "lokalplan.pdf"), THREE, title="Lokalplan 12 for Ærøvej")
    write_pdf(os.path.join(d, "havneplan.pdf"), report_pages(), title="Status for havnens grønne områder",
              created="D:20260415093000+02'00'")

if __name__ == "__main__":
    main()
