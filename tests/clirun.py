"""Run ``chainmatch`` in-process as a user would (through :func:`api.cli.main.main`, so errors become exit codes).

>>> callable(run_main)
True
"""

from __future__ import annotations

__all__ = ["run_main"]


def run_main(capsys, *argv, code: int = 0):
    """``chainmatch ARGV``: assert the exit code, return the captured ``(out, err)``."""
    from api.cli.main import main

    try:
        main([str(a) for a in argv])
    except SystemExit as e:
        assert e.code == code, capsys.readouterr()
    else:
        assert code == 0, "exited 0"
    return capsys.readouterr()
