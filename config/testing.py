"""Test runs. The test fixtures set the database URI per backend."""

import tempfile

TESTING = True
SECRET_KEY = "testing-secret-key"
WTF_CSRF_ENABLED = False
RATELIMIT_ENABLED = False
SERVER_NAME = None
UPLOAD_FOLDER = tempfile.mkdtemp(prefix="wx-test-uploads-")
