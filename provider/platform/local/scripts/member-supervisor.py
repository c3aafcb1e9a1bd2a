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

Peer watch (while the file PGCLUSTER_PEER_WATCH_FILE exists): when the whole leader member is gone
(its supervisor too, so nobody releases its lock), every member's supervisor would otherwise wait
for the lock's TTL. All members of a local cluster share this host, so the others can tell "gone"
from "slow": when both the leader's Patroni REST port and PostgreSQL port refuse connections
(nothing listens: no postmaster that could accept a write) on PROBES consecutive probes INTERVAL
apart, and the leader key has not changed meanwhile, the supervisor deletes it (compare on its
mod_revision). A timeout, or either port answering, resets the count: only a refusal is proof.

Switchover handoff: in a planned switchover Patroni stops PostgreSQL (fast), then waits a second
("give replicas some more time to catch up") before it releases the leader lock, and the candidate
cannot promote before. The supervisor is the postmaster's parent (subreaper), so it learns at once
that the postmaster has exited. When it has, and this member still holds the lock, a switchover
away from it is requested (the failover key names it as leader, not scheduled), pg_control says
"shut down" (a clean shutdown: every connected standby confirmed the WAL before the walsenders
exited), and the named candidate (any member, when none is named) has received WAL past the shutdown
checkpoint, the supervisor releases the lock itself (compare on its value and revision). Patroni's own
release later finds the key gone or someone else's and changes nothing. PGCLUSTER_PG_BINDIR names
pg_controldata. Like the peer watch, only while platform.local.peerWatch is on (the flag file exists).

Source watch (source_watch.py, beside this file): on a replica cluster's standby leader, records
where the source's WAL ends every second, for the RPO of an unplanned promotion.
"""
import base64
import ctypes
import json
import ssl
import os
import urllib.request
import signal
import socket
import sys
import threading
import source_watch
import time
from urllib.parse import urlsplit

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
libc = ctypes.CDLL(None, use_errno=True)


def prctl(option, value):
    if libc.prctl(option, value, 0, 0, 0) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def stamp():
    """Patroni's own time format (milliseconds after a comma), so the logs interleave."""
    now = time.time()
    return "%s,%03d" % (time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now)), int(now * 1000) % 1000)


def log(msg):
    sys.stderr.write("%s supervisor[%d]: %s\n" % (stamp(), os.getpid(), msg))
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
    body = {
        "compare": [{"key": b64(key), "result": "EQUAL", "target": "VALUE", "value": b64(member)}],
        "success": [{"request_delete_range": {"key": b64(key)}}],
    }
    req = urllib.request.Request(url.rstrip("/") + "/v3/kv/txn", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=2, context=etcd_tls()) as res:
            succeeded = json.load(res).get("succeeded", False)
        log("released the leader lock" if succeeded else "did not hold the leader lock")
    except Exception as e:  # etcd down: the lock expires by its TTL anyway
        log("could not release the leader lock: %s" % e)


_etcd_tls = []


def etcd_tls():
    """Under tls etcd speaks HTTPS: verify it with the cluster's CA (PGCLUSTER_ETCD_CA). One context,
    made once (loading the CA takes milliseconds the switchover handoff should not spend)."""
    if not _etcd_tls:
        ca = os.environ.get("PGCLUSTER_ETCD_CA")
        _etcd_tls.append(ssl.create_default_context(cafile=ca) if ca else None)
    return _etcd_tls[0]


def b64(value):
    return base64.b64encode(value.encode()).decode()


def etcd_post(path, body, timeout=1):
    url = os.environ["PGCLUSTER_ETCD_URL"].rstrip("/") + path
    req = urllib.request.Request(url, data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=timeout, context=etcd_tls()) as res:
        return json.load(res)


def etcd_get(key):
    """(value, mod_revision) of a key, or (None, None)."""
    kvs = etcd_post("/v3/kv/range", {"key": b64(key)}).get("kvs") or []
    if not kvs:
        return None, None
    return base64.b64decode(kvs[0]["value"]).decode(), kvs[0]["mod_revision"]


def refused(host, port):
    """True only when the connection is actively refused (nothing listens)."""
    try:
        socket.create_connection((host, port), timeout=0.5).close()
        return False
    except ConnectionRefusedError:
        return True
    except OSError:
        return False


LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def leader_gone(leader, prefix):
    """True when the leader member's REST API and PostgreSQL both refuse connections on this host."""
    data, _ = etcd_get(prefix + "/members/" + leader)
    if not data:
        return False
    info = json.loads(data)
    api, pg = urlsplit(info.get("api_url", "")), urlsplit(info.get("conn_url", ""))
    if api.hostname not in LOCAL_HOSTS or pg.hostname not in LOCAL_HOSTS or not api.port or not pg.port:
        return False
    return refused(api.hostname, api.port) and refused(pg.hostname, pg.port)


def controldata(bindir, pgdata):
    """(cluster state, latest checkpoint location as an int) from pg_controldata, or (None, None)."""
    import subprocess

    try:
        out = subprocess.run([os.path.join(bindir, "pg_controldata"), pgdata], capture_output=True, text=True,
                             timeout=5, env={"LC_ALL": "C", "PATH": os.environ.get("PATH", "/usr/bin:/bin")}).stdout
    except (OSError, subprocess.SubprocessError):
        return None, None
    fields = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
    state = fields.get("Database cluster state", "").strip()
    location = fields.get("Latest checkpoint location", "").strip()
    try:
        high, low = location.split("/")
        return state, (int(high, 16) << 32) + int(low, 16)
    except ValueError:
        return state, None


_api_tls = []


def api_tls():
    """The REST APIs' TLS context (source_watch.api_context), made once."""
    if not _api_tls:
        _api_tls.append(source_watch.api_context())
    return _api_tls[0]


def received_location(api_url):
    """What a member has received or replayed (bytes), from its REST API; 0 when it cannot say.

    Under tls the REST API is HTTPS, verified with the cluster's CA (PGCLUSTER_API_CA): without that
    context every call failed verification, the candidate never looked ready, and each switchover
    waited for Patroni's own release a second later.
    """
    try:
        with urllib.request.urlopen(api_url.rstrip("/") + "/patroni", timeout=1, context=api_tls()) as res:
            xlog = json.load(res).get("xlog") or {}
        return max(xlog.get("received_location") or 0, xlog.get("replayed_location") or 0)
    except Exception:
        return 0


def etcd_snapshot(key, prefix):
    """What the handoff reads from etcd, in one request: (leader value, its mod_revision, the
    failover request, {member name: member value})."""
    reply = etcd_post("/v3/kv/txn", {"success": [
        {"request_range": {"key": b64(key)}},
        {"request_range": {"key": b64(prefix + "/failover")}},
        {"request_range": {"key": b64(prefix + "/members/"), "range_end": b64(prefix + "/members0")}},
    ]})
    ranges = [(r.get("response_range") or {}).get("kvs") or [] for r in reply.get("responses") or []]
    ranges += [[]] * (3 - len(ranges))
    value = lambda kv: base64.b64decode(kv.get("value", "")).decode()
    leader = ranges[0][0] if ranges[0] else None
    return (value(leader) if leader else None, leader.get("mod_revision") if leader else None,
            value(ranges[1][0]) if ranges[1] else None,
            {base64.b64decode(kv["key"]).decode().rsplit("/", 1)[1]: value(kv) for kv in ranges[2]})


def caught_up(members, checkpoint):
    """The members (name -> member value) whose REST API says they have WAL past `checkpoint`,
    asked at the same time."""
    found = {}

    def ask(name, data):
        try:
            found[name] = received_location(json.loads(data).get("api_url", "")) > checkpoint
        except ValueError:
            found[name] = False

    threads = [threading.Thread(target=ask, args=item, daemon=True) for item in members.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(1.5)
    return sorted(name for name, ok in list(found.items()) if ok)


def switchover_handoff():
    """Releases the leader lock once a cleanly stopped primary's candidate has its last WAL (see above)."""
    key, member, pgdata, bindir = (os.environ.get(k) for k in
                                   ("PGCLUSTER_LEADER_KEY", "PGCLUSTER_MEMBER", "PGCLUSTER_PGDATA",
                                    "PGCLUSTER_PG_BINDIR"))
    if not (os.environ.get("PGCLUSTER_ETCD_URL") and key and member and pgdata and bindir):
        return
    flag = os.environ.get("PGCLUSTER_PEER_WATCH_FILE")
    if not (flag and os.path.exists(flag)):  # platform.local.peerWatch false: Patroni's own release only
        return
    started = time.time()
    try:
        if postmaster_alive(pgdata):
            return
        prefix = key.rsplit("/", 1)[0]
        leader, revision, failover, members = etcd_snapshot(key, prefix)
        if leader != member:
            return
        request = json.loads(failover) if failover else {}
        if request.get("leader") != member or request.get("scheduled_at"):
            return
        state, checkpoint = controldata(bindir, pgdata)
        if state != "shut down" or checkpoint is None:
            return
        wanted = request.get("member")
        ready = caught_up({name: data for name, data in members.items()
                           if name != member and (not wanted or name == wanted)}, checkpoint)
        if not ready:
            return
        result = etcd_post("/v3/kv/txn", {
            "compare": [{"key": b64(key), "result": "EQUAL", "target": "VALUE", "value": b64(member)},
                        {"key": b64(key), "result": "EQUAL", "target": "MOD", "mod_revision": revision}],
            "success": [{"request_delete_range": {"key": b64(key)}}],
        })
        if result.get("succeeded"):
            log("switchover: PostgreSQL shut down cleanly and %s has its last WAL: released the leader lock "
                "(%d ms after the postmaster exited)" % (", ".join(ready), (time.time() - started) * 1000))
    except Exception as e:  # etcd or a member unreachable: Patroni releases the lock itself
        log("switchover handoff: %s" % e)


def peer_watch(stop):
    key, member, flag = (os.environ.get(k) for k in
                         ("PGCLUSTER_LEADER_KEY", "PGCLUSTER_MEMBER", "PGCLUSTER_PEER_WATCH_FILE"))
    if not (os.environ.get("PGCLUSTER_ETCD_URL") and key and member and flag):
        return
    interval = float(os.environ.get("PGCLUSTER_PEER_WATCH_INTERVAL", "0.2"))
    needed = int(os.environ.get("PGCLUSTER_PEER_WATCH_PROBES", "3"))
    prefix = key.rsplit("/", 1)[0]
    seen, count = None, 0
    while not stop.wait(interval):
        try:
            if not os.path.exists(flag):
                seen, count = None, 0
                continue
            leader, revision = etcd_get(key)
            if not leader or leader == member:
                seen, count = None, 0
                continue
            if not leader_gone(leader, prefix):
                seen, count = None, 0
                continue
            count = count + 1 if seen == (leader, revision) else 1
            seen = (leader, revision)
            if count < needed:
                continue
            result = etcd_post("/v3/kv/txn", {
                "compare": [{"key": b64(key), "result": "EQUAL", "target": "MOD", "mod_revision": revision}],
                "success": [{"request_delete_range": {"key": b64(key)}}],
            })
            if result.get("succeeded"):
                log("leader %s is gone (REST API and PostgreSQL refuse connections %d times): "
                    "released its leader lock" % (leader, count))
            seen, count = None, 0
        except Exception as e:  # etcd unreachable or a bad record: try again next time
            seen, count = None, 0
            log("peer watch: %s" % e)


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
    stop_watch = threading.Event()
    threading.Thread(target=peer_watch, args=(stop_watch,), daemon=True).start()
    threading.Thread(target=source_watch.watch, args=(stop_watch, log), daemon=True).start()

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
        # Another child: the postmaster (re-parented to us) may have just exited.
        threading.Thread(target=switchover_handoff, daemon=True).start()
    stop_watch.set()
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
