"""The peer side of the HL7 v2 benchmark (issue #5): python-hl7 (PyPI `hl7`) parsing SS-MIX2 messages.

Usage: python python_hl7_parse.py [--repeat N] FILE ...

Reads every file's bytes first (outside the clock), then times, in this one process and thread, what a
Python peer does with a message file: choose the character set as a real peer would (ISO-2022-JP when the
bytes hold an ESC, or when MSH-18 names ISO IR87 / ISO 2022-1994 and the bytes are not valid UTF-8; else
UTF-8), decode the bytes, unify the segment separators to CR (python-hl7 splits on CR only; the Acedia
corpus files use LF) and `hl7.parse(text)`. The whole pass over the files runs N times. python-hl7 parses
only: no mapping to FHIR, no escape decoding, no positions in errors. Prints one JSON line: the peer, its
version, the message count, the wall-clock and CPU seconds and messages/second.
"""

import argparse
import json
import sys
import time

import hl7

ESC = 0x1B


def charset(raw):
    """The Python codec a peer would pick for these bytes."""
    if ESC in raw:
        return "iso2022_jp"
    first = raw.split(b"\r", 1)[0].split(b"\n", 1)[0]
    fields = first.split(first[3:4]) if first.startswith(b"MSH") and len(first) > 3 else []
    msh18 = fields[17].decode("ascii", "replace").upper() if len(fields) > 17 else ""
    if "IR87" in msh18 or "2022" in msh18:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            return "iso2022_jp"
    return "utf-8"


def one_message(raw):
    text = raw.decode(charset(raw))
    text = text.replace("\r\n", "\r").replace("\n", "\r")
    return hl7.parse(text)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+")
    parser.add_argument("--repeat", type=int, default=1000, help="passes over every file")
    args = parser.parse_args(argv)
    inputs = []
    for path in args.files:
        with open(path, "rb") as file:
            inputs.append(file.read())
    # One untimed pass: imports of the codecs, and a parse failure shows before the clock starts.
    segments = sum(len(one_message(raw)) for raw in inputs)
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(args.repeat):
        for raw in inputs:
            one_message(raw)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    messages = len(inputs) * args.repeat
    print(
        json.dumps(
            {
                "peer": "python-hl7",
                "version": hl7.__version__,
                "python": sys.version.split()[0],
                "files": len(inputs),
                "segments_per_pass": segments,
                "messages": messages,
                "seconds": wall,
                "cpu_seconds": cpu,
                "messages_per_second": messages / wall,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1:])
