#!/usr/bin/env bash
# Whole-process benchmarks of qcdc (the figures in BENCHMARKS.md).
#
#   benches/bench.sh                 100, 1,000 and 10,000 groups (about 12 k, 117 k, 1.2 M entries)
#   SIZES="100 1000" benches/bench.sh
#   RUNS=9 benches/bench.sh          more runs per median (default 5)
#   ONLY=tui benches/bench.sh        only the TUI figures (after a change to the TUI)
#
# For each size: generate a ward with `qcdc bench-gen` (12 quarters), then time fresh
# processes — `report --format json`, `mark` (flushed), `backup`, `export` — as the
# median of RUNS runs with the largest peak RSS (GNU time); drive the TUI in tmux at
# 80x24 and read its per-frame figures (QCDC_FRAME_STATS: bytes and write calls per
# frame, key-to-frame time, time from main to the first frame). Then import a
# 100,000-row roster. Needs GNU time (/usr/bin/time), tmux and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-"100 1000 10000"}
RUNS=${RUNS:-5}
command -v tmux >/dev/null || { echo "tmux is needed (apt-get install tmux)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "GNU time is needed (apt-get install time)" >&2; exit 1; }
cargo build --release --quiet
Q=$PWD/target/release/qcdc
work=$(mktemp -d)
sock=qcdc-bench-$$
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
export QCDC_TODAY=2026-11-22 QCDC_CONFIG="$work/none.toml" QCDC_LANG=vi

median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) print 0; else print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# Run a command RUNS times (after one warm-up run); print "median_ms max_rss_mb".
# Wall time from the shell's clock (GNU time's own is in hundredths of a second).
measure() {
  local s e ts=() rs=()
  "$@" >/dev/null 2>&1 || true
  for _ in $(seq "$RUNS"); do
    s=$(date +%s%N)
    /usr/bin/time -f "%M" -o "$work/time" "$@" >/dev/null 2>&1 || true
    e=$(date +%s%N)
    ts+=("$(( (e - s) / 100000 ))"); rs+=("$(tail -1 "$work/time")")
  done
  # Medians in tenths of a millisecond, shown as milliseconds with one decimal.
  printf '%s %s\n' "$(printf '%s\n' "${ts[@]}" | median | awk '{printf "%.1f", $1 / 10}')" \
    "$(( $(printf '%s\n' "${rs[@]}" | sort -n | tail -1) / 1024 ))"
}

field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p"; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -sr)"
echo "date: $(date -u +%Y-%m-%d), qcdc $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
for g in $SIZES; do
  db="$work/w$g.db"
  /usr/bin/time -f "%e %M" -o "$work/time" "$Q" bench-gen --db "$db" --groups "$g" --periods 12 >"$work/gen"
  read -r gt grss <"$work/time"
  entries=$(awk '{print $1}' "$work/gen")
  echo
  echo "== $g groups, $entries entries, $(du -sh "$db" | cut -f1) on disk"
  echo "bench-gen: ${gt} s, peak RSS $((grss / 1024)) MB"
  if [ "${ONLY:-}" != tui ]; then
  read -r rt rr < <(measure "$Q" --db "$db" report --format json --period 2026-Q4)
  echo "report --format json (fresh process): median ${rt} ms, peak RSS ${rr} MB"
  read -r mt mr < <(measure "$Q" --db "$db" mark "Tổ dân phố 5" CK-15 biet done)
  echo "mark (fresh process, flushed): median ${mt} ms, peak RSS ${mr} MB"
  read -r bt br < <(measure "$Q" --db "$db" backup "$work/backups-$g" --keep 1)
  echo "backup (fresh process): median ${bt} ms, peak RSS ${br} MB"
  read -r et er < <(measure "$Q" --db "$db" export --out "$work/export-$g.json")
  echo "export (fresh process): median ${et} ms, peak RSS ${er} MB, $(du -h "$work/export-$g.json" | cut -f1)"
  fi

  # The TUI at 80x24, several starts: the first frame; then in one session ten moves
  # in the tree (each shows another group's checklist), Tab, ten one-row moves in the
  # checklist, five page-downs.
  firsts=(); fbytes=()
  for _ in $(seq "$RUNS"); do
    stats="$work/first-$g.log"; rm -f "$stats"
    tmux -L "$sock" -f /dev/null new-session -d -s b -x 80 -y 24 "QCDC_FRAME_STATS=$stats $Q --db $db"
    for _ in $(seq 200); do [ -s "$stats" ] && break; sleep 0.05; done
    sleep 0.2
    tmux -L "$sock" send-keys -t b q; sleep 0.3
    tmux -L "$sock" kill-server 2>/dev/null || true
    firsts+=("$(head -1 "$stats" | field since_main_us)"); fbytes+=("$(head -1 "$stats" | field bytes)")
  done
  stats="$work/frames-$g.log"; rm -f "$stats"
  tmux -L "$sock" -f /dev/null new-session -d -s b -x 80 -y 24 "QCDC_FRAME_STATS=$stats $Q --db $db"
  for _ in $(seq 200); do [ -s "$stats" ] && break; sleep 0.05; done
  sleep 0.5
  for _ in $(seq 10); do tmux -L "$sock" send-keys -t b j; sleep 0.15; done
  tmux -L "$sock" send-keys -t b Tab; sleep 0.3
  for _ in $(seq 10); do tmux -L "$sock" send-keys -t b j; sleep 0.15; done
  for _ in $(seq 5); do tmux -L "$sock" send-keys -t b PageDown; sleep 0.2; done
  tmux -L "$sock" send-keys -t b q; sleep 0.5
  tmux -L "$sock" kill-server 2>/dev/null || true
  n=$(wc -l <"$stats")
  if [ "$n" -lt 27 ]; then
    echo "TUI: too few frames recorded ($n)"
  else
    echo "TUI first frame: median $(( $(printf '%s\n' "${firsts[@]}" | median | cut -d. -f1) / 1000 )) ms from main, $(printf '%s\n' "${fbytes[@]}" | median) bytes"
    # Frames: 1 first, 2..11 tree moves, 12 Tab, 13..22 one-row moves, 23..27 page-downs.
    echo "TUI move in the tree (another group): median $(sed -n 2,11p "$stats" | field bytes | median) bytes, key to frame median $(sed -n 2,11p "$stats" | field key_to_frame_us | median) us"
    echo "TUI one-row move in the checklist: median $(sed -n 13,22p "$stats" | field bytes | median) bytes, key to frame median $(sed -n 13,22p "$stats" | field key_to_frame_us | median) us"
    echo "TUI page-down in the checklist: median $(sed -n 23,27p "$stats" | field bytes | median) bytes, key to frame median $(sed -n 23,27p "$stats" | field key_to_frame_us | median) us"
    echo "TUI most write calls in one frame: $(field writes <"$stats" | sort -n | tail -1)"
  fi
done

[ "${ONLY:-}" = tui ] && exit 0
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
echo
echo "import groups, 100 k rows: ${it} s, peak RSS $((ir / 1024)) MB"
