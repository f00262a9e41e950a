#!/usr/bin/env bash
# Whole-process benchmarks of qcdc (the figures in BENCHMARKS.md).
#
#   benches/bench.sh            10 k, 100 k and 1 M entries
#   SIZES="100 1000" benches/bench.sh
#
# For each size: generate a ward with `qcdc bench-gen` (12 quarters), then time a fresh
# `qcdc report --format json` and a fresh `qcdc mark` (median of RUNS runs, peak RSS from
# GNU time), the TUI's first frame and keystrokes through tmux at 80x24 (from
# QCDC_FRAME_STATS), and the import of a 100 k-row roster. Needs GNU time and tmux.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-"100 1000 10000"}
RUNS=${RUNS:-5}
cargo build --release --quiet
Q=$PWD/target/release/qcdc
work=$(mktemp -d)
trap 'tmux -L qcdc-bench kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
export QCDC_TODAY=2026-11-22 QCDC_CONFIG="$work/none.toml"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# Run a command RUNS times; print "median_ms max_rss_kb".
measure() {
  local t rss ts=() rs=()
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>&1
    read -r t rss <"$work/time"
    ts+=("$(awk -v t="$t" 'BEGIN{print t*1000}')"); rs+=("$rss")
  done
  printf '%s %s\n' "$(printf '%s\n' "${ts[@]}" | median)" "$(printf '%s\n' "${rs[@]}" | sort -n | tail -1)"
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -sr)"
echo "date: $(date -u +%Y-%m-%d)"
for g in $SIZES; do
  db="$work/w$g.db"
  /usr/bin/time -f "%e %M" -o "$work/time" "$Q" bench-gen --db "$db" --groups "$g" --periods 12 >"$work/gen"
  read -r gt grss <"$work/time"
  entries=$(awk '{print $1}' "$work/gen")
  echo "== $g groups, $entries entries: bench-gen ${gt}s, peak RSS $((grss/1024)) MB"
  read -r rt rr < <(measure "$Q" --db "$db" report --format json --period 2026-Q4)
  echo "report --format json: median ${rt} ms, peak RSS $((rr/1024)) MB"
  read -r mt mr < <(measure "$Q" --db "$db" mark "Tổ dân phố 5" CK-15 biet done)
  echo "mark (fresh process, flushed): median ${mt} ms, peak RSS $((mr/1024)) MB"
  du -sh "$db" | awk '{print "database size: "$1}'

  # The TUI at 80x24: first frame, one-row move in the tree, a page of the checklist.
  stats="$work/frames-$g.log"
  rm -f "$stats"
  tmux -L qcdc-bench -f /dev/null new-session -d -s b -x 80 -y 24 \
    "QCDC_FRAME_STATS=$stats $Q --db $db; sleep 1"
  for _ in $(seq 100); do [ -s "$stats" ] && break; sleep 0.1; done
  sleep 0.5
  for _ in $(seq 10); do tmux -L qcdc-bench send-keys -t b j; sleep 0.15; done
  tmux -L qcdc-bench send-keys -t b Tab; sleep 0.3
  for _ in $(seq 5); do tmux -L qcdc-bench send-keys -t b PageDown; sleep 0.2; done
  tmux -L qcdc-bench send-keys -t b q; sleep 0.5
  tmux -L qcdc-bench kill-server 2>/dev/null || true
  field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p"; }
  if [ "$(wc -l <"$stats")" -lt 17 ]; then
    echo "TUI: too few frames recorded ($(wc -l <"$stats"))"
  else
    first=$(head -1 "$stats")
    echo "TUI first frame: $(echo "$first" | field uptime_ms) ms after start, $(echo "$first" | field bytes) bytes in $(echo "$first" | field writes) write(s)"
    # frames 2..11: one-row moves in the tree (j); 12: Tab; 13..17: PageDown in the checklist
    mv=$(sed -n 2,11p "$stats" | field bytes | median)
    kt=$(sed -n 2,11p "$stats" | field key_to_frame_us | median)
    pg=$(sed -n 13,17p "$stats" | field bytes | median)
    mw=$(field writes <"$stats" | sort -n | tail -1)
    echo "TUI one-row move: median $mv bytes; checklist page: median $pg bytes; key to frame: median $kt us; most writes in one frame: $mw"
  fi
done

# Import of a 100 k-row roster into an empty ward.
python3 - "$work/roster.csv" <<'PY'
import sys
with open(sys.argv[1], "w", encoding="utf-8-sig") as f:
    f.write("Chi bộ;Tổ dân phố;Số hộ;Tổ trưởng\r\n")
    for i in range(100000):
        f.write(f"Chi bộ Khu phố {i // 4 + 1};Tổ dân phố {i + 1};{100 + i % 400};Nguyễn Văn {i % 97}\r\n")
PY
"$Q" --db "$work/imp.db" init --ward "Phường nhập thử" >/dev/null
/usr/bin/time -f "%e %M" -o "$work/time" "$Q" --db "$work/imp.db" import groups "$work/roster.csv" >/dev/null
read -r it ir <"$work/time"
echo "import groups, 100 k rows: ${it}s, peak RSS $((ir/1024)) MB"
