"""The marketplace's clockwork: APScheduler jobs that call services."""
