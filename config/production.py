"""Production: everything secret or site-specific comes from the environment.

Set WX_SECRET_KEY and WX_SQLALCHEMY_DATABASE_URI (postgresql+psycopg://...);
any other setting can be overridden with a WX_ prefixed variable.
"""

DEBUG = False
SECRET_KEY = None
SESSION_COOKIE_SECURE = True
REMEMBER_COOKIE_SECURE = True
SESSION_COOKIE_SAMESITE = "Lax"
DEMO_CLOCK = False
STRICT_TRANSPORT_SECURITY = True
LOG_FORMAT = "json"
