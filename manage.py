#!/usr/bin/env python3
"""Set up and run Warehouse Exchange with nothing but Python installed.

    python3 manage.py serve   # venv, install, migrate, demo data, http://127.0.0.1:5000
    python3 manage.py test    # the whole test suite

Only the standard library is used here: this file runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed-from"


def _requirements_digest() -> str:
    digest = hashlib.sha256()
    for name in ("setup.cfg", "pyproject.toml"):
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def ensure_environment() -> None:
    """Create the virtual environment and install the project when its requirements change."""
    if not (BIN / "python").exists():
        print("Creating virtual environment in .venv", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = _requirements_digest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    print("Installing Warehouse Exchange and its dependencies", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-e", f"{ROOT}[dev]"], check=True)
    STAMP.write_text(wanted)


def flask(*args: str) -> None:
    env = {**os.environ, "FLASK_APP": str(ROOT / "wsgi.py")}
    subprocess.run([str(BIN / "flask"), *args], check=True, cwd=ROOT, env=env)


def serve(extra: list[str]) -> int:
    flask("db", "upgrade")
    flask("demo", "load", "--if-empty")
    env = {**os.environ, "FLASK_APP": str(ROOT / "wsgi.py"), "WX_SCHEDULER_IN_PROCESS": "true"}
    command = [str(BIN / "flask"), "run", "--host", "127.0.0.1", "--port", "5000", *extra]
    return subprocess.run(command, cwd=ROOT, env=env).returncode


def test(extra: list[str]) -> int:
    # The whole suite runs on every core, a test file to a worker (pytest-xdist), and
    # measures branch coverage against the floor in setup.cfg; a selection of tests (any
    # extra argument) runs in one process without coverage.
    whole = ["-n", "auto", "--dist", "loadfile", "--cov", "--cov-report=term:skip-covered"]
    return subprocess.run(
        [str(BIN / "python"), "-m", "pytest", *([] if extra else whole), *extra], cwd=ROOT
    ).returncode


def main(argv: list[str]) -> int:
    commands = {"serve": serve, "test": test}
    if not argv or argv[0] not in commands:
        print(__doc__)
        return 2
    ensure_environment()
    return commands[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
