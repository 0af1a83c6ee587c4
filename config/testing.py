"""Test runs. The test fixtures set the database URI per backend."""

TESTING = True
SECRET_KEY = "testing-secret-key"
WTF_CSRF_ENABLED = False
RATELIMIT_ENABLED = False
SERVER_NAME = None
