#!/usr/bin/env bash
# qcdc against Taskwarrior, the closest tool people use for completion summaries, on the
# same machine in one run: the same number of tasks/entries spread over the same groups
# (Taskwarrior projects), timing `task summary` against `qcdc report` and `task N done`
# against `qcdc mark`, alternating, medians and the ratio.
#
#   benches/compare-taskwarrior.sh [GROUPS]     (default 1000 groups, about 100 k entries)
set -euo pipefail
cd "$(dirname "$0")/.."
GROUPS_N=${1:-1000}
RUNS=${RUNS:-7}
if ! command -v task >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  (apt-get install -y taskwarrior >/dev/null 2>&1) || (apt-get update >/dev/null && apt-get install -y taskwarrior >/dev/null)
fi
cargo build --release --quiet
Q=$PWD/target/release/qcdc
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export QCDC_TODAY=2026-11-22

db="$work/ward.db"
"$Q" bench-gen --db "$db" --groups "$GROUPS_N" --periods 12 >"$work/gen"
entries=$(awk '{print $1}' "$work/gen")
echo "qcdc: $(cat "$work/gen")"

# The same number of tasks, one project per group, about half done.
export TASKRC="$work/taskrc" TASKDATA="$work/task"
mkdir -p "$TASKDATA"
printf 'data.location=%s\nconfirmation=off\nverbose=nothing\nhooks=off\n' "$TASKDATA" >"$TASKRC"
python3 - "$work/tasks.json" "$entries" "$GROUPS_N" <<'PY'
import json, sys, uuid
out, n, groups = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(out, "w") as f:
    for i in range(n):
        t = {"uuid": str(uuid.UUID(int=i + 1)), "description": f"CK-{i % 61:02d} entry {i}",
             "project": f"to{i % groups + 1}", "entry": "20260101T000000Z",
             "status": "completed" if i % 2 else "pending"}
        if i % 2:
            t["end"] = "20260201T000000Z"
        f.write(json.dumps(t) + "\n")
PY
task import "$work/tasks.json" >/dev/null 2>&1
echo "taskwarrior: $(task count status:pending 2>/dev/null) pending, $(task count status:completed 2>/dev/null) completed"

# "wall_ms peak_rss_kb": wall time from the shell's clock (GNU time's is in 1/100 s).
ms() {
  local s e
  s=$(date +%s%N)
  /usr/bin/time -f "%M" -o "$work/t" "$@" >/dev/null 2>&1 || true
  e=$(date +%s%N)
  printf '%s %s\n' "$(awk -v d=$((e - s)) 'BEGIN{printf "%.1f", d / 1e6}')" "$(tail -1 "$work/t")"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
max() { sort -n | tail -1; }
qr=(); tr=(); qm=(); tm=(); qrss=0; trss=0
for i in $(seq "$RUNS"); do
  read -r a r < <(ms "$Q" --db "$db" report --format json --period 2026-Q4); qr+=("$a"); [ "$r" -gt "$qrss" ] && qrss=$r
  read -r b r < <(ms task summary); tr+=("$b"); [ "$r" -gt "$trss" ] && trss=$r
  st=$([ $((i % 2)) = 0 ] && echo done || echo todo)
  read -r c _ < <(ms "$Q" --db "$db" mark "Tổ dân phố 5" CK-15 biet "$st"); qm+=("$c")
  id=$(task _ids 2>/dev/null | sed -n 1p)  # sed reads to the end: no SIGPIPE under pipefail
  read -r d _ < <(ms task "$id" done); tm+=("$d")
done
QR=$(printf '%s\n' "${qr[@]}" | median); TR=$(printf '%s\n' "${tr[@]}" | median)
QM=$(printf '%s\n' "${qm[@]}" | median); TM=$(printf '%s\n' "${tm[@]}" | median)
echo "qcdc report: median ${QR} ms (peak RSS $((qrss/1024)) MB); task summary: median ${TR} ms (peak RSS $((trss/1024)) MB); ratio $(awk -v a="$TR" -v b="$QR" 'BEGIN{printf "%.1f", a/(b>0?b:1)}')x"
echo "qcdc mark: median ${QM} ms; task N done: median ${TM} ms; ratio $(awk -v a="$TM" -v b="$QM" 'BEGIN{printf "%.1f", a/(b>0?b:1)}')x"
