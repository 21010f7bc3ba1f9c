"""``python -m edsim``: the same as the ``edsim`` command."""

from edsim.cli import main

if __name__ == "__main__":
    main()
