"""`python -m markwatch.cli`: the same command as the `markwatch` console script.

Sweeps started by the API and the scheduler run this way, with the running interpreter, so they never
depend on a `markwatch` script being found on PATH (systemd units, `.venv/bin/markwatch serve`)."""

from markwatch.cli import main

if __name__ == "__main__":
    main()
