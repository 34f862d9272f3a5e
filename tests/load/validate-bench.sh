#!/usr/bin/env bash
# Validation benchmark (issue #4): `kakehashi validate` against fhir.resources 6.4.0 on the same inputs.
# Usage (from the repository root): bash tests/load/validate-bench.sh
# The peer is fhir.resources 6.4.0, the last release whose top-level models are FHIR R4 (4.0.1), on
# pydantic 1.x (compiled), in a venv at $KAKEHASHI_BENCH_VENV (default ~/.cache/kakehashi/venv-bench) made
# from PyPI when missing; it runs tests/load/fhir_resources_peer.py (one process, one thread, parse and
# validation timed, file reading not). Our side is $KAKEHASHI_BIN, else target/release/kakehashi (built
# here, under CARGO_TARGET_DIR when set), run as `kakehashi validate --format json --bench --files-from LIST`,
# whose stderr ends with one JSON line {"files":N,"resources":R,"seconds":S,…} with the time of each phase.
# The table gives the library (JSON parse + validation: their phases in a `--no-typed` run on one thread,
# and a `--no-typed` run on every core, where large Bundles have their entries validated in parallel), and
# the command (adding fhirbolt's typed parse, the gate the store uses) on one thread and on every core.
# Inputs: (a) the 719 instance examples of the official R4 example package (every *.json but package.json
# and the conformance resources; fetched from npm by ../shared/scripts/fetch-fhir-r4-examples.sh when
# missing), (b) the same without the ten definition Bundles over 2 MB, and (c) the JP Core transaction
# Bundle of 100 patients, fixtures/fhir/bench/jp-core-transaction-100-patients.json (each side takes its
# fastest of KAKEHASHI_BENCH_BUNDLE_REPEAT runs, default 5). KAKEHASHI_BENCH_REPEAT (default 1) does the same
# for (a) and (b). Prints a Markdown table for BENCHMARKS.md. No network but PyPI and npm; every run is
# bounded by KAKEHASHI_BENCH_TIMEOUT seconds (default 900).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
venv=${KAKEHASHI_BENCH_VENV:-$HOME/.cache/kakehashi/venv-bench}
examples=$HOME/.cache/kakehashi/fhir-r4-examples
bundle=fixtures/fhir/bench/jp-core-transaction-100-patients.json
repeat=${KAKEHASHI_BENCH_REPEAT:-1}
bundle_repeat=${KAKEHASHI_BENCH_BUNDLE_REPEAT:-5}
limit=${KAKEHASHI_BENCH_TIMEOUT:-900}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The peer's venv: fhir.resources 6.4.0 needs pydantic 1.x (it imports pydantic 1's internals).
if ! "$venv/bin/python" -c 'import sys, fhir.resources as f; sys.exit(f.__version__ != "6.4.0")' 2>/dev/null; then
  echo "== making the peer's venv at $venv (fhir.resources 6.4.0 from PyPI)" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "fhir.resources==6.4.0" "pydantic[email]>=1.10,<2"
fi

if [[ ! -f $examples/package/package.json ]]; then
  fetch=$root/../shared/scripts/fetch-fhir-r4-examples.sh
  [[ -f $fetch ]] || { echo "missing $fetch (the shared folder beside the repository)" >&2; exit 1; }
  bash "$fetch" "$examples" >/dev/null
fi

if [[ -n ${KAKEHASHI_BIN:-} ]]; then
  bin=$KAKEHASHI_BIN
else
  cargo build --release -p kakehashi >/dev/null
  bin=${CARGO_TARGET_DIR:-$root/target}/release/kakehashi
fi
[[ -x $bin ]] || { echo "no kakehashi binary at $bin" >&2; exit 1; }

# The input lists: instance examples only, by resourceType (read from the file, not from its name).
python3 - "$examples/package" "$work/all.txt" "$work/small.txt" <<'PY'
import json, os, sys
folder, all_list, small_list = sys.argv[1:]
conformance = set(
    "StructureDefinition SearchParameter ValueSet CodeSystem ConceptMap OperationDefinition"
    " CapabilityStatement CompartmentDefinition ImplementationGuide NamingSystem StructureMap"
    " GraphDefinition MessageDefinition TerminologyCapabilities ExampleScenario".split()
)
big = {
    f"Bundle-{name}.json"
    for name in "resources dataelements valueset-expansions valuesets v3-valuesets v2-valuesets"
    " profiles-others extensions types searchParams".split()
}
instances = []
for name in sorted(os.listdir(folder)):
    if not name.endswith(".json") or name == "package.json":
        continue
    path = os.path.join(folder, name)
    with open(path, "rb") as file:
        if json.loads(file.read()).get("resourceType") not in conformance:
            instances.append(path)
with open(all_list, "w") as file:
    file.writelines(f"{path}\n" for path in instances)
with open(small_list, "w") as file:
    file.writelines(f"{path}\n" for path in instances if os.path.basename(path) not in big)
PY
echo "$(realpath "$bundle")" >"$work/bundle.txt"

# field FILE KEY: one key of a one-line JSON object.
field() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1])).get(sys.argv[2]); print("" if v is None else v)' "$1" "$2"; }

# peer NAME LIST REPEAT: the peer's summary line into $work/peer-NAME.json.
peer() {
  timeout "$limit" "$venv/bin/python" tests/load/fhir_resources_peer.py --files-from "$2" --repeat "$3" \
    >"$work/peer-$1.json"
}

# ours NAME LIST REPEAT THREADS [OPTION…]: the fastest of REPEAT runs' --bench lines into
# $work/ours-NAME.json, validating on THREADS threads (the peer uses one).
ours() {
  local run status name=$1 list=$2 runs=$3 threads=$4
  shift 4
  for run in $(seq "$runs"); do
    status=0
    RAYON_NUM_THREADS=$threads timeout "$limit" "$bin" validate --format json --bench "$@" --files-from "$list" \
      >"$work/ours-$name.out" 2>"$work/ours-$name.err" || status=$?
    # A non-zero status is expected when some input is invalid; a missing --bench line is not.
    python3 - "$work/ours-$name.err" "$work/ours-$name.json" "$status" <<'PY'
import json, os, sys
err, best_path, status = sys.argv[1:]
line = None
for text in open(err, encoding="utf-8", errors="replace"):
    text = text.strip()
    if text.startswith("{") and '"seconds"' in text:
        line = json.loads(text)
if line is None:
    sys.exit(f"kakehashi validate (exit {status}) printed no --bench line on stderr; see {err}")
best = json.load(open(best_path)) if os.path.exists(best_path) else None
if best is None or line["seconds"] < best["seconds"]:
    json.dump(line, open(best_path, "w"))
PY
  done
}

load=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== load average before the runs: $load (on $(nproc) cores; a busy machine lowers both sides' figures)" >&2
for name in all small bundle; do
  case $name in
    bundle) runs=$bundle_repeat ;;
    *) runs=$repeat ;;
  esac
  echo "== $name: fhir.resources" >&2
  peer "$name" "$work/$name.txt" "$runs"
  echo "== $name: kakehashi library (validation without the typed parse), 1 thread" >&2
  ours "$name-lib" "$work/$name.txt" "$runs" 1 --no-typed
  echo "== $name: kakehashi library, $(nproc) threads" >&2
  ours "$name-lib-all" "$work/$name.txt" "$runs" "$(nproc)" --no-typed
  echo "== $name: kakehashi, 1 thread" >&2
  ours "$name-1" "$work/$name.txt" "$runs" 1
  echo "== $name: kakehashi, $(nproc) threads" >&2
  ours "$name" "$work/$name.txt" "$runs" "$(nproc)"
done

# The table, the cross-check of the resource counts and the files the peer rejects.
python3 - "$work" "$load" <<'PY'
import json, os, sys
work, load = sys.argv[1:]
def read(path):
    with open(os.path.join(work, path)) as file:
        return json.load(file)
labels = {
    "all": "R4 examples: all 719 instances",
    "small": "R4 examples without the 10 definition Bundles > 2 MB",
    "bundle": "JP Core transaction Bundle, 100 patients",
}
peer_version = read("peer-all.json")["version"]
threads = read("ours-all.json").get("threads", "?")
print(f"| inputs | files | resources | MB | fhir.resources {peer_version} res/s | library, 1 thread res/s | ratio "
      f"| library, {threads} threads res/s | ratio "
      f"| command, 1 thread res/s | ratio | command, {threads} threads res/s | ratio |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
notes = []
for name, label in labels.items():
    peer, ours = read(f"peer-{name}.json"), read(f"ours-{name}.json")
    single = read(f"ours-{name}-1.json")
    peer_rate = peer["resources"] / peer["seconds"]
    rate = lambda run: run["resources"] / run["seconds"] if run["seconds"] > 0 else float("inf")
    cells = [label, peer["files"], f"{peer['resources']:,}", f"{peer['bytes'] / 1e6:.1f}"]
    if name == "bundle":
        cells.append(f"{peer_rate:,.0f} ({peer['seconds'] * 1e3:.1f} ms)")
    else:
        cells.append(f"{peer_rate:,.0f}")
    # The library: the JSON parse and the validation (their phases in a --no-typed run on one thread);
    # the command adds fhirbolt's typed parse, the gate the store uses.
    lib = read(f"ours-{name}-lib.json")
    library = {**lib, "seconds": lib["parse_seconds"] + lib["validate_seconds"]}
    # On every core: files in parallel, and the entries of large Bundles (wall clock, file reading out).
    library_all = read(f"ours-{name}-lib-all.json")
    for run in (library, library_all, single, ours):
        if name == "bundle":
            cells.append(f"{rate(run):,.0f} ({run['seconds'] * 1e3:.1f} ms)")
        else:
            cells.append(f"{rate(run):,.0f}")
        cells.append(f"**{rate(run) / peer_rate:.1f}×**")
    print("| " + " | ".join(str(cell) for cell in cells) + " |")
    if ours.get("resources") != peer["resources"] or ours.get("files") != peer["files"]:
        notes.append(
            f"- {name}: the sides counted differently: fhir.resources {peer['files']} files, "
            f"{peer['resources']} resources; kakehashi {ours.get('files')} files, {ours.get('resources')}."
        )
    if peer.get("resources_per_cpu_s"):
        notes.append(
            f"- {name}: fhir.resources on CPU time: {peer['resources_per_cpu_s']:,.0f} res/s "
            f"({peer['cpu_seconds']:.3f} s CPU for {peer['seconds']:.3f} s wall)."
        )
    for rejected in peer["invalid_files"] if name != "small" else []:
        notes.append(f"- {name}: fhir.resources rejects {rejected['file']}: {rejected['error']}")
    if name != "small" and peer["invalid"] > len(peer["invalid_files"]):
        notes.append(f"- {name}: … {peer['invalid']} rejected files in all.")
    if "invalid" in ours:
        notes.append(f"- {name}: kakehashi reports {ours['invalid']} invalid files.")
print()
print(f"Load average before the runs: {load}.")
print("\n".join(notes))
PY
