#!/usr/bin/env python3
"""Patroni custom bootstrap of bootstrap.pgBasebackup: copies a running PostgreSQL into this
member's data directory with pg_basebackup, WAL included, so the copy starts consistent.

Usage: clone-basebackup.py CONFIG.json

CONFIG.json (written by pgcluster, no secret in it) holds pgBasebackup (the program), dataDir,
walDir (optional), host, port, user, database, sslMode and passFile (optional): the password is in
that file. It is copied to a private 0600 file (libpq ignores a password file its group can read,
as a Kubernetes Secret volume is), handed to pg_basebackup as PGPASSFILE (never an argument), and
the copy is removed once the copy ends, whatever the outcome; so is passFile itself unless
keepPassFile (a read-only Secret mount). pg_basebackup's progress goes to stderr (the member's
patroni.log, or the pod's log).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile


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
    private = None
    cmd = [c["pgBasebackup"], "--pgdata", c["dataDir"], "--wal-method=stream", "--checkpoint=fast",
           "--progress", "--no-password", "--dbname", conninfo(c)]
    if c.get("walDir"):
        cmd += ["--waldir", c["walDir"]]
    sys.stderr.write("clone: pg_basebackup from %s:%s as %s into %s\n" % (c["host"], c["port"], c["user"], c["dataDir"]))
    sys.stderr.flush()
    try:
        if c.get("passFile"):
            fd, private = tempfile.mkstemp(prefix="clone-", suffix=".pgpass")  # 0600, this user's
            with os.fdopen(fd, "wb") as out, open(c["passFile"], "rb") as src:
                shutil.copyfileobj(src, out)
            env["PGPASSFILE"] = private
        return subprocess.call(cmd, env=env)
    finally:
        if private:
            os.unlink(private)
        if c.get("passFile") and not c.get("keepPassFile"):
            try:
                os.unlink(c["passFile"])
            except FileNotFoundError:
                pass


if __name__ == "__main__":
    sys.exit(main())
