"""``python -m validator``: the capspec command line."""

from validator.cli import main

if __name__ == "__main__":
    main()
