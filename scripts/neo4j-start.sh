#!/usr/bin/env bash
# Start a throwaway Neo4j Community 5.26 server for development and tests.
#
#   eval "$(scripts/neo4j-start.sh)"      # sets CHAINMATCH_NEO4J_URI
#   scripts/neo4j-start.sh --fresh         # wipe the data directory first
#
# Builds tests/neo4j (Maven; offline from ~/.m2 when it can, else from the
# registry once), starts the launcher in the background with Bolt on
# 127.0.0.1:$CHAINMATCH_NEO4J_PORT (default 7687, auth disabled), waits until
# Bolt answers and prints `export CHAINMATCH_NEO4J_URI=bolt://127.0.0.1:PORT`
# on stdout. Everything else goes to stderr. Starting an already running
# server only prints the export line again.
#
# Environment:
#   CHAINMATCH_NEO4J_PORT      Bolt port (default 7687)
#   CHAINMATCH_NEO4J_RUN_DIR   pid file, log and data (default tests/neo4j/target/run-PORT)
#   CHAINMATCH_NEO4J_HEAP      JVM heap cap (default 1g)
#   CHAINMATCH_NEO4J_PAGECACHE_MB  page cache in MiB (default 128)
#   CHAINMATCH_NEO4J_TIMEOUT   seconds to wait for Bolt (default 180)
# Exit status: 0 running, 3 no Java or Maven, 1 anything else.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROJECT="$ROOT/tests/neo4j"
PORT="${CHAINMATCH_NEO4J_PORT:-7687}"
RUN_DIR="${CHAINMATCH_NEO4J_RUN_DIR:-$PROJECT/target/run-$PORT}"
HEAP="${CHAINMATCH_NEO4J_HEAP:-1g}"
PAGECACHE_MB="${CHAINMATCH_NEO4J_PAGECACHE_MB:-128}"
TIMEOUT="${CHAINMATCH_NEO4J_TIMEOUT:-180}"
PID_FILE="$RUN_DIR/neo4j.pid"
LOG="$RUN_DIR/neo4j.log"
JAR="$PROJECT/target/chainmatch-neo4j.jar"
URI="bolt://127.0.0.1:$PORT"

say() { echo "neo4j-start: $*" >&2; }

fresh=0
for arg in "$@"; do
    case "$arg" in
        --fresh) fresh=1 ;;
        *) say "unknown argument $arg"; exit 1 ;;
    esac
done

bolt_answers() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

if [[ -f "$PID_FILE" ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
    if bolt_answers; then
        say "already running (pid $(cat "$PID_FILE")) on $URI"
        echo "export CHAINMATCH_NEO4J_URI=$URI"
        exit 0
    fi
fi

if ! command -v java >/dev/null 2>&1; then
    say "no java on PATH: cannot run the test Neo4j server (install a JDK 17+)"
    exit 3
fi
if bolt_answers; then
    say "port $PORT is already taken by another process; set CHAINMATCH_NEO4J_PORT"
    exit 1
fi

# build when the launcher or its classpath is missing or older than its sources
needs_build=0
if [[ ! -f "$JAR" || ! -d "$PROJECT/target/lib" ]]; then
    needs_build=1
elif [[ -n "$(find "$PROJECT/pom.xml" "$PROJECT/src" -newer "$JAR" -print -quit)" ]]; then
    needs_build=1
fi
if (( needs_build )); then
    if ! command -v mvn >/dev/null 2>&1; then
        say "no mvn on PATH: cannot build tests/neo4j (install Maven)"
        exit 3
    fi
    say "building tests/neo4j (the first build on a machine downloads Neo4j 5.26 into ~/.m2)…"
    start=$SECONDS
    rm -rf "$PROJECT/target/lib"
    if ! mvn -q -B -o -f "$PROJECT/pom.xml" package >/dev/null 2>&1; then
        mvn -q -B -f "$PROJECT/pom.xml" package >&2
    fi
    say "built in $((SECONDS - start)) s"
fi

if (( fresh )); then
    rm -rf "$RUN_DIR/data"
fi
mkdir -p "$RUN_DIR/data"

say "starting on $URI (heap $HEAP, page cache ${PAGECACHE_MB} MiB, log $LOG)"
start=$SECONDS
nohup java -Xms256m "-Xmx$HEAP" -XX:+UseG1GC -XX:-OmitStackTraceInFastThrow \
    --add-opens=java.base/java.nio=ALL-UNNAMED \
    --add-opens=java.base/java.io=ALL-UNNAMED \
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
    -Dio.netty.tryReflectionSetAccessible=true \
    -Djdk.nio.maxCachedBufferSize=1024 \
    -cp "$JAR:$PROJECT/target/lib/*" chainmatch.neo4j.Launcher \
    --data "$RUN_DIR/data" --port "$PORT" --pagecache-mb "$PAGECACHE_MB" \
    >"$LOG" 2>&1 </dev/null &
pid=$!
echo "$pid" >"$PID_FILE"

while true; do
    if ! kill -0 "$pid" 2>/dev/null; then
        say "the server exited while starting; last lines of $LOG:"
        tail -n 30 "$LOG" >&2 || true
        rm -f "$PID_FILE"
        exit 1
    fi
    if grep -q "chainmatch-neo4j ready" "$LOG" 2>/dev/null && bolt_answers; then
        break
    fi
    if (( SECONDS - start > TIMEOUT )); then
        say "Bolt did not answer within ${TIMEOUT} s; stopping pid $pid. Last lines of $LOG:"
        tail -n 30 "$LOG" >&2 || true
        kill "$pid" 2>/dev/null || true
        rm -f "$PID_FILE"
        exit 1
    fi
    sleep 0.5
done
say "ready in $((SECONDS - start)) s (pid $pid)"
echo "export CHAINMATCH_NEO4J_URI=$URI"
