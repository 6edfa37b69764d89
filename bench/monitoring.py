"""Benchmark of the monitoring module (issue 3), printing every figure with its target:

- import of a 1,000,000-row measurement CSV vs the raw insert of the same rows (≥ 50 %), peak memory (≤ 500 MB);
- dashboard median for 2,000 nodes, 1,000 indicators and 40 quarters of data (≤ 300 ms);
- PDF report for 10 axes and 200 indicators with charts (≤ 15 s).

Each part builds its own temporary SQLite database in a separate process, so one part's data
and memory do not distort another's. Run: `.venv/bin/python bench/monitoring.py [--rows N]`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PARTS = {
    "import": "monitoring_import.py",
    "dashboard": "monitoring_dashboard.py",
    "report": "monitoring_report.py",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=sorted(PARTS), action="append")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the import part")
    args = parser.parse_args()
    for name in args.only or list(PARTS):
        script = HERE / PARTS[name]
        extra = ["--rows", str(args.rows)] if name == "import" else []
        print(f"\n=== {name}: {script.name} {' '.join(extra)}", flush=True)
        result = subprocess.run([sys.executable, str(script), *extra], check=False)
        if result.returncode != 0:
            print(json.dumps({"part": name, "exit": result.returncode}))


if __name__ == "__main__":
    main()
