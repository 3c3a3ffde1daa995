"""Relationship managers log in before anything renders; the API's audit names who looked."""

from __future__ import annotations

import pytest
import yaml
from apptest import open_page, texts
from live_api import NAME, PASSWORD, USER

from credit_scoring_kedro.serving import credentials

CLIENT_PAGES = ["views/score_card.py", "views/explanation.py", "views/client_info.py",
                "views/comparison.py", "views/what_if.py"]


def audit(live_api) -> list[dict]:
    assert live_api.log.flush(timeout=10)
    return live_api.log.read("access_audit")


def log_in(at, user: str = USER, password: str = PASSWORD):
    """Type the user and password in the form and press "Log in", as a manager would."""
    username, secret = (next(t for t in at.text_input if t.label == label)
                        for label in ("Username", "Password"))
    username.input(user)
    secret.input(password)
    next(b for b in at.button if b.label == "Log in").click()
    return at.run()


def shows_only_the_form(at) -> bool:
    return ([t.label for t in at.text_input] == ["Username", "Password"]
            and not at.metric and not at.title and not at.get("plotly_chart")
            and not at.table and not at.dataframe and not at.page_link
            and not any('class="client-row"' in m.value for m in at.markdown)
            and not (at.sidebar.markdown or at.sidebar.button or at.sidebar.text_input))


@pytest.mark.parametrize("page", [*CLIENT_PAGES, "views/find_client.py",
                                  "views/importance.py"])
def test_before_login_a_link_shows_the_form_and_asks_the_api_nothing(
        dashboard_env, granted_and_refused, page) -> None:
    before = len(audit(dashboard_env))
    at = open_page(page, granted_and_refused["refused"], logged_in=False)
    assert not at.exception
    assert shows_only_the_form(at)
    assert str(granted_and_refused["refused"]) not in " ".join(texts(at.markdown))
    assert len(audit(dashboard_env)) == before


def test_a_wrong_password_says_so_and_shows_no_client(dashboard_env, granted_and_refused) -> None:
    at = open_page("views/score_card.py", granted_and_refused["refused"], logged_in=False)
    log_in(at, password="not-the-password")
    assert not at.exception
    assert "Wrong username or password." in texts(at.error)
    assert shows_only_the_form(at)
    log_in(at, user="nobody")
    assert "Wrong username or password." in texts(at.error) and shows_only_the_form(at)


def test_the_right_password_opens_the_linked_page_and_the_api_audits_the_manager(
        dashboard_env, granted_and_refused) -> None:
    client_id = granted_and_refused["refused"]
    expected = dashboard_env.get(f"/clients/{client_id}/score")
    before = len(audit(dashboard_env))
    at = log_in(open_page("views/score_card.py", client_id, logged_in=False))
    assert not at.exception
    assert "Username" not in [t.label for t in at.text_input]
    assert at.title[0].value == f"Score card · client {client_id}"
    assert at.metric[0].value == f"{100 * expected['probability']:.1f} %"
    assert f"Logged in as **{NAME}** (`{USER}`)" in texts(at.sidebar.markdown)
    rows = audit(dashboard_env)[before:]
    assert [(r["acting_user"], r["actor_key"], r["endpoint"], r["client_id"]) for r in rows] == [
        (USER, "key", "GET /clients/{client_id}/score", client_id),
        # the score card also shows the client's logged decisions (dashboard/oversight.py)
        (USER, "key", "GET /clients/{client_id}/decisions", client_id)]
    assert rows[0]["model_version"] == expected["model_version"]


def test_logging_out_returns_to_the_form_and_forgets_the_client(dashboard_env,
                                                                granted_and_refused) -> None:
    at = log_in(open_page("views/client_info.py", granted_and_refused["granted"],
                          logged_in=False))
    assert at.title
    next(b for b in at.sidebar.button if b.label == "Log out").click()
    at.run()
    assert not at.exception
    assert shows_only_the_form(at)
    assert "client" not in at.query_params
    log_in(at)        # the next manager on this browser starts from no client
    assert not at.exception and "Score card" not in " ".join(texts(at.title))


def test_each_page_a_manager_opens_is_audited_once_reruns_are_not(dashboard_env,
                                                                   granted_and_refused) -> None:
    client_id = granted_and_refused["granted"]
    at = open_page("views/score_card.py", client_id)
    start = len(audit(dashboard_env))
    at.run()                                          # a rerun of the same view: cached
    at.switch_page("views/explanation.py").run()
    at.switch_page("views/score_card.py").run()       # back again: a new view, asked again
    assert not at.exception
    rows = audit(dashboard_env)[start:]
    assert [(r["endpoint"], r["acting_user"]) for r in rows] == [
        ("GET /clients/{client_id}/explanation", USER),
        ("GET /clients/{client_id}/score", USER),
        ("GET /clients/{client_id}/decisions", USER)]
    other = open_page("views/score_card.py", client_id)    # another session: its own rows
    assert not other.exception
    assert [r["endpoint"] for r in audit(dashboard_env)[start + 3:]] == [
        "GET /clients/{client_id}/score", "GET /clients/{client_id}/decisions"]


def test_without_logins_in_the_file_the_dashboard_says_how_to_create_them(
        dashboard_env, tmp_path, monkeypatch) -> None:
    path = tmp_path / "credentials.yml"
    credentials.ensure(path)
    content = credentials.read(path)
    del content["dashboard"]
    path.write_text(yaml.safe_dump(content))
    monkeypatch.setenv("CREDIT_CREDENTIALS_FILE", str(path))
    at = open_page("views/score_card.py", 100001, logged_in=False)
    assert not at.exception
    assert not at.text_input and not at.metric and not at.title
    assert "make credentials" in " ".join(texts(at.error))


def test_login_off_says_so_at_the_top_and_names_no_manager(dashboard_env, granted_and_refused,
                                                           monkeypatch) -> None:
    monkeypatch.setenv("CREDIT_DASHBOARD_AUTH", "off")
    client_id = granted_and_refused["granted"]
    before = len(audit(dashboard_env))
    at = open_page("views/client_info.py", client_id, logged_in=False)
    assert not at.exception
    shown = [node for node in at.main if hasattr(node, "value")]   # in page order
    assert "Login off" in str(shown[0].value)                       # the banner comes first
    assert at.title[0].value.endswith(f"client {client_id}")
    assert [r["acting_user"] for r in audit(dashboard_env)[before:]] == [None]


def test_only_off_turns_the_login_off(dashboard_env, monkeypatch) -> None:
    monkeypatch.setenv("CREDIT_DASHBOARD_AUTH", "no")
    at = open_page("views/score_card.py", 100001, logged_in=False)
    assert shows_only_the_form(at)
