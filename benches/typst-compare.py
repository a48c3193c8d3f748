#!/usr/bin/env python3
"""Side-by-side look at dossier's PDF and Typst's setting of the same prose, for the
evenness targets in docs/typography.md.

    benches/typst-compare.py [SAMPLE] [OUT]    (default samples/acme-forecast, /tmp/typst-compare)

Renders SAMPLE with the release build of dossier, takes the "Customer references" section of
its packet.md, sets it with Typst (typst-py: `pip install typst`) in the same fonts (fonts/),
page (A4, 72 pt side margins), type size (10.5 pt on 15 pt) and with justification and
hyphenation, then writes for both: the section's pages as PDF, PNGs at 80 dpi and the
looseness numbers of ../shared/tools/looseness.py. Not a test: it needs typst-py, poppler-utils
and qpdf, and its output is for eyes. Exits 2 with a message when typst-py is missing.
"""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOOSENESS = ROOT.parent / "shared" / "tools" / "looseness.py"

try:
    import typst
except ImportError:
    print("typst-compare: typst-py is not installed (pip install typst); nothing compared",
          file=sys.stderr)
    sys.exit(2)


def run(*cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


def section(md: str, title: str) -> str:
    """The level-2 section called `title`, up to the next level-2 heading."""
    out, on = [], False
    for line in md.splitlines():
        if line.startswith("## "):
            on = line[3:].strip() == title
        if on:
            out.append(line)
    return "\n".join(out)


def inline(s: str) -> str:
    """Markdown inlines → Typst markup (the subset packet.md uses)."""
    code = []

    def keep(m):
        code.append(m.group(0))
        return f"\x00{len(code) - 1}\x00"

    s = re.sub(r"`[^`]+`", keep, s)
    links = []

    def link(m):
        text, url = m.group(1), m.group(2)
        links.append((text, url))
        return f"\x01{len(links) - 1}\x01"

    s = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", link, s)

    def autolink(m):
        links.append((m.group(1), m.group(1)))
        return f"\x01{len(links) - 1}\x01"

    s = re.sub(r"<(https?://[^>]+)>", autolink, s)

    def esc(t: str) -> str:
        t = re.sub(r"([\\#$@<>~*_\[\]])", r"\\\1", t)
        return t.replace("//", "/\\/")

    s = esc(s)
    # Bold and italic markers were escaped above; put them back as Typst's.
    s = re.sub(r"\\\*\\\*(.+?)\\\*\\\*", r"*\1*", s)
    s = re.sub(r"\\_(.+?)\\_", r"_\1_", s)
    s = re.sub(r"\x00(\d+)\x00", lambda m: code[int(m.group(1))], s)

    def unlink(m):
        text, url = links[int(m.group(1))]
        shown = esc(text)
        if url.startswith("#"):
            return shown
        return f'#link("{url}")[{shown}]'

    return re.sub(r"\x01(\d+)\x01", unlink, s)


def to_typst(md: str) -> str:
    blocks, para, table = [], [], []

    def flush():
        if para:
            blocks.append(inline(" ".join(para)))
            para.clear()
        if table:
            rows = [r for r in table if not re.fullmatch(r"\|[\s:|-]+\|", r)]
            cells = [[c.strip() for c in r.strip("|").split("|")] for r in rows]
            n = len(cells[0])
            body = ", ".join(f"[{inline(c)}]" for row in cells for c in row)
            blocks.append(f"#table(columns: {n}, stroke: 0.4pt, {body})")
            table.clear()

    for line in md.splitlines():
        if not line.strip():
            flush()
        elif m := re.match(r"(#{2,6}) (.*)", line):
            flush()
            blocks.append("=" * (len(m.group(1)) - 1) + " " + inline(m.group(2)))
        elif line.startswith("|"):
            if para:
                flush()
            table.append(line)
        elif m := re.match(r"- (.*)", line):
            flush()
            para.append(m.group(1))
            blocks.append(None)  # marks: the paragraph that follows is a list item
        elif line.startswith("  ") and blocks and blocks[-1] is None:
            para.append(line.strip())
        else:
            para.append(line.strip())
    flush()
    out, item = "", False
    for b in blocks:
        if b is None:
            item = True
            continue
        # Items of one list on consecutive lines: a tight list, as dossier sets it.
        sep = "\n" if item and out.endswith("\x02") else "\n\n"
        out = out.rstrip("\x02") + (sep if out else "") + (("- " + b + "\x02") if item else b)
        item = False
    return out.rstrip("\x02")


PREAMBLE = """
#set page(paper: "a4", margin: (x: 72pt, top: 78pt, bottom: 72pt))
#set text(font: "Noto Serif", size: 10.5pt, lang: "en", region: "us", hyphenate: true)
// Baseline to baseline 15 pt, as dossier sets body text (cap height of Noto Serif ≈ 0.71 em).
#set par(justify: true, leading: 15pt - 0.714 * 10.5pt, spacing: 9pt)
#show heading: set text(font: "Noto Sans", weight: "bold")
#show raw: set text(font: "Noto Sans Mono", size: 0.88em)
#set table(inset: 4pt)
#show table: set par(justify: false)
#show table: set text(size: 9pt)
"""


def main():
    sample = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "samples" / "acme-forecast"
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("/tmp/typst-compare")
    for tool in ("pdftotext", "pdftoppm", "qpdf"):
        if shutil.which(tool) is None:
            sys.exit(f"typst-compare: {tool} is not installed (poppler-utils, qpdf)")
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    run("cargo", "build", "--release", "--quiet", "--bin", "dossier", cwd=ROOT)
    run(str(target / "release" / "dossier"), "render", str(sample), "--out", str(out / "dossier"))
    md = (out / "dossier" / "packet.md").read_text()
    refs = section(md, "Customer references")

    # Ours: the pages from the section's heading to the page before the next section's.
    pdf = out / "dossier" / "packet.pdf"
    pages = int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", str(pdf))).group(1))
    starts = {}
    for p in range(3, pages + 1):
        text = run("pdftotext", "-f", str(p), "-l", str(p), str(pdf), "-")
        heads = {l.strip() for l in text.splitlines()}
        for title in ("Customer references", "Solution details"):
            if title in heads and title not in starts:
                starts[title] = p
    first, last = starts["Customer references"], starts["Solution details"] - 1
    ours = out / "dossier-references.pdf"
    run("qpdf", str(pdf), "--pages", str(pdf), f"{first}-{last}", "--", str(ours))

    src = out / "references.typ"
    src.write_text(PREAMBLE + "\n" + to_typst(refs) + "\n")
    theirs = out / "typst-references.pdf"
    typst.compile(str(src), output=str(theirs), font_paths=[str(ROOT / "fonts")])

    for pdf in (ours, theirs):
        run("pdftoppm", "-png", "-r", "80", str(pdf), str(out / pdf.stem))
    print(run(sys.executable, str(LOOSENESS), str(ours), str(theirs)), end="")
    print(f"pages: dossier {first}-{last} of {pages}; PNGs and sources in {out}")


if __name__ == "__main__":
    main()
