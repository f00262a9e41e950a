#!/usr/bin/env bash
# Province scale (issue 16): the roll-up of 50, 100 and 170 wards, against Python's
# json.load over the same files, and export, backup and restore of one 1.2 M-entry
# database. The figures in BENCHMARKS.md ("Province scale").
#
#   benches/rollup.sh                         # everything (~10 min, 4 GB of disk)
#   WORK=/tmp/qcdc-bench benches/rollup.sh    # generated files kept there and reused
#   BASE=/path/to/older/qcdc benches/rollup.sh    # the same commands of another build,
#                                             # run alternately with this one
#   RUNS=5 benches/rollup.sh                  # runs per median (default 3)
#   PARTS=rollup benches/rollup.sh            # only the roll-up (or PARTS=city)
#
# Wards: `qcdc bench-gen --groups G --periods 12` for G = 41 … 210, each exported (the
# first 100 are 41 … 140 groups, about 1.06 M entries and 1.1 GB of JSON). Each command
# runs RUNS times after one warm-up run; wall time from the shell's clock, peak RSS
# from GNU time; medians and the largest RSS are printed. The machine's load average
# is printed before and after: on a shared machine, compare figures of one run.
# Needs GNU time (/usr/bin/time) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
PARTS=${PARTS:-"rollup city"}
[ -x /usr/bin/time ] || { echo "GNU time is needed (apt-get install time)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 is needed" >&2; exit 1; }
cargo build --release --quiet
Q=$PWD/target/release/qcdc
if [ -n "${WORK:-}" ]; then
  mkdir -p "$WORK"
  work=$WORK
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
export QCDC_TODAY=2026-11-22 QCDC_CONFIG="$work/none.toml" QCDC_LANG=vi

median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) print 0; else print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# One timed run of "$@": appends "wall_ms rss_mb cpu_s" to the file named by $1 (CPU:
# user + system, which a loaded machine changes less than the wall time).
once() {
  local out=$1 s e; shift
  s=$(date +%s%N)
  /usr/bin/time -f "%M %U %S" -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; return 1; }
  e=$(date +%s%N)
  read -r rss user sys < <(tail -1 "$work/time")
  echo "$(( (e - s) / 1000000 )) $(( rss / 1024 )) $(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')" >>"$out"
}

# "median_wall_s max_rss_mb median_cpu_s" of the runs in a file.
summary() {
  printf '%s %s %s\n' "$(awk '{print $1}' "$1" | median | awk '{printf "%.2f", $1 / 1000}')" \
    "$(awk '{print $2}' "$1" | sort -n | tail -1)" \
    "$(awk '{print $3}' "$1" | median | awk '{printf "%.2f", $1}')"
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -sr)"
echo "date: $(date -u +%Y-%m-%d), qcdc $(git rev-parse --short HEAD 2>/dev/null || echo '?')${BASE:+, against $BASE}"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"

if [[ " $PARTS " == *" rollup "* ]]; then
  mkdir -p "$work/wards"
  if [ ! -e "$work/wards/done" ]; then
    for g in $(seq 41 210); do
      rm -rf "$work/w.db"
      "$Q" --db "$work/w.db" bench-gen --groups "$g" --periods 12 >/dev/null
      "$Q" --db "$work/w.db" export --out "$work/wards/w$g.json"
    done
    rm -rf "$work/w.db"
    touch "$work/wards/done"
  fi
  files() { for g in $(seq 41 $((40 + $1))); do echo "$work/wards/w$g.json"; done; }
  # The same number of wards ending with the largest (210 groups): memory against the
  # number of wards alone, the largest ward the same.
  last() { for g in $(seq $((211 - $1)) 210); do echo "$work/wards/w$g.json"; done; }
  echo
  echo "== roll-up (--format json), $RUNS runs each"
  for n in 50 100 170; do
    mapfile -t F < <(files "$n")
    size=$(du -ch "${F[@]}" | tail -1 | cut -f1)
    rm -f "$work/r-$n"
    "$Q" rollup "${F[@]}" --format json --out "$work/rollup.json" 2>/dev/null
    for _ in $(seq "$RUNS"); do once "$work/r-$n" "$Q" rollup "${F[@]}" --format json --out "$work/rollup.json"; done
    read -r t m c < <(summary "$work/r-$n")
    echo "$n wards ($size): median $t s (CPU $c s), peak RSS $m MB"
    if [ -n "${BASE:-}" ] && [ "$n" -le 100 ]; then
      rm -f "$work/rb-$n"
      for _ in $(seq "$RUNS"); do once "$work/rb-$n" "$BASE" rollup "${F[@]}" --format json --out "$work/rollup.json"; done
      read -r t m c < <(summary "$work/rb-$n")
      echo "  base: median $t s (CPU $c s), peak RSS $m MB"
    fi
  done
  echo "-- the same, each set ending with the largest ward (210 groups)"
  for n in 50 100 170; do
    mapfile -t F < <(last "$n")
    rm -f "$work/l-$n"
    for _ in $(seq "$RUNS"); do once "$work/l-$n" "$Q" rollup "${F[@]}" --format json --out "$work/rollup.json"; done
    read -r t m c < <(summary "$work/l-$n")
    echo "$n wards (groups $((211 - n))-210): median $t s (CPU $c s), peak RSS $m MB"
  done
  echo
  echo "== 100 wards: qcdc rollup against python3 json.load of the same files, alternating"
  mapfile -t F < <(files 100)
  rm -f "$work/q" "$work/p"
  for _ in $(seq "$RUNS"); do
    once "$work/q" "$Q" rollup "${F[@]}" --format json --out "$work/rollup.json"
    once "$work/p" python3 -c "import json,sys; [json.load(open(f)) for f in sys.argv[1:]]" "${F[@]}"
  done
  read -r qt qm qc < <(summary "$work/q")
  read -r pt pm pc < <(summary "$work/p")
  echo "qcdc rollup: median $qt s (CPU $qc s), peak RSS $qm MB"
  echo "python3 json.load: median $pt s (CPU $pc s), peak RSS $pm MB"
  echo "ratio: $(awk -v a="$pt" -v b="$qt" 'BEGIN {printf "%.1f", a / b}')x wall, $(awk -v a="$pc" -v b="$qc" 'BEGIN {printf "%.1f", a / b}')x CPU"
fi

if [[ " $PARTS " == *" city "* ]]; then
  db="$work/city.db"
  if [ ! -e "$work/city.done" ]; then
    rm -rf "$db"
    "$Q" --db "$db" bench-gen --groups 10000 --periods 12 >/dev/null
    touch "$work/city.done"
  fi
  echo
  echo "== 10,000 groups (1.17 M entries), $RUNS runs each${BASE:+, alternating with the base}"
  bins=("$Q")
  [ -n "${BASE:-}" ] && bins+=("$BASE")
  for b in "${bins[@]}"; do "$b" --db "$db" export --out "$work/city.json"; done
  rm -f "$work"/c-*
  for _ in $(seq "$RUNS"); do
    for i in "${!bins[@]}"; do
      b=${bins[$i]}
      once "$work/c-export-$i" "$b" --db "$db" export --out "$work/city-$i.json"
      rm -rf "$work/backups-$i"
      once "$work/c-backup-$i" "$b" --db "$db" backup "$work/backups-$i" --keep 1
      rm -rf "$work/restored-$i.db" "$work/restored-$i.db".*
      once "$work/c-restore-$i" "$b" --db "$work/restored-$i.db" restore "$work/city.json"
    done
  done
  cmp -s "$work/city.json" "$work/city-0.json" || echo "warning: the export is not the same bytes twice" >&2
  for i in "${!bins[@]}"; do
    label=$([ "$i" = 0 ] && echo "qcdc" || echo "base")
    for what in export backup restore; do
      read -r t m c < <(summary "$work/c-$what-$i")
      echo "$label $what: median $t s (CPU $c s), peak RSS $m MB"
    done
  done
  echo "document: $(du -h "$work/city.json" | cut -f1)"
  rm -rf "$work"/restored-*.db* "$work"/backups-* "$work"/city-*.json
fi
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
