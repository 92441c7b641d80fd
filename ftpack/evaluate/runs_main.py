"""``python -m ftpack.evaluate.runs_main TASK.pickle RESULT.pickle``: one fold in this process
(how a Dask worker runs a fold in a fresh process; see ``parallel``).
"""

import pickle
import sys
from pathlib import Path

from ftpack.evaluate.runs import run_fold_quietly


def main() -> None:
    task_file, result_file = (Path(arg) for arg in sys.argv[1:3])
    result = run_fold_quietly(pickle.loads(task_file.read_bytes()))
    result_file.write_bytes(pickle.dumps(result))


if __name__ == "__main__":
    main()
