#!/usr/bin/env python3
"""Patroni callback: points the pooler at this member when it becomes the primary; and Patroni's
before_stop hook: PAUSEs the pooler as this member stops for pgcluster's switchover.

Usage (Patroni appends the last three): pooler-follow.py CONFIG.json ACTION ROLE SCOPE
       (postgresql.before_stop):        pooler-follow.py CONFIG.json before_stop

CONFIG.json (written by pgcluster, one per member) holds:
  primaryRoles      the roles Patroni passes for a primary (pgcluster's one mapping, patroni/roles.ts)
  databasesFile     the [databases] file PgBouncer includes
  databasesContent  its content with this member as the target (rendered by pgcluster)
  member            this member's name
  admin             {host, port, user, passFile}: PgBouncer's admin console
  postgres          {socketDir, port, patroniConfig}: this member's PostgreSQL, and the patroni.yml
                    that names the superuser (it logs in over the socket: peer, no password)
On on_start/on_role_change with a primary role it waits until this member's PostgreSQL accepts
writes (Patroni calls on_role_change as soon as it has signalled the promotion, while PostgreSQL may
still be ending recovery: a pooler repointed then would hand out a read-only server), rewrites
databasesFile atomically and sends RELOAD to PgBouncer (and RESUME, in case a switchover paused it);
when the file already targets this member (pgcluster's switchover got there first) it sends RESUME only.
While pgcluster's switchover holds the pooler (its mark beside the databases file), it first waits up
to HANDOVER_WAIT s for that switchover to repoint and resume the pooler itself, so there is one RELOAD.
A changed target makes PgBouncer close its server connections to the old primary as they are
released (server_fast_close: a session's at the end of its transaction). Any other call is a no-op.
A pooler that is not running is not an error: pgcluster writes the current primary when it starts one.

before_stop (Patroni runs it synchronously, after its own CHECKPOINT and right before it signals the
postmaster to stop): when pgcluster's switchover mark names this member as the primary it switches
over from, it PAUSEs the pooler and waits until every server connection is released (each running
transaction finished), at most the mark's pauseTimeoutMs, then records when and how in PAUSED_MARK.
The pooler's clients thus wait only from the moment PostgreSQL stops, not while Patroni checks the
members and writes its own checkpoint. Any other stop (no mark, another member, an old mark) is left
alone.
"""
import json
import os
import sys
import time

WRITABLE_TIMEOUT = 30.0
# Written by pgcluster's switchover beside the databases file while it holds the pooler.
SWITCHOVER_MARK = "switchover-in-progress"
# Written here by before_stop once the pooler is paused (read by pgcluster's switchover).
PAUSED_MARK = "switchover-paused"
HANDOVER_WAIT = 3.0
MARK_MAX_AGE = 120.0
# A before_stop older than this after the mark is not that switchover's demotion.
PAUSE_MARK_MAX_AGE = 30.0


def stamp():
    """Patroni's own time format (milliseconds after a comma), so the logs interleave."""
    now = time.time()
    return "%s,%03d" % (time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now)), int(now * 1000) % 1000)


def log(msg):
    sys.stderr.write("%s pooler-follow: %s\n" % (stamp(), msg))
    sys.stderr.flush()


def admin_command(admin, commands):
    """Runs the commands on PgBouncer's admin console; returns the rows of the last, as dicts."""
    import psycopg2

    with open(admin["passFile"]) as f:
        password = f.read().strip()
    tls = {k: admin[k] for k in ("sslmode", "sslrootcert") if k in admin}
    conn = psycopg2.connect(host=admin["host"], port=admin["port"], user=admin["user"],
                            password=password, dbname="pgbouncer", connect_timeout=3, **tls)
    conn.autocommit = True
    rows = []
    try:
        cur = conn.cursor()
        for command in commands:
            try:
                cur.execute(command)
                names = [c[0] for c in cur.description or []]
                rows = [dict(zip(names, row)) for row in cur.fetchall()] if names else []
            except psycopg2.Error as e:  # RESUME when not paused is an error we do not care about
                log("%s: %s" % (command, str(e).strip()))
    finally:
        conn.close()
    return rows


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


def read_mark(path):
    """The switchover mark ({at (ms), leader, pauseTimeoutMs}), or None when absent or unreadable."""
    try:
        with open(path) as f:
            mark = json.load(f)
        return mark if isinstance(mark, dict) and isinstance(mark.get("at"), (int, float)) else None
    except (OSError, ValueError):
        return None


def pause_pooler(admin, timeout):
    """PAUSE, waiting for it at most `timeout` s: (complete, server connections still in use)."""
    import threading

    done = {}

    def run():
        try:
            admin_command(admin, ["PAUSE"])
            done["ok"] = True
        except Exception as e:  # pooler not running: nothing to hold
            done["error"] = str(e).strip()

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout)
    if "error" in done:
        log("before_stop: PAUSE failed: %s" % done["error"])
    if done.get("ok"):
        return True, 0
    try:
        return False, sum(1 for r in admin_command(admin, ["SHOW SERVERS"]) if r.get("state") == "active")
    except Exception:
        return False, -1


def before_stop(config):
    pooler_dir = os.path.dirname(config["databasesFile"])
    mark = read_mark(os.path.join(pooler_dir, SWITCHOVER_MARK))
    if not mark or mark.get("leader") != config.get("member"):
        return 0
    if time.time() - mark["at"] / 1000 > PAUSE_MARK_MAX_AGE:
        return 0
    started = time.time()
    timeout = float(mark.get("pauseTimeoutMs") or 10000) / 1000
    complete, busy = pause_pooler(config["admin"], timeout)
    result = {"at": int(started * 1000), "ms": int((time.time() - started) * 1000), "complete": complete,
              "busy": busy}
    path = os.path.join(pooler_dir, PAUSED_MARK)
    tmp = path + ".%d.tmp" % os.getpid()
    with open(tmp, "w") as f:
        json.dump(result, f)
    os.chmod(tmp, 0o644)
    os.rename(tmp, path)
    log("before_stop: paused the pooler for pgcluster's switchover in %.3f s%s"
        % (result["ms"] / 1000, "" if complete else " (%s server connection(s) still in use: stopping anyway)"
           % ("some" if busy < 0 else busy)))
    return 0


def handed_over(mark):
    """While pgcluster's switchover holds the pooler (its mark, younger than MARK_MAX_AGE s), wait up
    to HANDOVER_WAIT s for it to repoint and RESUME the pooler itself: two RELOADs would recycle the
    session clients' server connections twice (PgBouncer 1.18 under server TLS). Then go on, so a
    switchover that died midway never leaves the pooler paused."""
    deadline = time.time() + HANDOVER_WAIT
    while time.time() < deadline:
        held = read_mark(mark)
        if not held or time.time() - held["at"] / 1000 > MARK_MAX_AGE:
            return
        time.sleep(0.02)
    log("pgcluster's switchover did not resume the pooler within %.0f s; doing it here" % HANDOVER_WAIT)


def main():
    if len(sys.argv) == 3 and sys.argv[2] == "before_stop":
        with open(sys.argv[1]) as f:
            return before_stop(json.load(f))
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
    handed_over(os.path.join(os.path.dirname(target), SWITCHOVER_MARK))
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
