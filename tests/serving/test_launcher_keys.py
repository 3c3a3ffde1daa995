"""`make run` creates the keys once and gives the dashboard a manager key, never the admin one."""

from __future__ import annotations

import stat

from credit_scoring_kedro import launcher
from credit_scoring_kedro.serving import credentials


def test_serving_creates_keys_and_hands_the_dashboard_its_manager_key(tmp_path,
                                                                      monkeypatch) -> None:
    path = tmp_path / "local" / "credentials.yml"
    monkeypatch.setenv("CREDIT_CREDENTIALS_FILE", str(path))
    for name in ("CREDIT_API_KEY", "CREDIT_API_AUTH", "CREDIT_DASHBOARD_AUTH"):
        monkeypatch.delenv(name, raising=False)
    api, dashboard = launcher.environments("127.0.0.1", 8000)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    keys = credentials.api_keys(credentials.read(path))
    assert keys[dashboard["CREDIT_API_KEY"]].role == "manager"   # oversees, never admin
    assert "CREDIT_API_KEY" not in api          # the API reads every key from the file
    assert "password" in launcher.login_hint()
    again_api, again_dashboard = launcher.environments("127.0.0.1", 8000)
    assert again_dashboard["CREDIT_API_KEY"] == dashboard["CREDIT_API_KEY"]   # kept


def test_keys_off_is_explicit_and_writes_nothing(tmp_path, monkeypatch) -> None:
    path = tmp_path / "credentials.yml"
    monkeypatch.setenv("CREDIT_CREDENTIALS_FILE", str(path))
    monkeypatch.setenv("CREDIT_API_AUTH", "off")
    monkeypatch.delenv("CREDIT_API_KEY", raising=False)
    launcher.environments("127.0.0.1", 8000)
    assert not path.exists()


def test_a_rotated_key_replaces_the_old_secret(tmp_path, monkeypatch) -> None:
    path = tmp_path / "credentials.yml"
    credentials.ensure(path)
    old = credentials.key_of("scorer", path)
    new = credentials.rotate("scorer", path)
    assert new != old and credentials.key_of("scorer", path) == new
    assert old not in credentials.api_keys(credentials.read(path))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_dashboard_host_file_holds_no_key_but_its_own(tmp_path) -> None:
    path, target = tmp_path / "credentials.yml", tmp_path / "dashboard_credentials.yml"
    credentials.ensure(path)
    credentials.export_dashboard(target, path)
    exported = credentials.read(target)
    roles = {key.role for key in credentials.api_keys(exported).values()}
    assert roles == {"manager"}
    assert exported["dashboard"] == credentials.read(path)["dashboard"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
