"""kill -9 during a landing (a move into or out of 投产): never the site without its stage, or the stage without
its site, once the book is opened again.

A move into 投产 writes two databases (the workspace and the graph store;
:mod:`matching.projects.landing`). A child process moves a project and
SIGKILLs itself at each point of the write (:data:`tests.projects.crashchild.POINTS`):
inside the transaction that records the intent, after the intent committed,
after the graph committed the site, inside the last workspace transaction,
and after the end. Right after the kill the two stores may disagree only
while the intent row is there; opening the book (what every command and
request does) replays it, and then both hold exactly the old state (A) or
exactly the new one (B): the store's every row (the snapshot of the import
crash tests) and the project's stage, version and history. Both directions
are tried: landing (签约 → 投产) and leaving (投产 → 到资, the site removed;
marked slow: 12 child processes each take ~30 s on a busy machine).

A server restarted after the kill settles the intent at start
(:func:`api.app.settle_landings`): the last test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.projects.conftest import FIRM, NANSHAN, OWNER, SEGMENT, SZ
from tests.projects.crashchild import POINTS
from tests.reliability.snapshot import integrity, snapshot

ROOT = Path(__file__).resolve().parents[2]
MOVES = {"land": (1, "投产"), "unland": (2, "到资")}


def _open(data_dir: Path):
    from graph.settings import Settings
    from graph.store.sqlite import SqliteStore
    from matching.engines import Engines
    from matching.workspace import Workspace

    engines = Engines(Settings(_env_file=None, data_dir=data_dir, embedding_model="hashing:64"))
    return engines, SqliteStore.open(data_dir / "store.sqlite"), Workspace.open(data_dir / "workspace.sqlite")


@pytest.fixture(scope="module")
def template(tmp_path_factory, world_store_file):
    """Project 1 (the ideal target in 南山区, R&D centre) at 签约; project 2 at 投产 (its site written)."""
    d = tmp_path_factory.mktemp("crash-landing") / "template"
    d.mkdir()
    shutil.copy(world_store_file, d / "store.sqlite")
    engines, store, ws = _open(d)
    with store, ws:
        book = engines.projects(store, ws)
        p1 = book.create(FIRM, NANSHAN, SEGMENT, owner=OWNER, form="rd_centre", stage="签约", planned=5000)
        p2 = book.create("org:f0140", SZ, SEGMENT, owner=OWNER, form="production_base", stage="到资")
        book.move(p2.id, "投产")
        assert (p1.id, p2.id) == (1, 2)
    return d


def _ws_state(data_dir: Path, project: int) -> tuple:
    """(stage, version, history rows) of the project and the pending intents, read raw (no replay)."""
    import sqlite3

    conn = sqlite3.connect(data_dir / "workspace.sqlite")
    try:
        stage, version = conn.execute("SELECT stage, version FROM projects WHERE id = ?", (project,)).fetchone()
        events = conn.execute("SELECT COUNT(*) FROM project_events WHERE project_id = ?", (project,)).fetchone()[0]
        intents = conn.execute("SELECT COUNT(*) FROM project_intents").fetchone()[0]
    finally:
        conn.close()
    return (stage, version, events), intents


def _child(data_dir: Path, project: int, stage: str, point: str) -> int:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHAINMATCH_")}
    env["PYTHONPATH"] = str(ROOT)
    proc = subprocess.run([sys.executable, "-m", "tests.projects.crashchild", str(data_dir), str(project), stage,
                           point], cwd=ROOT, env=env, capture_output=True, timeout=300)
    return proc.returncode


@pytest.mark.parametrize("op", [pytest.param("land"), pytest.param("unland", marks=pytest.mark.slow)])
def test_kill_at_every_point_of_a_landing_leaves_old_or_new_state(template, tmp_path, op):
    project, stage = MOVES[op]
    store_a, (ws_a, _) = snapshot(template / "store.sqlite"), _ws_state(template, project)
    # B: the move uninterrupted (the child kills itself only after it finished)
    full = tmp_path / "full"
    shutil.copytree(template, full)
    assert _child(full, project, stage, "none") == -9
    store_b, (ws_b, intents) = snapshot(full / "store.sqlite"), _ws_state(full, project)
    assert intents == 0 and store_b != store_a and ws_b[0] != ws_a[0] and ws_b[1] == ws_a[1] + 1
    seen = {}

    def which(snap) -> str | None:
        return "A" if snap == store_a else "B" if snap == store_b else None

    for point in POINTS:
        d = tmp_path / point
        shutil.copytree(template, d)
        assert _child(d, project, stage, point) == -9, point  # killed by SIGKILL, not exited
        assert integrity(d / "store.sqlite") == "ok" and integrity(d / "workspace.sqlite") == "ok"
        raw_store = which(snapshot(d / "store.sqlite"))
        ws, intents = _ws_state(d, project)
        raw_ws = {ws_a: "A", ws_b: "B"}.get(ws)
        assert raw_store and raw_ws, f"{point}: a mix: store {raw_store}, workspace {ws}"
        # before the replay the two stores may disagree only while the intent says so
        assert raw_store == raw_ws or intents == 1, f"{point}: store {raw_store}, workspace {raw_ws}, no intent"
        engines, store, wsp = _open(d)  # what every command and request does first
        with store, wsp:
            book = engines.projects(store, wsp)
            p = book.get(project)
            from matching.projects.landing import has_site

            assert has_site(store.organisation(p.org), p.region, p.form) == (p.stage == "operating"), point
            assert not p.pending
        after_store = which(snapshot(d / "store.sqlite"))
        after_ws, intents = _ws_state(d, project)
        after = {ws_a: "A", ws_b: "B"}.get(after_ws)
        assert intents == 0 and after_store == after and after in ("A", "B"), f"{point}: {after_store} / {after}"
        seen[point] = (raw_store, raw_ws, after)
        shutil.rmtree(d)
    # each point left what it should: nothing before the intent committed; replayed forward after it
    assert seen == {"in_intent_txn": ("A", "A", "A"), "after_intent": ("A", "A", "B"),
                    "after_store_write": ("B", "A", "B"), "in_final_txn": ("B", "A", "B"),
                    "none": ("B", "B", "B")}, seen


def test_a_restarted_server_settles_an_interrupted_landing(template, tmp_path):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from tests.api.conftest import start

    d = tmp_path / "server"
    shutil.copytree(template, d)
    assert _child(d, 1, "投产", "after_store_write") == -9
    assert _ws_state(d, 1) == (("signed", 1, 1), 1)  # the site is in the graph, the stage not yet
    settings, tokens = start(d)
    with TestClient(create_app(settings)) as client:  # the lifespan replays before the first request
        assert _ws_state(d, 1) == (("operating", 2, 2), 0)
        got = client.get("/projects/1", headers={"Authorization": f"Bearer {tokens['viewer']}"}).json()
    assert (got["stage"], got["pending"]) == ("operating", False)


def _intents(data_dir: Path) -> int:
    """Pending intents as another reader sees them (0 while unreadable)."""
    import sqlite3

    try:
        conn = sqlite3.connect(f"file:{data_dir / 'workspace.sqlite'}?mode=ro", uri=True, timeout=0.05)
        try:
            return int(conn.execute("SELECT COUNT(*) FROM project_intents").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


@pytest.mark.slow
def test_kill_the_real_cli_during_a_landing(template, tmp_path):
    """As the import crash tests do: the real ``chainmatch projects move 1 投产`` SIGKILLed at seeded delays over
    its whole run, and the moment its intent row appears; every trial ends in A or B after the replay."""
    from collections import Counter

    from tests.reliability.killer import (
        calibrate,
        cli_env,
        fresh_copy,
        kill_points,
        kill_when,
        run_cli,
    )

    env = cli_env(PYTHONPATH=str(ROOT), CHAINMATCH_EMBEDDING_MODEL="hashing:64")

    def cmd(d: Path) -> list[str]:
        return ["projects", "move", "1", "投产", "--actual", "300", "--data-dir", str(d), "--json"]

    calib = tmp_path / "calibrate"
    full, marks = calibrate(cmd(calib), env, {"intent": lambda: _intents(calib) > 0},
                            lambda: fresh_copy(template, calib))
    store_a, (ws_a, _) = snapshot(template / "store.sqlite"), _ws_state(template, 1)
    store_b, (ws_b, _) = snapshot(calib / "store.sqlite"), _ws_state(calib, 1)
    assert ws_b[0] == "operating" and store_b != store_a

    def state(d: Path) -> tuple:
        """("A" | "B" | None for the store, ("A" | "B" | None for the project, pending intents))."""
        snap = snapshot(d / "store.sqlite")
        ws, intents = _ws_state(d, 1)
        return ({store_a.digest: "A", store_b.digest: "B"}.get(snap.digest),
                ({ws_a: "A", ws_b: "B"}.get(ws), intents))

    trials = [("delay", d) for d in kill_points(full.seconds, 12, seed=20261202)] + [("at intent", None)] * 4
    outcomes: Counter[str] = Counter()
    for i, (how, delay) in enumerate(trials):
        d = fresh_copy(template, tmp_path / f"trial-{i:02d}")
        if delay is None:
            kill_when(cmd(d), env, lambda d=d: _intents(d) > 0)
        else:
            run_cli(cmd(d), env, kill_after=delay)
        raw_store, (raw_ws, intents) = state(d)
        assert raw_store and raw_ws and (raw_store == raw_ws or intents == 1), (how, delay, raw_store, raw_ws, intents)
        engines, store, wsp = _open(d)
        with store, wsp:
            engines.projects(store, wsp)  # replay
        after_store, (after_ws, intents) = state(d)
        assert intents == 0 and after_store == after_ws and after_ws in ("A", "B"), (how, delay, after_store, after_ws)
        outcomes[f"{how}: {raw_store}{raw_ws}->{after_ws}"] += 1
        shutil.rmtree(d)
    print(f"\nlanding crash trials: uninterrupted {full.seconds:.2f}s (intent at {marks}); {dict(outcomes)}")
    assert any(k.startswith("delay") and k.endswith("->A") for k in outcomes)  # early kills: nothing happened
