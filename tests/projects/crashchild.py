"""Child process of the landing crash tests: move a project, SIGKILL itself at a named point of the two-store write.

``python -m tests.projects.crashchild DATA_DIR PROJECT STAGE POINT`` — POINT is one of :data:`POINTS`
(``none``: finish, then kill itself anyway, as a kill after the exit would).
"""

from __future__ import annotations

import os
import signal
import sys

#: where the kill lands, in the order the move passes them
POINTS = ("in_intent_txn", "after_intent", "after_store_write", "in_final_txn", "none")


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def main(data_dir: str, project: int, stage: str, point: str) -> None:
    from graph.settings import Settings
    from graph.store.sqlite import SqliteStore
    from matching.engines import Engines
    from matching.projects import book as book_mod
    from matching.projects import landing
    from matching.workspace import Workspace

    def after(fn, cond=lambda *a, **k: True):
        def wrapped(*a, **k):
            out = fn(*a, **k)
            if cond(*a, **k):
                die()
            return out
        return wrapped

    def before(fn):
        def wrapped(*a, **k):
            die()
            return fn(*a, **k)
        return wrapped

    B = book_mod.ProjectBook
    if point == "in_intent_txn":  # inside the transaction that inserts the intent, before it commits
        B._refuse_pending = staticmethod(after(B._refuse_pending))
    elif point == "after_intent":  # intent committed, nothing written to the graph
        landing.write_site = before(landing.write_site)
        book_mod.landing.write_site = landing.write_site
    elif point == "after_store_write":  # site committed in the graph, the workspace not yet changed
        SqliteStore.write = after(SqliteStore.write)
    elif point == "in_final_txn":  # the change applied inside the last transaction, not committed
        B._apply = after(B._apply)
    engines = Engines(Settings(_env_file=None, data_dir=data_dir, embedding_model="hashing:64"))
    with SqliteStore.open(os.path.join(data_dir, "store.sqlite")) as store, \
            Workspace.open(os.path.join(data_dir, "workspace.sqlite")) as ws:
        engines.projects(store, ws).move(project, stage, actor="crash")
    die()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4])
