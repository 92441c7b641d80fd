"""``python -m ftpack.evaluate``: the ``ftpack-evaluate`` command."""

from ftpack.evaluate.cli import main

if __name__ == "__main__":
    main()
