"""WSGI entry point: ``gunicorn -c api/gunicorn.conf.py api.wsgi:app`` (``make api``)."""

from api.logging_setup import configure_json_logging

configure_json_logging()

from api.app import create_app  # noqa: E402  (logging first: loading the model logs)

app = create_app()
configure_json_logging()  # Kedro's import configures its own handlers: take the root back

