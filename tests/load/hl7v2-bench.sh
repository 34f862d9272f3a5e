#!/usr/bin/env bash
# HL7 v2 benchmark (issue #5): our parse + map to FHIR against python-hl7's parse, on the same message files.
# Usage (from the repository root): bash tests/load/hl7v2-bench.sh
# The peer is python-hl7 (PyPI `hl7`) in a venv at $KAKEHASHI_HL7_VENV (default ~/.cache/kakehashi/venv-hl7)
# made from PyPI when missing; it runs tests/load/peers/python_hl7_parse.py: per file the character set a
# real peer would pick (ISO-2022-JP by its ESC bytes or MSH-18, else UTF-8), decode, CR separators,
# `hl7.parse`, every file $KAKEHASHI_HL7_PEER_REPEAT times (default 300), one thread. Our side is
# mappings/examples/hl7v2_throughput.rs (release build, under CARGO_TARGET_DIR when set): charset decoding
# by MSH-18, `hl7v2::parse_bytes` and `v2_to_fhir::map_message` in process, every file
# $KAKEHASHI_HL7_REPEAT times (default 3000), on one thread and on a rayon pool of two. File reading is
# outside both clocks. Each side takes its fastest of $KAKEHASHI_BENCH_RUNS runs (default 3).
# Inputs: every message file under ../shared/corpora/ssmix2 (SS-MIX2 files in ISO-2022-JP, the Acedia
# debug/*.txt in UTF-8; not the .utf8.txt reading copies, readme.md, SOURCE.txt or .json), plus our own
# fixtures fixtures/hl7v2/ok/**/*.hl7 when there are any. Prints a Markdown table for BENCHMARKS.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
venv=${KAKEHASHI_HL7_VENV:-$HOME/.cache/kakehashi/venv-hl7}
peer_repeat=${KAKEHASHI_HL7_PEER_REPEAT:-300}
repeat=${KAKEHASHI_HL7_REPEAT:-3000}
runs=${KAKEHASHI_BENCH_RUNS:-3}
corpus=$root/../shared/corpora/ssmix2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! "$venv/bin/python" -c 'import hl7' 2>/dev/null; then
  echo "== making the peer's venv at $venv (hl7 from PyPI)" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check hl7
fi

cargo build --release -p kakehashi-mappings --example hl7v2_throughput >/dev/null
bin=${CARGO_TARGET_DIR:-$root/target}/release/examples/hl7v2_throughput
[[ -x $bin ]] || { echo "no benchmark binary at $bin" >&2; exit 1; }

[[ -d $corpus ]] || { echo "missing $corpus (the shared folder beside the repository)" >&2; exit 1; }
find "$corpus" -type f ! -name '*.utf8.txt' ! -name '*.json' ! -name '*.md' ! -name SOURCE.txt \
  | sort >"$work/corpus.txt"
: >"$work/fixtures.txt"
if [[ -d fixtures/hl7v2/ok ]]; then
  find "$root/fixtures/hl7v2/ok" -type f -name '*.hl7' | sort >"$work/fixtures.txt"
fi
cat "$work/corpus.txt" "$work/fixtures.txt" >"$work/all.txt"

# best FILE: keeps in $work/best-NAME.json the line of stdin with the highest messages_per_second.
best() {
  python3 -c '
import json, os, sys
path = sys.argv[1]
line = json.loads(sys.stdin.read().strip().splitlines()[-1])
old = json.load(open(path)) if os.path.exists(path) else None
if old is None or line["messages_per_second"] > old["messages_per_second"]:
    json.dump(line, open(path, "w"))
' "$1"
}

load=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== load average before the runs: $load (on $(nproc) cores)" >&2
sets="corpus all"
[[ -s $work/fixtures.txt ]] || sets="corpus"
for set in $sets; do
  mapfile -t files <"$work/$set.txt"
  for run in $(seq "$runs"); do
    echo "== $set ($run/$runs): python-hl7, ${#files[@]} files × $peer_repeat" >&2
    "$venv/bin/python" tests/load/peers/python_hl7_parse.py --repeat "$peer_repeat" "${files[@]}" \
      | best "$work/peer-$set.json"
    echo "== $set ($run/$runs): kakehashi parse + map, ${#files[@]} files × $repeat" >&2
    "$bin" --repeat "$repeat" --threads 2 "${files[@]}" | best "$work/ours-$set.json"
  done
done

python3 - "$work" "$load" "$sets" <<'PY'
import json, os, sys
work, load, sets = sys.argv[1], sys.argv[2], sys.argv[3].split()
labels = {"corpus": "SS-MIX2 corpus (ISO-2022-JP and UTF-8)", "all": "corpus + fixtures/hl7v2/ok"}
first = json.load(open(os.path.join(work, f"peer-{sets[0]}.json")))
print(f"| inputs | files | KB | python-hl7 {first['version']} parse msg/s | kakehashi parse+map, 1 thread msg/s "
      "| ratio | kakehashi, 2 threads msg/s | ratio | of which parse / map (1 thread) |")
print("|---|---|---|---|---|---|---|---|---|")
notes = []
for name in sets:
    peer = json.load(open(os.path.join(work, f"peer-{name}.json")))
    ours = json.load(open(os.path.join(work, f"ours-{name}.json")))
    p, o, o2 = peer["messages_per_second"], ours["messages_per_second"], ours["parallel_messages_per_second"]
    split = ours["parse_seconds"] / (ours["parse_seconds"] + ours["map_seconds"]) * 100
    print(f"| {labels[name]} | {ours['files']} | {ours['bytes'] / 1024:.1f} | {p:,.0f} | {o:,.0f} | **{o / p:.1f}×** "
          f"| {o2:,.0f} | {o2 / p:.1f}× | {split:.0f} % / {100 - split:.0f} % |")
    cpu_rate = peer["messages"] / peer["cpu_seconds"]
    notes.append(f"- {name}: python-hl7 on CPU time {cpu_rate:,.0f} msg/s ({peer['cpu_seconds']:.2f} s CPU for "
                 f"{peer['seconds']:.2f} s wall); kakehashi parse alone {ours['parse_messages_per_second']:,.0f} "
                 f"msg/s, map alone {ours['map_messages_per_second']:,.0f} msg/s; per pass "
                 f"{ours['resources_per_pass']} resources, {ours['parse_errors_per_pass']} parse errors, "
                 f"{ours['map_errors_per_pass']} map errors.")
print()
print(f"Load average before the runs: {load}.")
print("\n".join(notes))
PY
