#!/usr/bin/env bash
# Peak memory and wall time of dossier on the worst inputs its limits allow (and a few it
# refuses), measured with GNU time. Not a test: numbers depend on the machine.
#
#   fuzz/worst-inputs.sh [path/to/dossier]      (default: target/release/dossier)
#
# Needs python3 (to generate the inputs) and /usr/bin/time.
set -euo pipefail

bin=${1:-target/release/dossier}
bin=$(realpath "$bin")
samples=$(realpath "$(dirname "$0")/../samples")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$work" "$samples" <<'EOF'
import os, struct, sys, zlib, random, shutil

work, samples = sys.argv[1], sys.argv[2]
with open(os.path.join(os.path.dirname(samples), "tests/fixtures/minimal/bundle.yaml")) as f:
    MINIMAL = f.read()

def bundle(name, text, files=()):
    d = os.path.join(work, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "bundle.yaml"), "w") as f:
        f.write(text)
    for rel, data in files:
        p = os.path.join(d, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)

def png(w, h, noise):
    """RGBA with one bit of noise per byte (so it stays large but under the 32 MB file cap),
    or all-black grey."""
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    rnd = random.Random(1)
    one_bit = bytes(i & 1 for i in range(256))
    channels, colour = (4, 6) if noise else (1, 0)
    row = lambda: b"\0" + (rnd.randbytes(w * 4).translate(one_bit) if noise else bytes(w))
    comp = zlib.compressobj(1)
    idat = b"".join(comp.compress(row()) for _ in range(h)) + comp.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, colour, 0, 0, 0))
            + chunk(b"IDAT", idat) + chunk(b"IEND", b""))

words = ("forecast model pipeline data region latency accuracy retail demand store "
         "inventory training inference batch stream feature quality").split()
rnd = random.Random(2)
def prose(n):
    return " ".join(rnd.choice(words) for _ in range(n))

# 1. bundle.yaml at the size cap: as many references of prose as fit in 1 MB (about 500).
refs = []
for i in range(2000):
    refs.append(f"""  - customer: Customer {i}
    problem: |
      {prose(120)}
    outcomes: |
      {prose(120)}
    start: 2026-01-12
    end: 2026-06-30
    stage: production
""")
text = MINIMAL + "references:\n" + "".join(refs)
while len(text.encode()) > 1024 * 1024:
    refs.pop()
    text = MINIMAL + "references:\n" + "".join(refs)
bundle("max-references", text)

# 2. One Markdown field holding almost 1 MB: a single paragraph, and a single table.
bundle("huge-paragraph", MINIMAL.replace("  name: Acme Forecast Studio\n",
       "  name: Acme Forecast Studio\n  lifecycle: |\n    " + prose(125_000) + "\n"))
rows = "".join(f"    | {prose(3)} | {prose(3)} | {prose(3)} |\n" for _ in range(11_000))
bundle("huge-table", MINIMAL.replace("  name: Acme Forecast Studio\n",
       "  name: Acme Forecast Studio\n  lifecycle: |\n    | a | b | c |\n    |---|---|---|\n" + rows))

# 3. Nesting in Markdown: 100,000 nested quotes and list items.
bundle("markdown-nesting", MINIMAL.replace("  name: Acme Forecast Studio\n",
       "  name: Acme Forecast Studio\n  lifecycle: |\n    " + "> " * 100_000 + "x\n"
       "  predictive_functionality: |\n" + "".join("    " + "  " * i + "- x\n" for i in range(600))))

# 4. Diagrams: at the pixel cap (noise, so it stays big after compression) and far beyond it.
bundle("diagram-25-megapixels", MINIMAL + "architecture:\n  diagram: d.png\n",
       [("d.png", png(5000, 5000, noise=True))])
bundle("diagram-20000-square", MINIMAL + "architecture:\n  diagram: d.png\n",
       [("d.png", png(20000, 20000, noise=False))])

# 5. YAML bombs.
bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefghi", "bcdefghij"))
bundle("alias-bomb", bomb)
bundle("yaml-nesting", "format: 1\nsolution: " + "[" * 100_000 + "]" * 100_000 + "\n")

# 6. A 50 MB bundle.yaml.
d = os.path.join(work, "fifty-mb"); os.makedirs(d)
with open(os.path.join(d, "bundle.yaml"), "wb") as f:
    f.write(b"# " + b"x" * (50 * 1024 * 1024) + b"\n")

# 7. The real sample, for scale.
shutil.copytree(os.path.join(samples, "acme-forecast"), os.path.join(work, "sample-acme-forecast"))
EOF

printf '%-24s %-7s %5s %10s %9s  %s\n' input command exit "peak RSS" "wall" "first line of stderr"
for b in "$work"/*/; do
    name=$(basename "$b")
    for cmd in check render; do
        args=("$cmd" "$b")
        [ "$cmd" = render ] && args+=(--out "$work/out-$name")
        set +e
        /usr/bin/time -f '%M %e' -o "$work/time" "$bin" "${args[@]}" >/dev/null 2>"$work/err"
        code=$?
        set -e
        read -r kb secs < <(tail -n1 "$work/time")
        printf '%-24s %-7s %5s %7d MB %8ss  %s\n' "$name" "$cmd" "$code" $((kb / 1024)) "$secs" \
            "$(grep -m1 -E 'error|wrote' "$work/err" | cut -c1-90)"
    done
done
