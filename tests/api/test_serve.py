"""``chainmatch serve``: a taken port changes nothing, the warm start says how long, the exit is quiet."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import typer
from typer.testing import CliRunner

from api.auth import keys_path
from api.cli import serve as cli_serve
from graph.errors import ConfigError
from graph.ports import free_port
from tests.api.conftest import world_dir


def _cli():
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """chainmatch (test build)."""

    cli_serve.register(app)
    return lambda *args: CliRunner().invoke(app, [str(a) for a in args])


def test_a_taken_port_is_refused_before_any_key_is_created(tmp_path, monkeypatch):
    started = []
    monkeypatch.setattr(cli_serve, "run_one", lambda *a, **k: started.append(a))
    d = tmp_path / "data"
    with socket.socket() as other:  # another server holds the port
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        r = _cli()("serve", "--data-dir", d, "--port", port)
    assert isinstance(r.exception, ConfigError), r.output
    assert "already in use" in str(r.exception) and str(port) in str(r.exception)
    assert "端口已被占用" in r.exception.message_zh
    assert "cmk_" not in r.output and "curl" not in r.output and not started
    assert not keys_path(d).exists()  # no key created, the keys file untouched
    # the same port, free again, serves and creates the first key
    r = _cli()("serve", "--data-dir", d, "--port", port)
    assert r.exit_code == 0, r.output
    assert "cmk_" in r.stdout and len(started) == 1 and keys_path(d).exists()


def test_the_main_cli_exits_non_zero_with_the_message(tmp_path):
    from api.cli.main import main

    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        with pytest.raises(SystemExit) as done:
            main(["serve", "--data-dir", str(tmp_path / "d"), "--port", str(other.getsockname()[1])])
    assert done.value.code == 2


def test_the_warm_start_estimate_follows_the_last_measure(tmp_path):
    from api import warmup

    cold = warmup.estimate_s(tmp_path, 100_000)
    assert cold > warmup.estimate_s(tmp_path, 1_000) > 1  # nothing measured: grows with the store
    warmup.record(tmp_path, 30.0, 10_000)
    assert warmup.estimate_s(tmp_path, 10_000) == 30 and warmup.estimate_s(tmp_path, 20_000) == 60
    assert warmup.estimate_s(tmp_path, 5_000) == 30  # a smaller store: no promise below the last measure
    (tmp_path / warmup.FILE).write_text("not json")
    assert warmup.estimate_s(tmp_path, 100_000) == cold


def test_the_warm_start_logs_how_long_before_and_after(tmp_path, world_store_file, caplog):
    import logging

    from fastapi.testclient import TestClient

    from api.app import create_app
    from tests.api.conftest import start

    settings, _ = start(world_dir(tmp_path, world_store_file), warm_start=True)
    with caplog.at_level(logging.INFO, logger="chainmatch.warm"), TestClient(create_app(settings)):
        lines = [r.getMessage() for r in caplog.records if r.name == "chainmatch.warm"]
    assert lines[0].startswith("warming up (≈") and " s)" in lines[0] and "1670 organisations" in lines[0]
    assert lines[1].startswith("warm in ") and "answering requests" in lines[1]
    assert (settings.data_dir / "warm.json").exists()


def test_loading_the_model_keeps_triton_out():
    # triton's GPU compiler, imported through torch._dynamo, printed ~30 lines of "nanobind: leaked"
    # at every exit of a process that had loaded the model
    code = ("import sys; from matching.embedder import SentenceTransformerEmbedder as E; "
            "print(E().encode(['motion capture']).shape, 'triton' in sys.modules and sys.modules['triton'] is not None)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).parents[2])
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["(1,", "384)", "False"], done.stdout
    assert "nanobind" not in done.stderr and "leaked" not in done.stderr


@pytest.mark.slow  # a real `chainmatch serve` building its index from nothing: 40-90 s on 2 busy cores
def test_serve_holds_requests_while_warming_and_exits_quietly(tmp_path, world_store_file):
    data, port = world_dir(tmp_path, world_store_file), free_port()
    url = f"http://127.0.0.1:{port}"
    out, err = tmp_path / "out.txt", tmp_path / "err.txt"
    exe = Path(sys.executable).with_name("chainmatch")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHAINMATCH_")}
    with open(out, "wb") as o, open(err, "wb") as e:
        proc = subprocess.Popen([str(exe), "serve", "--data-dir", str(data), "--port", str(port)],
                                stdout=o, stderr=e, env=env)
    try:
        deadline = time.monotonic() + 60
        while "warming up (≈" not in err.read_text() and time.monotonic() < deadline:
            assert proc.poll() is None, err.read_text()
            time.sleep(0.2)
        assert "warm in " not in err.read_text(), "warmed before the test could ask"
        r = httpx.get(f"{url}/health", timeout=300)  # asked while warming: held, then answered
        assert r.status_code == 200 and "warm in " in err.read_text()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(60)
    assert proc.returncode == 0
    text = out.read_text() + err.read_text()
    assert "nanobind" not in text and "leaked" not in text, text[-3000:]


def test_one_process_serves_on_the_bound_socket_with_secrets_redacted(tmp_path, monkeypatch):
    import uvicorn

    from graph.settings import Settings

    seen = {}
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: seen.update(
        config=self.config, sockets=sockets))
    sock = cli_serve.listen("127.0.0.1", 0)
    try:
        cli_serve.run_one(object(), Settings(_env_file=None, data_dir=tmp_path), "warning", sock)
    finally:
        sock.close()
    assert seen["sockets"] == [sock] and seen["config"].log_level == "warning"
    assert "redact_secrets" in seen["config"].log_config["filters"]
    assert seen["config"].log_config["loggers"]["chainmatch.warm"]["level"] == "INFO"
