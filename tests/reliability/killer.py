"""Run the real CLI in a subprocess and SIGKILL it after a chosen delay."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

CLI = Path(sys.executable).with_name("chainmatch")


@dataclass(frozen=True)
class Run:
    seconds: float
    killed: bool  # False: it had finished before the kill was due
    returncode: int


def cli_env(**extra: str) -> dict[str, str]:
    """The environment for a CLI run: this one, quiet, plus ``extra`` settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHAINMATCH_")}
    env.update(extra)
    env.setdefault("PYTHONHASHSEED", "0")
    return env


def run_cli(args: list[str], env: dict[str, str], kill_after: float | None = None) -> Run:
    """Run ``chainmatch args``; with ``kill_after``, SIGKILL it after that many seconds.

    Without ``kill_after`` the run must succeed (its stderr is in the error).
    """
    if kill_after is None:
        run, err = _run(args, env)
        if run.returncode != 0:
            raise AssertionError(f"chainmatch {' '.join(args)} failed ({run.returncode}): {err[-2000:]}")
        return run
    return _run(args, env, kill_after=kill_after)[0]


def _run(args: list[str], env: dict[str, str], *, trigger: Callable[[], bool] | None = None,
         kill_after: float | None = None, every: float = 0.001, timeout: float = 300.0) -> tuple[Run, str]:
    """Run ``chainmatch args``; SIGKILL it once ``trigger()`` turns true or ``kill_after`` seconds have passed
    since it started (checked every ``every`` s).

    Returns the run and its stderr (kept in a file, so a chatty child never blocks on a full pipe).
    """
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([str(CLI), *args], env=env, stdout=subprocess.DEVNULL, stderr=err)
        started = time.perf_counter()
        killed = False
        try:
            while proc.poll() is None:
                if time.perf_counter() - t0 > timeout:
                    raise subprocess.TimeoutExpired(proc.args, timeout)
                due = kill_after is not None and time.perf_counter() - started >= kill_after
                if due or (trigger is not None and trigger()):
                    proc.send_signal(signal.SIGKILL)
                    killed = True
                    break
                time.sleep(every)
            proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    return Run(time.perf_counter() - t0, killed, proc.returncode), text


def timeline(args: list[str], env: dict[str, str], probes: dict[str, Callable[[], bool]],
             every: float = 0.02) -> tuple[Run, dict[str, float]]:
    """Run ``chainmatch args`` to the end, noting when each probe first turns true (seconds from start)."""
    seen: dict[str, float] = {}
    done = threading.Event()
    t0 = time.perf_counter()

    def poll() -> None:
        while not done.is_set() and len(seen) < len(probes):
            for name, probe in probes.items():
                if name not in seen and probe():
                    seen[name] = time.perf_counter() - t0
            time.sleep(every)

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    try:
        run = run_cli(args, env)
    finally:
        done.set()
        watcher.join()
    return run, seen


def kill_when(args: list[str], env: dict[str, str], trigger: Callable[[], bool], every: float = 0.001,
              timeout: float = 300.0) -> Run:
    """Run ``chainmatch args`` and SIGKILL it the moment ``trigger()`` turns true (polled every ``every`` s)."""
    return _run(args, env, trigger=trigger, every=every, timeout=timeout)[0]


def kill_points(duration: float, trials: int, seed: int) -> list[float]:
    """Seeded delays spread uniformly over ``[0, duration]``: one per equal slice, jittered inside it.

    >>> pts = kill_points(10.0, 4, seed=1)
    >>> len(pts), all(2.5 * i <= p < 2.5 * (i + 1) for i, p in enumerate(pts))
    (4, True)
    """
    rng = random.Random(seed)
    return [duration * (i + rng.random()) / trials for i in range(trials)]


def calibrate(args: list[str], env: dict[str, str], probes: dict[str, Callable[[], bool]],
              reset: Callable[[], object]) -> tuple[Run, dict[str, float]]:
    """Time an uninterrupted run and when each probe turns true.

    One run with the probes (they poll, which slows the run a little) and one
    without; the quicker duration is used (the machine is shared and its load
    varies) and the probe times are scaled to it.
    """
    reset()
    probed, marks = timeline(args, env, probes)
    reset()
    plain = run_cli(args, env)
    best = min(plain, probed, key=lambda r: r.seconds)
    scale = best.seconds / probed.seconds
    return best, {k: v * scale for k, v in marks.items()}


def two_phase_delays(duration: float, phase_start: float, trials: int, seed: int) -> list[float]:
    """Half the kill delays spread over the whole run, half over ``[phase_start, duration]``.

    >>> d = two_phase_delays(10.0, 8.0, 4, seed=1)
    >>> d[0] < 5.0 <= d[1] < 10.0, all(8.0 <= x < 10.0 for x in d[2:])
    (True, True)
    """
    return (kill_points(duration, trials // 2, seed)
            + [phase_start + d for d in kill_points(duration - phase_start, trials - trials // 2, seed + 1)])


def fresh_copy(template: Path, target: Path) -> Path:
    """``target`` as a fresh copy of the ``template`` data directory."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(template, target)
    return target
