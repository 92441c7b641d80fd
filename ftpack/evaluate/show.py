"""``python -m ftpack.evaluate.show [EVIDENCE.json …]``: the verdict table of stored evaluations
(default: every ``user_data/evidence/*.json``), as ``ftpack-evaluate`` prints it after a run.
"""

import json
import sys
from pathlib import Path

from rich.console import Console

from ftpack.evaluate.cli import verdict_table


def main(argv: list[str] | None = None) -> None:
    paths = [Path(p) for p in (sys.argv[1:] if argv is None else argv)]
    paths = paths or sorted(Path("user_data/evidence").glob("*.json"))
    console = Console()
    if not paths:
        console.print("No stored evidence in user_data/evidence (run `make evaluate`).")
    for path in paths:
        doc = json.loads(path.read_text())
        console.print(f"Stored evidence {path} ({doc['evaluated_at']}, {doc['command']}):")
        console.print(verdict_table(doc, [path]))


if __name__ == "__main__":
    main()
