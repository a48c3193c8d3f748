#!/usr/bin/env python3
"""Regenerate src/data/aws-regions.txt from botocore's endpoint data.

Source: the `botocore` wheel on PyPI ships `botocore/data/endpoints.json`,
which lists every AWS partition (aws, aws-cn, aws-us-gov, the ISO
partitions, ...) and, under each partition's `regions` key, the real region
codes of that partition. This script downloads the wheel with
`pip download botocore --no-deps` into a temporary directory, reads that file
straight out of the wheel (a zip archive) and writes one region code per line,
sorted, with a comment header naming the botocore version.

Usage (from the repository root, or anywhere):

    python3 src/data/update_aws_regions.py            # latest botocore
    python3 src/data/update_aws_regions.py 1.35.0     # a pinned version

Standard library only, plus a `pip` able to reach PyPI.
"""

import json
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parent / "aws-regions.txt"
ENDPOINTS = "botocore/data/endpoints.json"
# Region codes look like us-east-1, eu-central-2, us-gov-west-1, us-isob-east-1,
# eusc-de-east-1.
REGION_RE = re.compile(r"^[a-z]{2,}(-[a-z]+)+-\d+$")


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


def main() -> None:
    version = sys.argv[1] if len(sys.argv) > 1 else None
    with tempfile.TemporaryDirectory() as d:
        wheel = download_wheel(Path(d), version)
        # botocore-1.35.0-py3-none-any.whl -> 1.35.0
        wheel_version = wheel.name.split("-")[1]
        with zipfile.ZipFile(wheel) as zf:
            data = json.loads(zf.read(ENDPOINTS))

    regions: set[str] = set()
    partitions: list[str] = []
    for partition in data["partitions"]:
        partitions.append(partition["partition"])
        for code in partition.get("regions", {}):
            if not REGION_RE.match(code):
                sys.exit(f"unexpected region code {code!r} in partition "
                         f"{partition['partition']!r}")
            regions.add(code)

    if len(regions) < 20:
        sys.exit(f"only {len(regions)} regions found; refusing to write")

    header = [
        "# AWS region codes, one per line, sorted; all partitions.",
        f"# Source: botocore {wheel_version}, {ENDPOINTS}",
        "#   (the `regions` keys of every partition: "
        + ", ".join(partitions) + ")",
        "# Regenerate: python3 src/data/update_aws_regions.py [BOTOCORE_VERSION]",
        "# Do not edit by hand.",
    ]
    OUT.write_text("\n".join(header + sorted(regions)) + "\n", encoding="utf-8")
    print(f"wrote {len(regions)} regions from botocore {wheel_version} "
          f"({len(partitions)} partitions) to {OUT}")


if __name__ == "__main__":
    main()
