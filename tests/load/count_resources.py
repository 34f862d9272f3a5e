"""Counts the FHIR resources in one parsed JSON document, the way the validation benchmark counts them.

A document counts as its top-level resource plus every resource nested in it, recursively, in these places
only: `Bundle.entry[].resource`, `contained[]` of any resource, and `Parameters.parameter[].resource`
(with `parameter[].part[]`, which is a parameter too). A nested value counts when it is a JSON object with a
string `resourceType`. The Rust side of the benchmark counts the same way, so the two figures can be
compared; run this file with JSON files as arguments to print each count and the total.
"""

import json
import sys


def count_resources(value):
    """Returns the number of resources in `value` (a parsed JSON document), 0 if it is not a resource."""
    if not is_resource(value):
        return 0
    total = 1
    for contained in as_list(value.get("contained")):
        total += count_resources(contained)
    resource_type = value["resourceType"]
    if resource_type == "Bundle":
        for entry in as_list(value.get("entry")):
            if isinstance(entry, dict):
                total += count_resources(entry.get("resource"))
    elif resource_type == "Parameters":
        total += count_parameters(value.get("parameter"))
    return total


def count_parameters(parameters):
    """Counts the resources held by a list of `Parameters.parameter` (or `part`) elements."""
    total = 0
    for parameter in as_list(parameters):
        if isinstance(parameter, dict):
            total += count_resources(parameter.get("resource"))
            total += count_parameters(parameter.get("part"))
    return total


def is_resource(value):
    """Says whether `value` is a JSON object naming its resource type."""
    return isinstance(value, dict) and isinstance(value.get("resourceType"), str)


def as_list(value):
    """Returns `value` when it is a JSON array, else an empty list."""
    return value if isinstance(value, list) else []


def main(paths):
    total = 0
    for path in paths:
        with open(path, "rb") as file:
            count = count_resources(json.loads(file.read()))
        print(f"{count}\t{path}")
        total += count
    print(f"{total}\ttotal")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
