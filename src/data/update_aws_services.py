#!/usr/bin/env python3
"""Regenerate src/data/aws-services.txt from botocore's service models.

Source: the `botocore` wheel on PyPI ships one API model per AWS service,
`botocore/data/SERVICE/API-VERSION/service-2.json` (gzip-compressed as
`service-2.json.gz` in recent wheels). Each model's `metadata` holds the
service's full name (`serviceFullName`, e.g. "AWS Key Management Service") and
often a short name (`serviceAbbreviation`, e.g. "KMS"). This script downloads
the wheel with `pip download botocore --no-deps` into a temporary directory,
reads the newest API version of every service straight out of the wheel (a zip
archive) and writes one line per service:

    ID: NAME | NAME | ...

ID is botocore's service directory name (`kms`), the first NAME is the
`serviceFullName` exactly as botocore writes it, and the others are names
derived from the metadata, because partners write the short forms:

- the abbreviation with the full name's "Amazon"/"AWS" prefix
  ("KMS" -> "AWS KMS", "SageMaker" -> "Amazon SageMaker"); abbreviations that
  are all lower case or glued to the prefix ("AWSAppSync") are SDK identifiers,
  not names, and are skipped;
- the full name without a trailing " Service" when what remains is the
  service id ("Amazon SageMaker Service" -> "Amazon SageMaker", but not
  "Amazon Simple Storage Service" -> "Amazon Simple Storage").

Names AWS markets that no API model carries (a renamed product such as
"Amazon Data Firehose") are kept by hand in src/data/aws-service-aliases.txt.

Usage (from the repository root, or anywhere):

    python3 src/data/update_aws_services.py            # latest botocore
    python3 src/data/update_aws_services.py 1.44.8     # a pinned version

Standard library only, plus a `pip` able to reach PyPI.
"""

import gzip
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parent / "aws-services.txt"
MODEL_RE = re.compile(r"^botocore/data/([a-z0-9-]+)/([0-9-]+)/service-2\.json(\.gz)?$")
PREFIXES = ("Amazon ", "AWS ")


def download_wheel(tmp: Path, version: str | None) -> Path:
    spec = f"botocore=={version}" if version else "botocore"
    subprocess.run(
        [sys.executable, "-m", "pip", "download", spec, "--no-deps",
         "--only-binary", ":all:", "--dest", str(tmp), "--quiet"],
        check=True,
    )
    wheels = sorted(tmp.glob("botocore-*.whl"))
    if len(wheels) != 1:
        sys.exit(f"expected one botocore wheel in {tmp}, found {wheels}")
    return wheels[0]


def clean(name: str) -> str:
    return " ".join(name.split())


def names_for(metadata: dict) -> list[str]:
    full = clean(metadata.get("serviceFullName") or "")
    if not full:
        return []
    names = [full]
    prefix = next((p for p in PREFIXES if full.startswith(p)), "")

    abbrev = clean(metadata.get("serviceAbbreviation") or "")
    glued = re.match(r"^(AWS|Amazon)[A-Z]", abbrev)
    if abbrev and not glued and abbrev != abbrev.lower():
        if not abbrev.startswith(PREFIXES):
            abbrev = prefix + abbrev
        names.append(abbrev)

    service_id = clean(metadata.get("serviceId") or "")
    if prefix and full.endswith(" Service"):
        core = full[len(prefix):-len(" Service")]
        if core.lower() == service_id.lower():
            names.append(prefix + core)

    unique: list[str] = []
    for n in names:
        if "|" in n:
            sys.exit(f"unexpected character in service name {n!r}")
        if n not in unique:
            unique.append(n)
    return unique


def main() -> None:
    version = sys.argv[1] if len(sys.argv) > 1 else None
    services: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory() as d:
        wheel = download_wheel(Path(d), version)
        # botocore-1.44.8-py3-none-any.whl -> 1.44.8
        wheel_version = wheel.name.split("-")[1]
        with zipfile.ZipFile(wheel) as zf:
            newest: dict[str, tuple[str, str]] = {}
            for member in zf.namelist():
                m = MODEL_RE.match(member)
                if m and (m.group(1) not in newest or m.group(2) > newest[m.group(1)][0]):
                    newest[m.group(1)] = (m.group(2), member)
            for service, (_, member) in sorted(newest.items()):
                raw = zf.read(member)
                if member.endswith(".gz"):
                    raw = gzip.decompress(raw)
                names = names_for(json.loads(raw).get("metadata", {}))
                if names:
                    services[service] = names

    if len(services) < 200:
        sys.exit(f"only {len(services)} services found; refusing to write")

    header = [
        "# AWS service names, one service per line: ID: FULL NAME | OTHER NAMES.",
        f"# Source: botocore {wheel_version}, botocore/data/*/*/service-2.json metadata",
        "#   (serviceFullName, then the serviceAbbreviation with the Amazon/AWS prefix,",
        "#   then the full name without a trailing \" Service\" where that is the service id).",
        "# Names that no API model carries: src/data/aws-service-aliases.txt (kept by hand).",
        "# Regenerate: python3 src/data/update_aws_services.py [BOTOCORE_VERSION]",
        "# Do not edit by hand.",
    ]
    lines = [f"{sid}: {' | '.join(names)}" for sid, names in sorted(services.items())]
    OUT.write_text("\n".join(header + lines) + "\n", encoding="utf-8")
    print(f"wrote {len(services)} services from botocore {wheel_version} to {OUT}")


if __name__ == "__main__":
    main()
