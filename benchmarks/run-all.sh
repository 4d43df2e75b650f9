#!/usr/bin/env bash
# Runs the whole performance suite and writes everything into one folder:
#   build (mvn package, offline if MVN_OFFLINE=1), every JMH benchmark (results.json, jmh.log),
#   the JmhReport table (report.md), the 1000-step RSS soak (rss.json, rss.md) and, when a python3
#   with torch is found, the PyTorch side-by-side (pytorch.md, pytorch.json); env.txt records the
#   machine and commit.
#
# usage: benchmarks/run-all.sh [OUT_DIR]            (default: benchmarks/results/<date>-<time>)
# environment:
#   JMH_ARGS     JMH settings (default: -f 1 -wi 1 -w 2 -i 3 -r 2; estimated ~30 min for the 85 rows on 2 cores)
#   JMH_FILTER   benchmark regex (default: all benchmarks)
#   SOAK_STEPS   RSS soak steps (default 1000; 0 skips the soak)
#   PYTHON       python with torch (default: the first of python3, /usr/bin/python3 that imports torch)
#   TORCH_THREADS torch.set_num_threads (default 2)
#   SKIP_BUILD=1 use the existing benchmarks/target/benchmarks.jar
#   MVN_OFFLINE=1 build with mvn -o
#   HUGEPAGES=1  run every measured process (JMH, soak, PyTorch alike) with
#                GLIBC_TUNABLES=glibc.malloc.hugetlb=1: glibc (>= 2.35) asks for transparent huge
#                pages for its large blocks, which cuts the page-fault cost of fresh native memory
#                where 4 KiB faults are expensive (see benchmarks/README.md -> Page faults)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-benchmarks/results/$(date +%Y%m%d-%H%M%S)}
JMH_ARGS=${JMH_ARGS:--f 1 -wi 1 -w 2 -i 3 -r 2}
JMH_FILTER=${JMH_FILTER:-}
SOAK_STEPS=${SOAK_STEPS:-1000}
TORCH_THREADS=${TORCH_THREADS:-2}
JAR=benchmarks/target/benchmarks.jar
mkdir -p "$OUT"
if [[ "${HUGEPAGES:-0}" == 1 ]]; then
  export GLIBC_TUNABLES="glibc.malloc.hugetlb=1${GLIBC_TUNABLES:+:$GLIBC_TUNABLES}"
fi

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  echo "== build"
  mvn -B -ntp ${MVN_OFFLINE:+-o} -q -pl benchmarks -am package -DskipTests
fi

{
  echo "commit: $(git rev-parse HEAD 2>/dev/null || echo unknown)"
  echo "date: $(date -Is)"
  echo "nproc: $(nproc)"
  grep -m1 "model name" /proc/cpuinfo || true
  java -version 2>&1
  echo "JMH_ARGS: $JMH_ARGS"
  echo "JMH_FILTER: ${JMH_FILTER:-<all>}"
  echo "GLIBC_TUNABLES: ${GLIBC_TUNABLES:-<none>}"
  echo "transparent_hugepage: $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || echo unknown)"
  echo "libblas.so.3 (PyTorch's BLAS on Debian): $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || echo none)"
} > "$OUT/env.txt"

echo "== JMH ($JMH_ARGS) -> $OUT/results.json"
# shellcheck disable=SC2086
java -jar "$JAR" $JMH_FILTER $JMH_ARGS -rf json -rff "$OUT/results.json" 2>&1 | tee "$OUT/jmh.log"

echo "== report -> $OUT/report.md"
java -cp "$JAR" io.stylegan2.benchmarks.JmhReport "$OUT/results.json" 2>/dev/null | tee "$OUT/report.md"

if [[ "$SOAK_STEPS" -gt 0 ]]; then
  echo "== RSS soak ($SOAK_STEPS steps) -> $OUT/rss.json"
  java -Xmx2g -cp "$JAR" io.stylegan2.benchmarks.RssSoak --steps "$SOAK_STEPS" --out "$OUT/rss.json" 2>/dev/null | tee "$OUT/rss.md"
fi

PY=${PYTHON:-}
if [[ -z "$PY" ]]; then
  for cand in python3 /usr/bin/python3; do
    if command -v "$cand" >/dev/null 2>&1 && "$cand" -c "import torch, torchvision" >/dev/null 2>&1; then PY=$cand; break; fi
  done
fi
if [[ -n "$PY" ]]; then
  echo "== PyTorch side by side ($PY) -> $OUT/pytorch.md"
  "$PY" benchmarks/pytorch/side_by_side.py "$OUT/results.json" --threads "$TORCH_THREADS" --json "$OUT/pytorch.json" | tee "$OUT/pytorch.md"
else
  echo "== no python3 with torch + torchvision found: PyTorch comparison skipped" | tee "$OUT/pytorch.md"
fi
echo "== done: $OUT"
