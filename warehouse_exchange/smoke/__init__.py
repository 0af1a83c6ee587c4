"""The scale-out smoke run: the production shape on one machine, driven hard for a bounded time.

`python -m warehouse_exchange.smoke` starts, on 127.0.0.1 only, a database of its own on the
machine's PostgreSQL, its own Redis, a local S3 server, two app instances (two gunicorn masters
with two workers each, sharing database, Redis and bucket) and two scheduler processes. It
drives mixed traffic at both instances, stops and restarts Redis, then checks the invariants
that must hold whatever the load: no 5xx, no listing overbooked, every ledger transaction
balanced, every due release posted exactly once, uploads readable through either instance,
one log-in limit across instances, and readiness that follows Redis. It prints its figures and
exits non-zero when any invariant is broken."""
