"""Graph stores: the ``GraphStore`` protocol and its implementations.

``open_store(settings)`` picks the backend; nothing connects at import time.
"""

from graph.store.protocol import Batch, GraphStore, WriteResult

__all__ = ["Batch", "GraphStore", "WriteResult", "open_store"]


def open_store(settings) -> GraphStore:
    """Open the store the settings name (embedded SQLite by default)."""
    if settings.backend == "neo4j":
        from graph.store.neo4j import Neo4jStore

        return Neo4jStore.connect(settings)
    from graph.store.sqlite import SqliteStore

    return SqliteStore.open(settings.store_path)
