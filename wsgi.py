"""Entry point for gunicorn (`gunicorn wsgi:app`) and the flask CLI (`FLASK_APP=wsgi.py`)."""

from warehouse_exchange import create_app

app = create_app()
