"""Build tests/data/schemaorg-vocab.json.gz: the schema.org vocabulary the JSON-LD test checks
our MediaReview/ClaimReview against, without the network (types and their parents, properties
and the types they accept, enumeration members).

Read from the typings of `schema-dts` (Google's TypeScript definitions generated from the
current schema.org release; `npm pack schema-dts@2.1.0`, file ``package/dist/schema.d.ts``),
which carry every type's parents, every property's expected types and every enumeration's
members. schema.org's vocabulary is CC BY-SA 3.0; schema-dts is Apache-2.0.

    python tests/data/make_schemaorg_vocab.py path/to/schema.d.ts
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from pathlib import Path

_INTERFACE = re.compile(r"^interface (\w+)Base(?: extends (.+))? \{$")
_PROPERTY = re.compile(r'^\s+"(\w+)"\?: SchemaValue<(.+), "\w+">;$')
_LEAF = re.compile(r'^export interface (\w+)Leaf extends (\w+)Base \{$')
_ALIAS = re.compile(r"^export type (\w+) = (.+);$")


def main(typings: str) -> None:
    types: dict[str, list[str]] = {}
    properties: dict[str, dict[str, set[str]]] = {}
    members: dict[str, list[str]] = {}
    current = None
    for line in Path(typings).read_text("utf-8").splitlines():
        interface = _INTERFACE.match(line)
        if interface:
            current = interface.group(1).lstrip("_")
            types[current] = [p.removesuffix("Base").lstrip("_") for p in
                              re.findall(r"\b(\w+Base)\b", interface.group(2) or "")]
            continue
        prop = _PROPERTY.match(line)
        if prop and current:
            entry = properties.setdefault(prop.group(1), {"domain": set(), "range": set()})
            entry["domain"].add(current)
            entry["range"].update(t.strip().lstrip("_") for t in prop.group(2).split("|")
                                  if t.strip() != "IdReference")
            continue
        if line.startswith("}"):
            current = None
        alias = _ALIAS.match(line)
        if alias:
            literals = re.findall(r'"(?:https://schema\.org/)?(\w+)"', alias.group(2))
            if literals:
                members[alias.group(1)] = sorted(set(literals))
            types.setdefault(alias.group(1).lstrip("_"), [])
    vocab = {"types": types, "members": members,
             "properties": {k: {"domain": sorted(v["domain"]), "range": sorted(v["range"])}
                            for k, v in properties.items()}}
    out = Path(__file__).with_name("schemaorg-vocab.json.gz")
    with gzip.open(out, "wt", encoding="utf-8") as handle:
        json.dump(vocab, handle, sort_keys=True, separators=(",", ":"))
    print(f"{out}: {len(types)} types, {len(properties)} properties, {len(members)} enumerations")


if __name__ == "__main__":
    main(sys.argv[1])
