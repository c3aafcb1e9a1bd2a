"""Source watch of a replica cluster's standby leader (run by member-supervisor.py in a thread).

So that an unplanned promotion can say how far behind the replica cluster was once its source is
gone (the RPO), the standby leader records, every INTERVAL seconds, where its source's WAL ends:
the source primary's Patroni REST API (`GET /patroni`: its role and `xlog.location`, no password),
the time it was heard, and what this member had received then. When the source stops answering,
the first failed probe is recorded (`firstFailedAt`), and once SILENT_AFTER probes in a row have
failed, the time of the last of them (`silentFrom`): the source stopped between `heardAt` and
`silentFrom`. One failed probe is not taken for silence (a probe can time out on a busy host while
the source still commits): `silentFrom` is an upper bound on the source's end only if it comes
from a probe after that end, and a streak of failures ends after it. Nothing is recorded while this member is not the standby leader. Under
TLS the REST APIs are HTTPS, verified with PGCLUSTER_API_CA: the cluster's CA, which a replica
cluster shares with its source (a source whose certificate that CA did not sign is not heard).

Environment: PGCLUSTER_SOURCE_WATCH (a JSON file `up` writes: {"apiUrls": [...]}, the source's
members), PGCLUSTER_SOURCE_POSITION (where this member writes its record, JSON, atomically),
PGCLUSTER_API_URL (this member's REST API), PGCLUSTER_API_CA (the CA file, under TLS). Without the
first three the watch does nothing.
"""
import json
import os
import ssl
import time
import urllib.request

INTERVAL = 1.0
# A probe over HTTPS across a slow link on a busy host can take over a second; one that times out
# is taken for silence, so the budget is generous.
PROBE_TIMEOUT = 3.0
# Probes in a row that no source member answers before the source is taken for silent.
SILENT_AFTER = 3


def api_context():
    """The TLS context of HTTPS REST APIs (the cluster's CA), or None (plain HTTP)."""
    ca = os.environ.get("PGCLUSTER_API_CA")
    return ssl.create_default_context(cafile=ca) if ca else None


def get(url, timeout=PROBE_TIMEOUT, context=None):
    with urllib.request.urlopen(url.rstrip("/") + "/patroni", timeout=timeout, context=context) as res:
        return json.load(res)


def write(path, record):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(record, f)
    os.replace(tmp, path)


def probe_source(urls, context=None):
    """The source primary's (cluster, member, WAL location), or None when none of its members says it is one."""
    for url in urls:
        if url.startswith("https://") and context is None:
            continue
        try:
            me = get(url, context=context)
        except Exception:
            continue
        if me.get("role") == "primary" and (me.get("xlog") or {}).get("location") is not None:
            patroni = me.get("patroni") or {}
            return patroni.get("scope"), patroni.get("name") or url, int(me["xlog"]["location"])
    return None


def observe(record, source, xlog, now):
    """The record after one probe (the same object when nothing changed).

    `source` is probe_source's answer (None: no source primary answered), `xlog` this member's
    own `xlog` (what it had received), `now` when the probe ended.
    """
    if source:
        return {
            "sourceCluster": source[0],
            "sourceMember": source[1],
            "sourceLocation": source[2],
            "heardAt": now,
            "receivedLocation": (xlog or {}).get("received_location"),
            "firstFailedAt": None,
            "failedProbes": 0,
            "silentFrom": None,
        }
    if not record or record.get("silentFrom") is not None:
        return record
    failed = record.get("failedProbes", 0) + 1
    return dict(
        record,
        failedProbes=failed,
        firstFailedAt=record.get("firstFailedAt") or now,
        silentFrom=now if failed >= SILENT_AFTER else None,
    )


def watch(stop, log):
    conf, out, own = (os.environ.get(k) for k in
                      ("PGCLUSTER_SOURCE_WATCH", "PGCLUSTER_SOURCE_POSITION", "PGCLUSTER_API_URL"))
    if not (conf and out and own):
        return
    context = api_context()
    record = None
    while not stop.wait(INTERVAL):
        try:
            with open(conf) as f:
                urls = json.load(f).get("apiUrls") or []
            me = get(own, context=context) if urls else {}
        except Exception:
            continue  # no source configured (a primary cluster), or our own Patroni is restarting
        if me.get("role") != "standby_leader":
            record = None
            continue
        source = probe_source(urls, context)
        try:
            after = observe(record, source, me.get("xlog"), time.time())
            if after is not record:
                write(out, after)
                if after["silentFrom"] is not None:
                    log("source watch: the source answers no more since %.3f (%d probes in a row; "
                        "first failed %.3f, last heard %.3f)"
                        % (after["silentFrom"], after["failedProbes"], after["firstFailedAt"],
                           after["heardAt"]))
            record = after
        except Exception as e:
            log("source watch: %s" % e)
