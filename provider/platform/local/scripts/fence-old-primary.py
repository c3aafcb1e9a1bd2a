#!/usr/bin/env python3
"""Fencing before a promotion on the local platform (Patroni's postgresql.pre_promote).

Usage: fence-old-primary.py MEMBERS_DIR SELF PG_BINDIR

Patroni runs it after this member has taken the leader lock and before it promotes PostgreSQL.
Every member's processes are on this host, so the old primary can be fenced for certain: any other
member whose postmaster is alive and whose pg_control says "in production" (it runs as a primary:
a frozen one, a cut-off one) is SIGKILLed together with every process under it (its backends).
SIGKILL ends a SIGSTOPped process too, so a primary frozen like a paused VM cannot thaw and accept a
write beside the new one. A replica ("in archive recovery") and a cleanly stopped primary are left
alone. Exit 1 (Patroni then does not promote and releases the lock) only when an old primary is
still alive after the kill.
"""
import os
import signal
import struct
import subprocess
import sys
import time


def stamp():
    """Patroni's own time format (milliseconds after a comma), so the logs interleave."""
    now = time.time()
    return "%s,%03d" % (time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now)), int(now * 1000) % 1000)


def log(msg):
    sys.stderr.write("%s fence-old-primary: %s\n" % (stamp(), msg))


def alive(pid):
    """A live process, not a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def descendants(root):
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


# pg_control begins with system_identifier (uint64), pg_control_version and catalog_version_no
# (uint32 each), then state (the DBState enum), the same in PostgreSQL 13 to 17.
STATE_OFFSET = 16
DB_STATES = {1: "shut down", 2: "shut down in recovery", 3: "shutting down", 4: "in crash recovery",
             5: "in archive recovery", 6: "in production"}


def cluster_state(bindir, data):
    """pg_control's state, read from the file (this runs inside the promotion: no process to start);
    pg_controldata when the file cannot be read that way."""
    try:
        with open(os.path.join(data, "global", "pg_control"), "rb") as f:
            raw = f.read(STATE_OFFSET + 4)
        if len(raw) == STATE_OFFSET + 4:
            state = DB_STATES.get(struct.unpack_from("<i" if sys.byteorder == "little" else ">i", raw, STATE_OFFSET)[0])
            if state:
                return state
    except OSError:
        pass
    try:
        out = subprocess.run([os.path.join(bindir, "pg_controldata"), data], capture_output=True, text=True,
                             timeout=5, env={"LC_ALL": "C", "PATH": os.environ.get("PATH", "/usr/bin:/bin")}).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    for line in out.splitlines():
        if line.startswith("Database cluster state:"):
            return line.split(":", 1)[1].strip()
    return None


def main():
    if len(sys.argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    members_dir, me, bindir = sys.argv[1:4]
    failed = False
    for name in sorted(os.listdir(members_dir)):
        if name == me:
            continue
        data = os.path.join(members_dir, name, "data")
        try:
            with open(os.path.join(data, "postmaster.pid")) as f:
                pid = int(f.readline().strip())
        except (OSError, ValueError):
            continue
        if not alive(pid) or cluster_state(bindir, data) != "in production":
            continue
        tree = descendants(pid)
        for p in tree:
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
        deadline = time.time() + 3
        while time.time() < deadline and any(alive(p) for p in tree):
            time.sleep(0.01)
        if alive(pid):
            log("%s: its postmaster %d (a primary) is still alive after SIGKILL: not promoting" % (name, pid))
            failed = True
        else:
            log("%s: fenced its postmaster %d (a primary) and %d process(es) under it before %s promotes"
                % (name, pid, len(tree) - 1, me))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
