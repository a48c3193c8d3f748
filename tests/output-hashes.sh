#!/usr/bin/env bash
# Prints the SHA-256 of every output dossier writes for a fixed set of inputs: both samples
# in all three editions, and the 100-reference synthetic bundle. A change meant to preserve
# behaviour (a refactor, a speed-up) must leave this list unchanged:
#
#   tests/output-hashes.sh > before.txt    # on the base commit
#   tests/output-hashes.sh | diff before.txt -
#
# A case that dossier refuses (the public edition of a bundle that leaks) prints its exit
# code and the first line of its error instead of hashes, so a refusal that changes shows too.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin dossier --example synth
bin=target/release/dossier
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
target/release/examples/synth 100 "$work/synth-100" 2>/dev/null

case_() { # name bundle [render args…]
  local name=$1 bundle=$2 status=0
  shift 2
  rm -rf "$work/out"
  "$bin" render "$bundle" --out "$work/out" "$@" >/dev/null 2>"$work/err.txt" || status=$?
  if [ "$status" -ne 0 ]; then
    printf '%s  exit %s: %s\n' "$name" "$status" "$(grep -m1 '^error' "$work/err.txt" || true)"
    return
  fi
  for f in packet.md packet.html packet.pdf; do
    printf '%s  %s  %s\n' "$name" "$f" "$(sha256sum "$work/out/$f" | cut -d' ' -f1)"
  done
}

for sample in acme-forecast northwind-vision; do
  for edition in partner reviewer public; do
    case_ "$sample/$edition" "samples/$sample" --edition "$edition"
  done
done
case_ synth-100 "$work/synth-100"
