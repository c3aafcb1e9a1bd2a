#!/usr/bin/env python3
"""Patroni custom bootstrap of bootstrap.pgBasebackup: copies a running PostgreSQL into this
member's data directory with pg_basebackup, WAL included, so the copy starts consistent.

Usage: clone-basebackup.py CONFIG.json

CONFIG.json (written by pgcluster, 0600) holds pgBasebackup (the program), dataDir, host, port,
user, database, sslMode and passFile (optional): the password is in that 0600 file, handed to
pg_basebackup as PGPASSFILE (never an argument), and the file is removed once the copy ends,
whatever the outcome. pg_basebackup's progress goes to stderr (the member's patroni.log).
"""
import json
import os
import subprocess
import sys


def conninfo(c):
    def quote(v):
        return "'" + str(v).replace("\\", "\\\\").replace("'", "\\'") + "'"
    parts = {
        "host": c["host"], "port": c["port"], "user": c["user"], "dbname": c["database"],
        "sslmode": c["sslMode"], "application_name": "pgcluster-clone", "connect_timeout": 10,
    }
    return " ".join("%s=%s" % (k, quote(v)) for k, v in parts.items())


def main():
    if len(sys.argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    with open(sys.argv[1]) as f:
        c = json.load(f)
    env = dict(os.environ)
    if c.get("passFile"):
        env["PGPASSFILE"] = c["passFile"]
    cmd = [c["pgBasebackup"], "--pgdata", c["dataDir"], "--wal-method=stream", "--checkpoint=fast",
           "--progress", "--no-password", "--dbname", conninfo(c)]
    sys.stderr.write("clone: pg_basebackup from %s:%s as %s into %s\n" % (c["host"], c["port"], c["user"], c["dataDir"]))
    sys.stderr.flush()
    try:
        return subprocess.call(cmd, env=env)
    finally:
        if c.get("passFile"):
            try:
                os.unlink(c["passFile"])
            except FileNotFoundError:
                pass


if __name__ == "__main__":
    sys.exit(main())
