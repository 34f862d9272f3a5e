"""The peer side of the validation benchmark: fhir.resources 6.4.0 (FHIR R4 4.0.1 models) on JSON files.

Usage: python fhir_resources_peer.py [--files-from LIST] [--repeat N] [FILE ...]

Reads every file's bytes first and imports every model module, then times, in this one process and
thread, only the parse and the validation: `json.loads` and `fhir.resources.construct_fhir_element(
resourceType, dict)` (which is `Model.parse_obj`, pydantic 1.x) for each file. fhir.resources 6.4.0 is the
last release whose top-level models are R4 (4.0.1); from 7.0 on the top level is R5. With `--repeat N` the
whole pass runs N times and the fastest pass is reported. Prints one JSON line: the peer, its version, the
counts (resources as counted by count_resources.py), the wall-clock seconds with the rates they give, the
CPU seconds of this process (the fairer figure on a busy machine), the seconds the imports took, and the
files it rejected (the first 20, with the first line of the exception and the first pydantic error).
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from count_resources import count_resources  # noqa: E402


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", help="JSON files to validate")
    parser.add_argument("--files-from", help="a file listing one JSON file per line")
    parser.add_argument("--repeat", type=int, default=1, help="passes to run; the fastest is reported")
    args = parser.parse_args(argv)
    paths = list(args.files)
    if args.files_from:
        with open(args.files_from, encoding="utf-8") as listing:
            paths.extend(line.strip() for line in listing if line.strip())
    if not paths:
        parser.error("no input files")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return paths, args.repeat


def describe(error):
    """Returns the first line of an exception, with the first pydantic error's location and message."""
    lines = str(error).splitlines()
    text = f"{type(error).__name__}: {lines[0] if lines else ''}"
    errors = getattr(error, "errors", None)
    if callable(errors):
        try:
            first = errors()[0]
            location = ".".join(str(part) for part in first.get("loc", ()))
            text += f" ({location}: {first.get('msg', '')})"
        except Exception:  # noqa: BLE001 (the description must never fail)
            pass
    return text


def one_pass(inputs, construct):
    """Parses and validates every input once; returns the wall and CPU seconds and the rejected files."""
    seconds = 0.0
    cpu_seconds = 0.0
    rejected = []
    clock = time.perf_counter
    cpu_clock = time.process_time
    for path, raw in inputs:
        start, cpu_start = clock(), cpu_clock()
        try:
            data = json.loads(raw)
            construct(data["resourceType"], data)
        except Exception as error:  # noqa: BLE001 (any failure is a rejection)
            rejected.append((path, error))
        seconds += clock() - start
        cpu_seconds += cpu_clock() - cpu_start
    return seconds, cpu_seconds, rejected


def rate(count, seconds):
    """Returns count per second, rounded, or None when no time was measured."""
    return round(count / seconds, 1) if seconds > 0 else None


def main(argv):
    paths, repeat = parse_args(argv)
    import fhir.resources
    import pydantic
    from fhir.resources import construct_fhir_element
    from fhir.resources.fhirtypesvalidators import MODEL_CLASSES, get_fhir_model_class

    inputs = []
    for path in paths:
        with open(path, "rb") as file:
            inputs.append((path, file.read()))
    resources = 0
    for path, raw in inputs:
        try:
            resources += count_resources(json.loads(raw))
        except ValueError:
            pass

    # fhir.resources imports each model's module on its first use; import them all before timing, so that
    # the figures leave out this start-up cost (reported apart), as they leave out file reading.
    start = time.perf_counter()
    for name in list(MODEL_CLASSES):
        get_fhir_model_class(name)
    import_seconds = time.perf_counter() - start
    best = None
    rejected = []
    for _ in range(repeat):
        seconds, cpu_seconds, rejected = one_pass(inputs, construct_fhir_element)
        if best is None or seconds < best[0]:
            best = (seconds, cpu_seconds)
    seconds, cpu_seconds = best

    summary = {
        "peer": "fhir.resources",
        "version": fhir.resources.__version__,
        "fhir_version": fhir.resources.__fhir_version__,
        "pydantic": f"{pydantic.VERSION}{' compiled' if getattr(pydantic, 'compiled', False) else ''}",
        "python": sys.version.split()[0],
        "files": len(inputs),
        "resources": resources,
        "bytes": sum(len(raw) for _, raw in inputs),
        "seconds": round(seconds, 6),
        "cpu_seconds": round(cpu_seconds, 6),
        "passes": repeat,
        "import_seconds": round(import_seconds, 3),
        "resources_per_s": rate(resources, seconds),
        "files_per_s": rate(len(inputs), seconds),
        "resources_per_cpu_s": rate(resources, cpu_seconds),
        "invalid": len(rejected),
        "invalid_files": [
            {"file": os.path.basename(path), "error": describe(error)} for path, error in rejected[:20]
        ],
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
