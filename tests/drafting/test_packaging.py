"""The wheel ships what the site needs: templates, static files (htmx), migrations and the demo bill,
so that `pip install navette` in another folder serves pages."""
from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.serving import first_answer, free_port, stop

REPO = Path(__file__).resolve().parents[2]
OFFLINE_SIGNS = ("No matching distribution found", "Could not find a version", "NewConnectionError",
                 "Temporary failure in name resolution", "Network is unreachable")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "-q", "-w", str(out)],
                            capture_output=True, text=True, timeout=300)
    if result.returncode != 0 and any(sign in result.stderr for sign in OFFLINE_SIGNS):
        pytest.skip(f"building the wheel needs hatchling from the package index, unreachable here: {result.stderr}")
    assert result.returncode == 0, result.stderr
    (built,) = out.glob("navette-*.whl")
    return built


def test_wheel_contains_templates_static_files_migrations_and_the_demo(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())

    for required in ("drafting/_assets/templates/base.html", "drafting/_assets/templates/drafting/bill.html",
                     "drafting/_assets/templates/errors/error.html", "drafting/_assets/static/htmx.min.js",
                     "drafting/_assets/static/navette.css", "drafting/_assets/migrations/env.py",
                     "drafting/_assets/migrations/versions/0001_initial_schema.py",
                     "drafting/demo/republique_numerique.md", "drafting/demo/history.json",
                     "drafting/demo/consultation.json", "drafting/demo/consultation_vectors.npz",
                     "drafting/app.py", "drafting/cli.py", "amendments/engine/__init__.py", "amendments/engine/wording.py",
                     # the message catalogs, compiled at build time (hatch_build.py)
                     "drafting/locale/fr/LC_MESSAGES/messages.mo", "drafting/locale/en/LC_MESSAGES/messages.mo",
                     "drafting/locale/de/LC_MESSAGES/messages.mo"):
        assert required in names, required
    templates = {n.removeprefix("drafting/_assets/") for n in names if n.startswith("drafting/_assets/templates/")}
    # Every template of the checkout (those present once the wheel was built: others may be added since).
    built_at = wheel.stat().st_mtime
    assert {str(p.relative_to(REPO)) for p in (REPO / "templates").rglob("*")
            if p.is_file() and p.stat().st_mtime < built_at} <= templates
    assert not any(n.startswith("tests/") or "__pycache__" in n for n in names)
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "navette = drafting.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_installed_wheel_serves_pages_from_another_folder(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    python = venv / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    # The dependencies come from this environment (no download); navette itself only from the wheel.
    Path(purelib, "navette_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                                "--no-index", "-q", str(wheel)], capture_output=True, text=True, timeout=120)
    assert installed.returncode == 0, installed.stderr

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NAVETTE_") and k != "PYTHONPATH"}
    location = subprocess.run([str(python), "-c", "import drafting.settings as s; print(s.TEMPLATES_DIR)"],
                              cwd=elsewhere, env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert location.startswith(purelib) and location.endswith("drafting/_assets/templates"), location

    port = free_port()
    server = subprocess.Popen([str(venv / "bin" / "navette"), "serve", "--port", str(port)], cwd=elsewhere,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        home = first_answer(server, f"http://127.0.0.1:{port}/")
        assert home is not None, "the installed navette did not answer"
        assert home.status_code == 200 and "<h1>Projets de loi</h1>" in home.text
        assert httpx.get(f"http://127.0.0.1:{port}/login", timeout=5).status_code == 200
        german = httpx.get(f"http://127.0.0.1:{port}/", headers={"Accept-Language": "de"}, timeout=5)
        assert '<html lang="de">' in german.text and "<h1>Gesetzentwürfe</h1>" in german.text
        htmx = httpx.get(f"http://127.0.0.1:{port}/static/htmx.min.js", timeout=5)
        assert htmx.status_code == 200 and htmx.content == (REPO / "static" / "htmx.min.js").read_bytes()
    finally:
        output = stop(server)
    assert "Traceback" not in output, output
    assert (elsewhere / "var" / "navette.db").exists()  # the embedded database, beside where it runs
