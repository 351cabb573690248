#!/usr/bin/env bash
# Side-by-side: SPIN and the NatVerify engine on the same reference-model variants (docs/performance.md).
#
#   scripts/compare-spin.sh                      # default variants
#   scripts/compare-spin.sh N8_K8_nd N6_K16_nd   # chosen variants (names as in tests/NatVerify.Reference/RefVariant.cs)
#   scripts/compare-spin.sh --all                # the 60 Table-A variants (N=2..6) plus N=7,8 with K=4,8
#
# For each variant, in one run on this machine, pinned to one core (taskset -c 1):
#   SPIN:  natverify-bench promela V > m.pml; spin -a m.pml; gcc -O2 -DSAFETY -DMEMLIM=16384 [-DNOREDUCE] pan.c;
#          /usr/bin/time ./pan -wW   (W sized so the hash table is at most half full)
#   ours:  /usr/bin/time natverify-bench compare V --reduce none|por+sym   (one process per run, JIT included)
# and prints states, transitions, wall time, states/s, peak RSS and bytes per state for both, with ratios.
# It fails if SPIN's -DNOREDUCE "states, stored" differs from our unreduced count.
# Environment: ARTIFACTS (build output, default /tmp/nv-compare), CPU (core to pin, default 1), KEEP=1 keeps the work dir.
set -euo pipefail
cd "$(dirname "$0")/.."

default_variants=(N6_K16_det N6_K16_nd_inj N7_K16_nd N8_K8_det N8_K8_nd)
variants=()
for arg in "$@"; do
  case "$arg" in
    --all)
      for n in 2 3 4 5 6; do for k in 4 8 16; do for c in det nd; do for i in "" _inj; do variants+=("N${n}_K${k}_${c}${i}"); done; done; done; done
      for n in 7 8; do for k in 4 8; do for c in det nd; do variants+=("N${n}_K${k}_${c}"); done; done; done
      variants+=(N7_K16_det N7_K16_nd N8_K16_det)
      ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    -*) echo "compare-spin: unknown option $arg" >&2; exit 2 ;;
    *) variants+=("$arg") ;;
  esac
done
[ "${#variants[@]}" -gt 0 ] || variants=("${default_variants[@]}")

need=()
command -v spin >/dev/null 2>&1 || need+=(spin)
command -v gcc >/dev/null 2>&1 || need+=(gcc)
[ -x /usr/bin/time ] || need+=(time)
command -v taskset >/dev/null 2>&1 || need+=(util-linux)
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "compare-spin: please install ${need[*]}" >&2; exit 2; fi
  echo "compare-spin: installing ${need[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

artifacts="${ARTIFACTS:-/tmp/nv-compare}"
cpu="${CPU:-1}"
echo "compare-spin: building tests/NatVerify.Benchmarks (Release) into $artifacts" >&2
dotnet build tests/NatVerify.Benchmarks -c Release --artifacts-path "$artifacts" -v quiet -nologo >&2
bench="$artifacts/bin/NatVerify.Benchmarks/release/natverify-bench"

work="$(mktemp -d /tmp/nv-spin-XXXXXX)"
if [ "${KEEP:-0}" != 1 ]; then trap 'rm -rf "$work"' EXIT; fi
results="$work/results.jsonl"
: > "$results"

echo "compare-spin: $(spin -V 2>&1 | head -1); $(gcc --version | head -1); $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2

# Runs a command pinned to one core under /usr/bin/time; prints "WALL_S MAXRSS_KB CPU_S" (CPU = user + system).
timed() {
  local out="$1"; shift
  /usr/bin/time -f "__TIME__ %e %M %U %S" -o "$out.time" taskset -c "$cpu" "$@" > "$out" 2> "$out.err" || true
  tail -1 "$out.time" | sed 's/^__TIME__ //' | awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }'
}

for v in "${variants[@]}"; do
  dir="$work/$v"
  mkdir -p "$dir"
  echo "compare-spin: $v" >&2

  # Ours first: its unreduced count sizes SPIN's hash table.
  for reduce in none por+sym; do
    read -r wall rss cpu_s < <(timed "$dir/ours-$reduce.json" "$bench" compare "$v" --reduce "$reduce")
    python3 - "$dir/ours-$reduce.json" "$wall" "$rss" "$reduce" "$cpu_s" >> "$results" <<'PY'
import json, sys
d = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
d.update(wall_s=float(sys.argv[2]), maxrss_kb=int(sys.argv[3]), mode=sys.argv[4], cpu_s=float(sys.argv[5]))
print(json.dumps(d))
PY
  done
  states=$(python3 -c "import json,sys; print(json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])['states'])" "$dir/ours-none.json")
  w=$(python3 -c "import math,sys; print(max(18, math.ceil(math.log2(max(2, int(sys.argv[1])))) + 1))" "$states")

  "$bench" promela "$v" > "$dir/m.pml"
  for mode in NOREDUCE POR; do
    mdir="$dir/$mode"
    mkdir -p "$mdir"
    cp "$dir/m.pml" "$mdir/m.pml"
    flag=""
    [ "$mode" = NOREDUCE ] && flag="-DNOREDUCE"
    ( cd "$mdir" && spin -a m.pml >/dev/null && gcc -O2 -DSAFETY -DMEMLIM=16384 $flag -o pan pan.c 2> gcc.err )
    read -r wall rss cpu_s < <(cd "$mdir" && timed "$mdir/pan.out" ./pan -m100000 "-w$w")
    python3 - "$mdir/pan.out" "$wall" "$rss" "$mode" "$v" "$w" "$cpu_s" >> "$results" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
def num(pattern, cast=float, default=None):
    m = re.search(pattern, text)
    return cast(m.group(1)) if m else default
d = dict(tool="spin", model=sys.argv[5], mode=sys.argv[4], w=int(sys.argv[6]),
         states=num(r"([0-9.e+]+) states, stored", lambda s: int(float(s))),
         transitions=num(r"([0-9.e+]+) transitions \(", lambda s: int(float(s))),
         errors=num(r"errors: ([0-9]+)", int),
         depth=num(r"depth reached ([0-9]+)", int),
         states_mb=num(r"([0-9.]+)\s+actual memory usage for states"),
         total_mb=num(r"([0-9.]+)\s+total actual memory usage"),
         pan_elapsed=num(r"elapsed time ([0-9.e+-]+) seconds"),
         wall_s=float(sys.argv[2]), maxrss_kb=int(sys.argv[3]), cpu_s=float(sys.argv[7]))
print(json.dumps(d))
PY
  done
done

python3 - "$results" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
by = {}
for r in rows:
    by.setdefault(r["model"], {})[(r["tool"], r["mode"])] = r
def rate(r): return r["states"] / r["wall_s"] if r["wall_s"] > 0 else float("inf")
def cpu_rate(r): return r["states"] / r["cpu_s"] if r["cpu_s"] > 0 else float("inf")
def bps(r): return r["maxrss_kb"] * 1024 / r["states"] if r["states"] else 0
bad = 0
print()
print("Unreduced (SPIN -DNOREDUCE vs natverify --reduce none), pinned to one core:")
print(f"{'variant':<14} {'states':>11} {'edges':>11} {'SPIN trans':>11} {'SPIN s':>7} {'ours s':>7} {'SPIN st/s':>10} {'ours st/s':>10} {'ratio':>6} "
      f"{'SPIN cpu':>8} {'ours cpu':>8} {'cpu ratio':>9} {'SPIN MB':>8} {'ours MB':>8} {'SPIN B/st':>9} {'ours B/st':>9} {'eng B/st':>8}")
for m, d in by.items():
    s, o = d.get(("spin", "NOREDUCE")), d.get(("natverify", "none"))
    if not s or not o: continue
    if s["states"] != o["states"]:
        bad += 1
        print(f"MISMATCH {m}: SPIN -DNOREDUCE stored {s['states']} but natverify {o['states']}")
    print(f"{m:<14} {o['states']:>11,} {o['transitions']:>11,} {s['transitions']:>11,} {s['wall_s']:>7.2f} {o['wall_s']:>7.2f} "
          f"{rate(s):>10,.0f} {rate(o):>10,.0f} {rate(o)/rate(s):>6.2f} {s['cpu_s']:>8.2f} {o['cpu_s']:>8.2f} {cpu_rate(o)/cpu_rate(s):>9.2f} "
          f"{s['maxrss_kb']/1024:>8.0f} {o['maxrss_kb']/1024:>8.0f} {bps(s):>9.1f} {bps(o):>9.1f} {o['engine_bytes_per_state']:>8.1f}")
print()
print("Reduced (SPIN default POR vs natverify --reduce por+sym):")
print(f"{'variant':<14} {'SPIN states':>12} {'ours states':>12} {'fewer x':>8} {'SPIN trans':>11} {'ours trans':>11} {'SPIN s':>7} {'ours s':>7} {'verdicts':>9}")
for m, d in by.items():
    s, o, su, ou = d.get(("spin", "POR")), d.get(("natverify", "por+sym")), d.get(("spin", "NOREDUCE")), d.get(("natverify", "none"))
    if not s or not o: continue
    spin_ok = "holds" if (s["errors"] or 0) == 0 else "violated"
    same = spin_ok == o["verdict"] == ou["verdict"] == ("holds" if (su["errors"] or 0) == 0 else "violated")
    bad += 0 if same else 1
    print(f"{m:<14} {s['states']:>12,} {o['states']:>12,} {s['states']/max(1,o['states']):>8.2f} {s['transitions']:>11,} {o['transitions']:>11,} "
          f"{s['wall_s']:>7.2f} {o['wall_s']:>7.2f} {'same' if same else 'DIFFER':>9}")
print()
print("st/s = stored states / process wall time (SPIN: ./pan including its hash-table set-up; ours: the whole .NET process")
print("including start-up and JIT). cpu = user + system seconds of that process; cpu ratio = ours/SPIN in states per CPU")
print("second, the fairer figure when other work shares the core. B/st = peak RSS / stored states; eng B/st = our fingerprint")
print("table + parent links + peak frontier, per state. SPIN trans (-DNOREDUCE) = edges + terminal states + 1 (never-claim stutter).")
sys.exit(1 if bad else 0)
PY
