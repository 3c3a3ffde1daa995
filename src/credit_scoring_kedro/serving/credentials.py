"""The API keys and the dashboard's logins: created once, kept in ``conf/local/credentials.yml``.

Why a generated file: a service that starts open because nobody set a key is the most common
way personal data leaks from an API. The first ``make run`` therefore writes random keys
(and one relationship-manager login with a hashed password) into the git-ignored local
configuration, readable by the owner only (mode 600), and both services read them from
there. Kedro's own convention puts credentials in ``conf/local/credentials.yml``.

``python -m credit_scoring_kedro.serving.credentials init`` creates the file when it is
missing (``make credentials``); ``rotate <name>`` replaces one key; ``add-user <name>`` adds
a login; ``key <name>`` prints a key; ``show-password`` prints the first login's generated
password while its file exists.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from credit_scoring_kedro.serving.processes import PROJECT

#: Each role may do what the roles before it may: a viewer reads, a scorer also decides
#: (POST /predict), a manager also oversees decisions (overrides, contests: human oversight,
#: serving/oversight.py), an admin also switches the review mode and reloads the model.
ROLES = ("viewer", "scorer", "manager", "admin")
DEFAULT_FILE = PROJECT / "conf" / "local" / "credentials.yml"
PASSWORD_FILE = "dashboard_initial_password.txt"
# The keys a fresh installation gets: the dashboard's managers read client data, decide and
# oversee decisions (always naming themselves in X-Acting-User), the origination system
# scores applications, the operator reloads models. The dashboard never holds an admin key.
DEFAULT_KEYS = {"dashboard": "manager", "scorer": "scorer", "admin": "admin"}
#: Keys an earlier version created with a lower role, raised by :func:`ensure` (secret kept).
UPGRADED_KEYS = {"dashboard": ("viewer", "manager")}
FIRST_USER = "manager"


@dataclass(frozen=True)
class ApiKey:
    """A key's owner and what it may do."""

    name: str
    role: str

    def may(self, role: str) -> bool:
        """Whether this key's role includes ``role``."""
        return ROLES.index(self.role) >= ROLES.index(role)


def credentials_file() -> Path:
    """``CREDIT_CREDENTIALS_FILE`` or ``conf/local/credentials.yml``."""
    return Path(os.environ.get("CREDIT_CREDENTIALS_FILE") or DEFAULT_FILE)


def read(path: Path | None = None) -> dict[str, Any]:
    """The file's content ({} when absent)."""
    path = path or credentials_file()
    if not path.exists():
        return {}
    return yaml.safe_load(path.read_text()) or {}


def api_keys(content: dict[str, Any]) -> dict[str, ApiKey]:
    """``{secret: ApiKey}`` from the ``credit_api.keys`` section; unknown roles are an error."""
    keys = {}
    for name, entry in ((content.get("credit_api") or {}).get("keys") or {}).items():
        role = entry.get("role", "viewer")
        if role not in ROLES:
            raise ValueError(f"credentials: key {name!r} has role {role!r}; roles are {ROLES}")
        secret = str(entry.get("key", ""))
        if len(secret) < 16:
            raise ValueError(f"credentials: key {name!r} is shorter than 16 characters")
        keys[secret] = ApiKey(name, role)
    return keys


def key_of(name: str, path: Path | None = None) -> str | None:
    """The secret of the key called ``name`` (the launcher hands the dashboard its key)."""
    entry = ((read(path).get("credit_api") or {}).get("keys") or {}).get(name) or {}
    return entry.get("key")


def ensure(path: Path | None = None) -> bool:
    """Create the file, or add what it lacks (keys, a first login). True when it changed."""
    path = path or credentials_file()
    content = read(path)
    changed = False
    api = content.setdefault("credit_api", {}) or {}
    content["credit_api"] = api
    keys = api.setdefault("keys", {}) or {}
    api["keys"] = keys
    for name, role in DEFAULT_KEYS.items():
        if name not in keys:
            keys[name] = {"key": _secret(), "role": role}
            changed = True
    for name, (old, new) in UPGRADED_KEYS.items():
        # the dashboard's key was a viewer before human oversight: same secret, new role
        if isinstance(keys.get(name), dict) and keys[name].get("role") == old:
            keys[name]["role"] = new
            changed = True
    dashboard = content.setdefault("dashboard", {}) or {}
    content["dashboard"] = dashboard
    if not (dashboard.get("credentials") or {}).get("usernames"):
        password = secrets.token_urlsafe(12)
        dashboard["credentials"] = {"usernames": {FIRST_USER: {
            "name": "Relationship manager", "email": "manager@example.invalid",
            "password": hash_password(password)}}}
        _write_private(path.parent / PASSWORD_FILE, password + "\n")
        changed = True
    if not dashboard.get("cookie"):
        dashboard["cookie"] = {"name": "credit_dashboard_auth", "key": _secret(),
                               "expiry_days": 1}
        changed = True
    if changed:
        header = (f"# Written by `make run` on {datetime.now(UTC):%Y-%m-%d}: secrets, never commit "
                  "(conf/local is git-ignored).\n# Rotate a key: python -m "
                  "credit_scoring_kedro.serving.credentials rotate <name> (docs/security.md)\n")
        _write_private(path, header + yaml.safe_dump(content, sort_keys=False))
    elif path.exists() and path.stat().st_mode & 0o077:
        path.chmod(0o600)   # somebody widened it: secrets stay private
    return changed


def export_dashboard(target: Path, path: Path | None = None) -> None:
    """What a dashboard host may hold: the logins and the ``dashboard`` key (manager), no other."""
    content = read(path)
    key = ((content.get("credit_api") or {}).get("keys") or {}).get("dashboard")
    if key is None or not content.get("dashboard"):
        raise KeyError("the credentials have no dashboard key or logins: run `make credentials`")
    _write_private(target, yaml.safe_dump({"credit_api": {"keys": {"dashboard": key}},
                                           "dashboard": content["dashboard"]}, sort_keys=False))


def rotate(name: str, path: Path | None = None) -> str:
    """Give the key ``name`` a new secret (the old one stops working at the API's next start)."""
    path = path or credentials_file()
    content = read(path)
    keys = (content.get("credit_api") or {}).get("keys") or {}
    if name not in keys:
        raise KeyError(f"no key called {name!r} in {path} (keys: {', '.join(keys) or 'none'})")
    keys[name]["key"] = _secret()
    _write_private(path, yaml.safe_dump(content, sort_keys=False))
    return keys[name]["key"]


def add_user(username: str, password: str, display_name: str,
             path: Path | None = None) -> None:
    """Add (or reset) a dashboard login with a bcrypt-hashed password."""
    path = path or credentials_file()
    ensure(path)
    content = read(path)
    users = content["dashboard"]["credentials"]["usernames"]
    users[username] = {"name": display_name, "email": f"{username}@example.invalid",
                       "password": hash_password(password)}
    _write_private(path, yaml.safe_dump(content, sort_keys=False))


def hash_password(password: str) -> str:
    """bcrypt, the hash streamlit-authenticator checks."""
    import bcrypt

    return bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()


def _secret() -> str:
    return secrets.token_urlsafe(32)


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to a file only its owner can read, replacing it atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m credit_scoring_kedro.serving.credentials",
                                     description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("init", help="create the file or add what it lacks")
    rotate_cmd = commands.add_parser("rotate", help="give one key a new secret")
    rotate_cmd.add_argument("name")
    user_cmd = commands.add_parser("add-user", help="add or reset a dashboard login")
    user_cmd.add_argument("username")
    user_cmd.add_argument("--name", default=None, help="the name shown in the dashboard")
    commands.add_parser("show-password", help="the first login's generated password")
    export_cmd = commands.add_parser("export-dashboard",
                                     help="write the dashboard host's file (logins, its manager key)")
    export_cmd.add_argument("target", type=Path)
    key_cmd = commands.add_parser("key", help="print one key's secret (for a client's config)")
    key_cmd.add_argument("name")
    args = parser.parse_args(argv)
    path = credentials_file()
    if args.command == "init":
        created = ensure(path)
        print(f">> credentials {'written to' if created else 'already in'} {path}")
        if created and (path.parent / PASSWORD_FILE).exists():
            print(f">> dashboard login: {FIRST_USER} / "
                  f"{(path.parent / PASSWORD_FILE).read_text().strip()} "
                  f"(also in {path.parent / PASSWORD_FILE}; change it with `add-user`)")
    elif args.command == "rotate":
        try:
            rotate(args.name, path)
        except KeyError as error:
            print(f"!! {error.args[0]}", file=sys.stderr)
            return 2
        print(f">> new secret for {args.name!r} written to {path}; restart the API "
              "(and the dashboard if it was its key)")
    elif args.command == "add-user":
        import getpass

        password = getpass.getpass(f"password for {args.username}: ")
        if len(password) < 10:
            print("!! a password needs at least 10 characters", file=sys.stderr)
            return 2
        add_user(args.username, password, args.name or args.username, path)
        print(f">> login {args.username!r} written to {path}")
    elif args.command == "export-dashboard":
        try:
            export_dashboard(args.target, path)
        except KeyError as error:
            print(f"!! {error.args[0]}", file=sys.stderr)
            return 2
        print(f">> {args.target}: the dashboard's logins and manager key (mode 600)")
    elif args.command == "key":
        secret = key_of(args.name, path)
        if not secret:
            print(f"!! no key called {args.name!r} in {path}", file=sys.stderr)
            return 2
        print(secret)
    else:
        stored = path.parent / PASSWORD_FILE
        if not stored.exists():
            print("!! no generated password on file (it was removed or never created)",
                  file=sys.stderr)
            return 2
        print(stored.read_text().strip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
