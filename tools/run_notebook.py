"""Execute a notebook's code cells headless in IPython and stop at the first error.

    .venv/bin/python tools/run_notebook.py notebooks/exploration.ipynb

Why not nbclient: the project already has IPython (Kedro's extension needs it); a kernel
and its messaging stack would be more dependencies for the same check. Magics work, plots
go to the non-interactive Agg backend, the notebook file is not modified. Kedro's extension
finds the project from the working directory: started elsewhere, the tool runs itself again in
a child process started in the project root (it never changes its own working directory).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write(__doc__)
        return 2
    notebook = Path(argv[0]).resolve()
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ.setdefault("KEDRO_DISABLE_TELEMETRY", "true")
    if Path.cwd().resolve() != PROJECT:
        return subprocess.call([sys.executable, __file__, str(notebook)], cwd=PROJECT)
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    cells = [c for c in json.loads(notebook.read_text(encoding="utf-8"))["cells"]
             if c["cell_type"] == "code"]
    for number, cell in enumerate(cells, start=1):
        source = "".join(cell["source"])
        sys.stdout.write(f"--- cell {number}/{len(cells)}\n")
        sys.stdout.flush()
        result = shell.run_cell(source, store_history=True)
        if not result.success:
            sys.stderr.write(f"{notebook.name}: cell {number} failed:\n{source}\n")
            return 1
    sys.stdout.write(f"{notebook.name}: {len(cells)} cells ran\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
