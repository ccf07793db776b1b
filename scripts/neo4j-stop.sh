#!/usr/bin/env bash
# Stop the Neo4j server started by scripts/neo4j-start.sh (same environment:
# CHAINMATCH_NEO4J_PORT, CHAINMATCH_NEO4J_RUN_DIR). SIGTERM lets it shut down
# cleanly; after CHAINMATCH_NEO4J_STOP_TIMEOUT seconds (default 60) it is killed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORT="${CHAINMATCH_NEO4J_PORT:-7687}"
RUN_DIR="${CHAINMATCH_NEO4J_RUN_DIR:-$ROOT/tests/neo4j/target/run-$PORT}"
PID_FILE="$RUN_DIR/neo4j.pid"
TIMEOUT="${CHAINMATCH_NEO4J_STOP_TIMEOUT:-60}"

if [[ ! -f "$PID_FILE" ]]; then
    echo "neo4j-stop: no pid file at $PID_FILE: nothing to stop" >&2
    exit 0
fi
pid="$(cat "$PID_FILE")"
if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    start=$SECONDS
    while kill -0 "$pid" 2>/dev/null; do
        if (( SECONDS - start > TIMEOUT )); then
            echo "neo4j-stop: pid $pid still running after ${TIMEOUT} s; killing it" >&2
            kill -KILL "$pid" 2>/dev/null || true
            break
        fi
        sleep 0.2
    done
    echo "neo4j-stop: stopped pid $pid" >&2
fi
rm -f "$PID_FILE"
