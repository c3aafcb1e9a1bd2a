#!/usr/bin/env python3
"""Patroni callback: points the pooler at this member when it becomes the primary.

Usage (Patroni appends the last three): pooler-follow.py CONFIG.json ACTION ROLE SCOPE

CONFIG.json (written by pgcluster, one per member) holds:
  primaryRoles      the roles Patroni passes for a primary (pgcluster's one mapping, patroni/roles.ts)
  databasesFile     the [databases] file PgBouncer includes
  databasesContent  its content with this member as the target (rendered by pgcluster)
  admin             {host, port, user, passFile}: PgBouncer's admin console
  postgres          {socketDir, port, patroniConfig}: this member's PostgreSQL, and the patroni.yml
                    that names the superuser (it logs in over the socket: peer, no password)
On on_start/on_role_change with a primary role it waits until this member's PostgreSQL accepts
writes (Patroni calls on_role_change as soon as it has signalled the promotion, while PostgreSQL may
still be ending recovery: a pooler repointed then would hand out a read-only server), rewrites
databasesFile atomically and sends RELOAD to PgBouncer (and RESUME, in case a switchover paused it);
when the file already targets this member (pgcluster's switchover got there first) it sends RESUME only.
A changed target makes PgBouncer close its server connections to the old primary as they are
released (server_fast_close: a session's at the end of its transaction). Any other call is a no-op.
A pooler that is not running is not an error: pgcluster writes the current primary when it starts one.
"""
import json
import os
import sys
import time

WRITABLE_TIMEOUT = 30.0


def log(msg):
    sys.stderr.write("%s pooler-follow: %s\n" % (time.strftime("%Y-%m-%d %H:%M:%S"), msg))
    sys.stderr.flush()


def admin_command(admin, commands):
    import psycopg2

    with open(admin["passFile"]) as f:
        password = f.read().strip()
    tls = {k: admin[k] for k in ("sslmode", "sslrootcert") if k in admin}
    conn = psycopg2.connect(host=admin["host"], port=admin["port"], user=admin["user"],
                            password=password, dbname="pgbouncer", connect_timeout=3, **tls)
    conn.autocommit = True
    try:
        cur = conn.cursor()
        for command in commands:
            try:
                cur.execute(command)
            except psycopg2.Error as e:  # RESUME when not paused is an error we do not care about
                log("%s: %s" % (command, str(e).strip()))
    finally:
        conn.close()


def wait_writable(pg):
    """True once this member's PostgreSQL is out of recovery; False after WRITABLE_TIMEOUT."""
    import psycopg2
    import yaml

    with open(pg["patroniConfig"]) as f:
        superuser = yaml.safe_load(f)["postgresql"]["authentication"]["superuser"]
    deadline = time.time() + WRITABLE_TIMEOUT
    while time.time() < deadline:
        conn = None
        try:
            # Over the socket as the run user, which pg_ident maps to the superuser (peer): no password.
            conn = psycopg2.connect(host=pg["socketDir"], port=pg["port"], user=superuser["username"],
                                    dbname="postgres", connect_timeout=2)
            conn.autocommit = True
            cur = conn.cursor()
            while time.time() < deadline:
                cur.execute("select pg_is_in_recovery()")
                if not cur.fetchone()[0]:
                    return True
                time.sleep(0.01)
        except psycopg2.Error:
            time.sleep(0.05)
        finally:
            if conn is not None:
                conn.close()
    return False


def main():
    if len(sys.argv) < 5:
        sys.stderr.write(__doc__)
        return 2
    config_file, action, role = sys.argv[1], sys.argv[2], sys.argv[3]
    with open(config_file) as f:
        config = json.load(f)
    if action not in ("on_start", "on_role_change") or role not in config["primaryRoles"]:
        return 0
    target = config["databasesFile"]
    if not os.path.isdir(os.path.dirname(target)):
        log("no pooler directory %s; nothing to do" % os.path.dirname(target))
        return 0
    started = time.time()
    if config.get("postgres") and not wait_writable(config["postgres"]):
        log("%s as %s: PostgreSQL did not accept writes within %d s; the pooler is left as it is"
            % (action, role, WRITABLE_TIMEOUT))
        return 1
    try:
        with open(target) as f:
            current = f.read()
    except OSError:
        current = None
    if current == config["databasesContent"]:
        # Already repointed (by pgcluster's switchover, which RELOADed): RESUME only. Under server TLS
        # PgBouncer 1.18 recycles every server connection on each RELOAD, which would drop the
        # session clients already running on this member.
        commands = ["RESUME"]
    else:
        tmp = target + ".%d.tmp" % os.getpid()
        with open(tmp, "w") as f:
            f.write(config["databasesContent"])
        os.chmod(tmp, 0o600)
        os.rename(tmp, target)
        commands = ["RELOAD", "RESUME"]
    try:
        admin_command(config["admin"], commands)
        log("%s as %s: pooler now targets this member (writable after %.2f s)"
            % (action, role, time.time() - started))
    except Exception as e:  # pooler not running: it reads the file when it starts
        log("pooler not reachable (%s); it will read the new target when it starts" % str(e).strip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
