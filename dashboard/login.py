"""Who is at the dashboard: relationship managers log in before any page renders.

The logins are the ``dashboard`` section of the credentials file (``conf/local/credentials.yml``,
or ``CREDIT_CREDENTIALS_FILE``; written by ``make credentials``): usernames with bcrypt hashes
and the re-authentication cookie's name, key and lifetime, in streamlit-authenticator's format.
The file is read at every run, so a login added with ``python -m
credit_scoring_kedro.serving.credentials add-user <name>`` works without a restart.

The logged-in username goes to the API in ``X-Acting-User`` on every call
(:mod:`dashboard.api_client`): the API's access audit names the manager who read each
client's data. ``CREDIT_DASHBOARD_AUTH=off`` skips the login for a local demo, under a
warning banner; it is never the default.
"""

from __future__ import annotations

import copy
import logging
import os
import time
from typing import Any

import streamlit as st

from dashboard import api_client, state

logger = logging.getLogger(__name__)

AUTH_ENV = "CREDIT_DASHBOARD_AUTH"
WRONG = "Wrong username or password."


def auth_off() -> bool:
    """Only an explicit ``CREDIT_DASHBOARD_AUTH=off`` turns the login off."""
    return os.environ.get(AUTH_ENV, "on").strip().lower() == "off"


def gate() -> bool:
    """Show the login form until a manager is logged in. True once the pages may render.

    Logged in: the sidebar says who, with a logout button, and the username becomes the
    acting user of every API call. Not logged in (or no logins configured): only the form
    (or how to create the logins) is on the page, and nothing has been asked of the API.
    """
    if auth_off():
        st.session_state[api_client.USER_KEY] = None
        st.warning(f"**Login off** ({AUTH_ENV}=off): anyone who reaches this address sees "
                   "client data, and the API's access audit names no manager. For a demo on "
                   "your own machine only.", icon=":material/lock_open:")
        return True
    config = _logins()
    if config is None:
        return False
    if not _signed_in(config):
        _login_form(_authenticator(config))
    if st.session_state.get("authentication_status"):
        with st.sidebar:
            who = st.empty()
        with who.container():
            st.markdown(f"Logged in as **{st.session_state.get('name')}** "
                        f"(`{st.session_state.get('username')}`)")
            pressed = st.button("Log out", key="log-out", icon=":material/logout:")
        if pressed:
            who.empty()
            _forget_session()
            authenticator = _authenticator(config)
            # ends the session and renders the component that deletes the browser's cookie
            authenticator.logout(location="unrendered")
            _login_form(authenticator)
    if not st.session_state.get("authentication_status"):
        st.session_state[api_client.USER_KEY] = None
        return False
    st.session_state[api_client.USER_KEY] = st.session_state.get("username")
    return True


def _authenticator(config: dict[str, Any]):
    """The library's object, built only to log in or out (it draws a cookie component)."""
    import streamlit_authenticator as stauth

    cookie = config["cookie"]
    # a copy: the library writes attempt counters and flags into the dict it is given
    return stauth.Authenticate(
        copy.deepcopy(config["credentials"]), cookie_name=str(cookie["name"]),
        cookie_key=str(cookie["key"]), cookie_expiry_days=float(cookie.get("expiry_days", 1)),
        auto_hash=False,   # the file holds bcrypt hashes only: never hash at login
        # the library waited 0.7 s at every logged-out run for a cookie component; 0.4 reads
        # the cookie from the request (st.context), so the wait only slowed each page load
        login_sleep_time=0)


def _signed_in(config: dict[str, Any]) -> bool:
    """Whether this session is logged in already, or the browser's login cookie is valid.

    Checked without the library: building its object draws its cookie manager, a component
    (an iframe) that on every page load loaded its script and then ran the whole page a
    second time once it had read the cookies (1-1.5 s more for a link or a landing on the
    2-core machine). The cookie comes with the request (``st.context.cookies``) and is
    checked as the library checks it: an HS256 token signed with the file's cookie key,
    naming a login of the file, not expired. A login removed from the file ends at once.
    """
    import jwt

    users = (config.get("credentials") or {}).get("usernames") or {}
    if st.session_state.get("authentication_status"):
        if st.session_state.get("username") in users:
            return True
        st.session_state["authentication_status"] = None      # removed from the file
        return False
    if st.session_state.get("logout"):    # logged out in this session: the cookie is going
        return False
    cookie = config["cookie"]
    token = st.context.cookies.get(str(cookie["name"]))
    if not token:
        return False
    try:
        claims = jwt.decode(token, str(cookie["key"]), algorithms=["HS256"])
    except jwt.PyJWTError:
        return False
    user = claims.get("username")
    if user not in users or float(claims.get("exp_date", 0)) <= time.time():
        return False
    entry = users[user]
    st.session_state.update({
        "authentication_status": True, "username": user, "email": entry.get("email"),
        "name": (f"{entry.get('first_name', '')} {entry.get('last_name', '')}".strip()
                 or entry.get("name")),
        "roles": entry.get("roles")})
    return True


def _login_form(authenticator) -> None:
    """A valid cookie logs in silently; otherwise the form, and a failure said in words.

    The form is ours, the checks are the library's (its controllers: bcrypt, the signed
    cookie). Its own ``login(location="main")`` left the form on screen above the page in the
    run that logged in; here the form sits in a placeholder emptied on success, and the
    cookie component is drawn outside it, so the browser keeps the login across page loads.
    """
    from streamlit_authenticator.utilities.exceptions import LoginError

    try:
        authenticator.login(location="unrendered")   # the re-authentication cookie, if any
    except LoginError as error:   # e.g. a cookie naming a login since removed from the file
        st.session_state["authentication_status"] = None
        st.error(f"Login refused: {error}", icon=":material/lock:")
    if st.session_state.get("authentication_status"):
        return
    slot = st.empty()
    with slot.container(), st.form("login", border=True):
        st.subheader("Log in")
        username = st.text_input("Username", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Log in", type="primary", icon=":material/login:")
    if not submitted:
        return
    try:
        accepted = authenticator.authentication_controller.login(username, password)
    except LoginError as error:
        st.error(f"Login refused: {error}", icon=":material/lock:")
        return
    if accepted:
        slot.empty()                                    # the page replaces the form now
        authenticator.cookie_controller.set_cookie()    # stays logged in across page loads
    elif username.strip() and password:
        st.error(WRONG, icon=":material/lock:")
    else:
        st.warning("Type your username and password.", icon=":material/lock:")


def _logins() -> dict[str, Any] | None:
    """The ``dashboard`` section of the credentials file, or None after saying how to add it."""
    from credit_scoring_kedro.serving import credentials

    path = credentials.credentials_file()
    try:
        section = _dashboard_section(str(path), _stamp(path))
    except Exception as error:   # unreadable YAML: say where, never a traceback
        logger.error("credentials file %s unreadable: %s", path, error)
        st.error(f"The dashboard cannot read its logins in `{path}` ({type(error).__name__}). "
                 "Fix or remove the file, then run `make credentials`.", icon=":material/key:")
        return None
    users = (section.get("credentials") or {}).get("usernames") or {}
    cookie = section.get("cookie") or {}
    if users and cookie.get("name") and cookie.get("key"):
        return section
    st.error(f"**No dashboard logins configured** in `{path}`: the dashboard stays closed. "
             "Run `make credentials` (or `python -m credit_scoring_kedro.serving.credentials "
             "init`): it adds a first login, `manager`, whose password it prints and keeps in "
             "`conf/local/dashboard_initial_password.txt`. Add more with `python -m "
             "credit_scoring_kedro.serving.credentials add-user <name>`.",
             icon=":material/key:")
    return None


def _stamp(path) -> tuple[int, int]:
    try:
        found = path.stat()
    except OSError:
        return (0, 0)
    return (found.st_mtime_ns, found.st_size)


@st.cache_data(show_spinner=False, max_entries=8)
def _dashboard_section(path: str, stamp: tuple[int, int]) -> dict:
    """The file's ``dashboard`` section, parsed once per version of the file.

    YAML parsing took 5-15 ms of every script run; the file's modification time and size
    are in the key, so a login added with ``add-user`` still works at once, no restart.
    """
    from pathlib import Path

    from credit_scoring_kedro.serving import credentials

    return credentials.read(Path(path)).get("dashboard") or {}


def _forget_session() -> None:
    # the next person to log in on this browser starts from the search page
    state.forget_client()
    st.session_state.pop(state.VIEW_KEY, None)
    st.session_state[api_client.USER_KEY] = None
