"""Local development: SQLite in the instance folder, offline geocoder, debug on."""

DEBUG = True
TEMPLATES_AUTO_RELOAD = True
