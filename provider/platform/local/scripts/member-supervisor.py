#!/usr/bin/env python3
"""Keeps a Patroni member and its postmaster alive together, and dead together.

Usage: member-supervisor.py SUPERVISOR_PIDFILE PATRONI_PIDFILE -- PATRONI_COMMAND...

Patroni starts PostgreSQL detached (double fork), so when Patroni crashes the postmaster would
run on as an orphan: a primary nobody manages, and a split brain once another member is promoted.
This supervisor becomes a child subreaper (prctl PR_SET_CHILD_SUBREAPER), so the detached
postmaster is re-parented to it. When Patroni exits for any reason, the supervisor stops every
process left below it (SIGQUIT: PostgreSQL's immediate shutdown, then SIGKILL) and exits.
Patroni gets PR_SET_PDEATHSIG=SIGKILL, so it cannot outlive the supervisor either.
SIGTERM/SIGINT are forwarded to Patroni, which stops PostgreSQL cleanly first.

When Patroni dies abnormally while it held the leader lock, the supervisor releases the lock in
etcd once the postmaster is gone (a compare-and-delete on the leader key: only if this member
still holds it), so a replica takes over at once instead of after the lock's TTL. Environment:
PGCLUSTER_ETCD_URL, PGCLUSTER_LEADER_KEY, PGCLUSTER_MEMBER, PGCLUSTER_PGDATA (all optional).
"""
import base64
import ctypes
import json
import os
import urllib.request
import signal
import sys
import time

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
libc = ctypes.CDLL(None, use_errno=True)


def prctl(option, value):
    if libc.prctl(option, value, 0, 0, 0) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def log(msg):
    sys.stderr.write("%s supervisor[%d]: %s\n" % (time.strftime("%Y-%m-%d %H:%M:%S"), os.getpid(), msg))
    sys.stderr.flush()


def write_pid(path, pid):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % pid)
    os.rename(tmp, path)


def children():
    """PIDs whose parent is this process (including orphans re-parented to us)."""
    me = os.getpid()
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if int(fields[1]) == me and fields[0] != "Z":
            out.append(int(entry))
    return out


def reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def stop_all_children():
    deadline = time.time() + 5
    sent_kill = False
    for pid in children():
        log("stopping leftover process %d (SIGQUIT)" % pid)
        try:
            os.kill(pid, signal.SIGQUIT)
        except ProcessLookupError:
            pass
    while True:
        reap()
        left = children()
        if not left:
            return
        if time.time() > deadline and not sent_kill:
            for pid in left:
                log("killing leftover process %d (SIGKILL)" % pid)
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            sent_kill = True
        time.sleep(0.05)


def postmaster_alive(pgdata):
    try:
        with open(os.path.join(pgdata, "postmaster.pid")) as f:
            pid = int(f.readline().strip())
    except (OSError, ValueError):
        return False
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def release_leader_lock():
    """Deletes the leader key if this member holds it. Safe only once the postmaster is gone."""
    url, key, member = (os.environ.get(k) for k in ("PGCLUSTER_ETCD_URL", "PGCLUSTER_LEADER_KEY", "PGCLUSTER_MEMBER"))
    pgdata = os.environ.get("PGCLUSTER_PGDATA")
    if not (url and key and member):
        return
    if pgdata and postmaster_alive(pgdata):
        log("postmaster still alive; not releasing the leader lock")
        return
    b64 = lambda v: base64.b64encode(v.encode()).decode()
    body = {
        "compare": [{"key": b64(key), "result": "EQUAL", "target": "VALUE", "value": b64(member)}],
        "success": [{"request_delete_range": {"key": b64(key)}}],
    }
    req = urllib.request.Request(url.rstrip("/") + "/v3/kv/txn", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=2) as res:
            succeeded = json.load(res).get("succeeded", False)
        log("released the leader lock" if succeeded else "did not hold the leader lock")
    except Exception as e:  # etcd down: the lock expires by its TTL anyway
        log("could not release the leader lock: %s" % e)


def main():
    args = sys.argv[1:]
    if len(args) < 4 or args[2] != "--":
        sys.stderr.write(__doc__)
        return 2
    supervisor_pidfile, patroni_pidfile, command = args[0], args[1], args[3:]
    prctl(PR_SET_CHILD_SUBREAPER, 1)
    me = os.getpid()

    def in_child():
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != me:  # the supervisor died before prctl took effect
            os._exit(1)

    pid = os.fork()
    if pid == 0:
        try:
            in_child()
            os.execvp(command[0], command)
        finally:
            os._exit(127)

    write_pid(patroni_pidfile, pid)
    write_pid(supervisor_pidfile, me)
    log("started patroni pid %d" % pid)

    def forward(signum, _frame):
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)

    status = 0
    while True:
        try:
            done, st = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        if done == pid:
            status = os.waitstatus_to_exitcode(st)
            log("patroni exited with %d; stopping what it left behind" % status)
            break
    stop_all_children()
    if status != 0:
        release_leader_lock()
    for path in (patroni_pidfile, supervisor_pidfile):
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
    return 0 if status == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
