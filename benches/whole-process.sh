#!/usr/bin/env bash
# Whole-process benchmark: median wall time and peak RSS of `dossier render` (all three
# formats) for the sample packet and synthetic bundles of 100, 400 and 1,000 references
# (400 and 1,000 references are 3.6 and 8.9 MB of bundle.yaml: the bench raises the 1 MB
# cap with DOSSIER_MAX_BUNDLE_MB, as the README's Limits section allows).
#
#   benches/whole-process.sh [RUNS]        (default 7 runs per case; release build)
#
# Wall time is taken around the process alone; peak RSS and CPU (user + system time,
# steadier than wall time on a shared machine) come from a second run of each under
# /usr/bin/time -v ("Maximum resident set size"). Synthetic bundles are
# generated deterministically by `cargo run --release --example synth -- N DIR`. Last, each
# of the speed and memory targets in docs/performance.md is printed as met or MISSED
# against the medians.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
export DOSSIER_MAX_BUNDLE_MB=16
cargo build --release --quiet --bin dossier --example synth
bin=target/release/dossier
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

target/release/examples/synth 100 "$work/synth-100" 2>/dev/null
target/release/examples/synth 400 "$work/synth-400" 2>/dev/null
target/release/examples/synth 1000 "$work/synth-1000" 2>/dev/null

declare -A wall_ms rss_mb # by case name, for the verdicts at the end

measure() { # name bundle
  local name=$1 bundle=$2 times=() rss=() cpu=()
  for _ in $(seq "$runs"); do
    # Wall time of the process alone, in microseconds from bash ($EPOCHREALTIME); then a
    # run under GNU time for peak RSS and CPU time (time's own start and wait add about
    # 1.5 ms, so it is not timed).
    rm -rf "$work/out"
    local start=$EPOCHREALTIME end status=0
    "$bin" render "$bundle" --out "$work/out" 2>"$work/err.txt" >/dev/null || status=$?
    end=$EPOCHREALTIME # before any subshell: forking one takes a millisecond
    if [ "$status" -ne 0 ]; then
      printf '%-22s refused: %s\n' "$name" "$(grep -m1 '^error' "$work/err.txt")"
      return 0
    fi
    times+=("$(echo "$end - $start" | bc -l)")
    rm -rf "$work/out"
    /usr/bin/time -v "$bin" render "$bundle" --out "$work/out" 2>"$work/time.txt" >/dev/null
    rss+=("$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")")
    cpu+=("$(awk -F': ' '/User time|System time/ {s+=$2} END {print s}' "$work/time.txt")")
  done
  local median_t quart_t median_r median_c pages
  # Median and quartiles of the wall time in ms: on a shared machine the spread says how
  # far one median can be trusted.
  median_t=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {printf "%.1f", 1000*a[int((NR+1)/2)]}')
  quart_t=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {printf "%.1f-%.1f", 1000*a[int((NR+3)/4)], 1000*a[int((3*NR+1)/4)]}')
  median_r=$(printf '%s\n' "${rss[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  median_c=$(printf '%s\n' "${cpu[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  pages=$(pdfinfo "$work/out/packet.pdf" 2>/dev/null | awk '/^Pages:/ {print $2}')
  wall_ms[$name]=$median_t
  rss_mb[$name]=$(echo "$median_r/1024" | bc -l)
  printf '%-22s %9s ms %15s %8.2f s %8.1f MB %6s pages\n' "$name" "$median_t" "$quart_t" "$median_c" "$(echo "$median_r/1024" | bc -l)" "${pages:-?}"
}

echo "dossier $("$bin" --version | awk '{print $2}'), $(nproc) cores, $(uname -m), median of $runs runs"
printf '%-22s %12s %15s %10s %11s %12s\n' case wall "(p25-p75)" "CPU" "peak RSS" PDF
measure "sample (4 refs)" samples/acme-forecast
measure "synthetic 100 refs" "$work/synth-100"
measure "synthetic 400 refs" "$work/synth-400"
measure "synthetic 1000 refs" "$work/synth-1000"

# The targets of docs/performance.md against the medians above ("met" or "MISSED"; a report, not a test:
# the exit status does not depend on it).
verdict() { # description, awk condition over a and b
  local ok
  ok=$(awk -v a="$2" -v b="$3" "BEGIN {print ($4) ? \"met\" : \"MISSED\"}")
  printf '  %-52s %s\n' "$1" "$ok"
}
s=${wall_ms["sample (4 refs)"]:-} h=${wall_ms["synthetic 100 refs"]:-} k=${wall_ms["synthetic 1000 refs"]:-}
if [ -n "$s" ] && [ -n "$h" ] && [ -n "$k" ]; then
  echo
  echo "Targets (docs/performance.md):"
  verdict "sample: $s ms <= 30 ms, $(printf %.1f "${rss_mb["sample (4 refs)"]}") MB <= 40 MB" "$s" "${rss_mb["sample (4 refs)"]}" "a <= 30 && b <= 40"
  verdict "synthetic 100: $h ms <= 300 ms, $(printf %.1f "${rss_mb["synthetic 100 refs"]}") MB <= 120 MB" "$h" "${rss_mb["synthetic 100 refs"]}" "a <= 300 && b <= 120"
  verdict "1,000 refs: $(awk -v a="$k" -v b="$h" 'BEGIN {printf "%.1f", a / b}')x the time of 100, at most 10x" "$k" "$h" "a / b <= 10"
fi

if [ -x ../shared/tools/looseness.py ] || [ -f ../shared/tools/looseness.py ]; then
  echo
  echo "Justified-line looseness (../shared/tools/looseness.py):"
  echo "targets (docs/typography.md): p95 <= 1.45x, max <= 1.7x, at most 3 % of lines over 1.5x"
  for bundle in samples/acme-forecast samples/northwind-vision "$work/synth-100"; do
    rm -rf "$work/out"; "$bin" render "$bundle" --out "$work/out" --format pdf >/dev/null 2>&1
    printf '%-18s ' "$(basename "$bundle")"
    python3 ../shared/tools/looseness.py "$work/out/packet.pdf" | sed 's/^packet.pdf: //' || true
  done
fi
