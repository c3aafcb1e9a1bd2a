#!/usr/bin/env python3
"""Fencing before a promotion on Kubernetes (Patroni's postgresql.pre_promote in every member pod).

Usage: k8s-fence-old-primary.py SCOPE

Patroni runs it after this member has taken the leader lock and before it promotes PostgreSQL
(a non-zero exit aborts the promotion, and Patroni releases the lock). A primary frozen past the
TTL (every process of its container SIGSTOPped, like a paused VM) still carries Patroni's
`role: primary` label, and when it thaws its backends can commit with synchronous_commit = local
before its Patroni notices it lost the lock and demotes. So before promoting, every other pod of
the cluster that may still run a primary is deleted through the API, and the promotion waits for
the kubelet to confirm that its containers are gone:

- a candidate is a pod whose postgres container is running, that is labelled primary, and whose
  Patroni either does not answer GET /patroni within 2 s (frozen, cut off) or answers that it runs
  as a primary (a live split brain). A member that answers as a replica, or as stopped or demoted
  (the old primary of a planned switchover), is left alone;
- it is deleted with a grace period of 1 s, guarded by its UID: the kubelet sends SIGTERM, then
  SIGKILL to the container's first process after 1 s, which ends every process of the container
  (they share its PID namespace) even a stopped one. The pod object stays until the kubelet has
  seen its containers exit, so the pod gone from the API (or another pod by that name, the
  StatefulSet's new one) or its postgres container `terminated` is the kubelet's confirmation;
- exit 1 if that confirmation does not come within FENCE_TIMEOUT seconds (a node whose kubelet
  does not answer): no promotion beside a primary whose death is not known. Patroni tries again at
  its next loop. A node lost for good needs the operator's `kubectl delete pod --force`, as every
  StatefulSet pod on a lost node does.

This pod's name is its hostname (a StatefulSet pod's), its namespace the service account's: Patroni
removes the PATRONI_* variables from the environment of the scripts it runs. Reaches the API server
with the pod's service account (in-cluster; the Role allows deleting the cluster's pods), stdlib only.
"""
import json
import os
import socket
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from k8s_patroni_rest import patroni_context, patroni_url

SA = "/var/run/secrets/kubernetes.io/serviceaccount"
CONTAINER = "postgres"
SCOPE_LABEL = "cluster-name"
ROLE_LABEL = "role"
PRIMARY_ROLES = ("primary", "master", "standby_leader")
FENCE_TIMEOUT = float(os.environ.get("PGCLUSTER_FENCE_TIMEOUT", "30"))


def log(message):
    sys.stderr.write("%s fence-old-primary: %s\n" % (time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), message))
    sys.stderr.flush()


class Api:
    def __init__(self):
        self.base = "https://%s:%s" % (os.environ["KUBERNETES_SERVICE_HOST"], os.environ["KUBERNETES_SERVICE_PORT"])
        self.context = ssl.create_default_context(cafile=SA + "/ca.crt")

    def json(self, method, path, body=None):
        with open(SA + "/token") as f:
            token = f.read().strip()
        req = urllib.request.Request(
            self.base + path,
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": "Bearer " + token, "Content-Type": "application/json", "Accept": "application/json"},
        )
        with urllib.request.urlopen(req, context=self.context, timeout=10) as r:
            return json.load(r)


def postgres_running(pod):
    for c in (pod.get("status") or {}).get("containerStatuses") or []:
        if c.get("name") == CONTAINER:
            return "running" in (c.get("state") or {})
    return False


def postgres_terminated(pod):
    for c in (pod.get("status") or {}).get("containerStatuses") or []:
        if c.get("name") == CONTAINER:
            return "terminated" in (c.get("state") or {})
    return False


def patroni_view(ip):
    """(role, state) from the member's Patroni, or None when it does not answer within 2 s."""
    try:
        with urllib.request.urlopen(patroni_url(ip, "/patroni"), timeout=2,
                                    context=patroni_context(check_hostname=False)) as r:
            body = json.load(r)
    except urllib.error.HTTPError as e:  # 503 still carries the member's view
        try:
            body = json.load(e)
        except ValueError:
            return None
    except (OSError, ValueError):
        return None
    return body.get("role"), body.get("state")


def may_run_a_primary(pod):
    labels = (pod.get("metadata") or {}).get("labels") or {}
    if not postgres_running(pod) or labels.get(ROLE_LABEL) not in PRIMARY_ROLES:
        return False, "not a running primary"
    ip = (pod.get("status") or {}).get("podIP")
    view = patroni_view(ip) if ip else None
    if view is None:
        return True, "labelled %s and its Patroni does not answer" % labels.get(ROLE_LABEL)
    role, state = view
    if role in PRIMARY_ROLES and state == "running":
        return True, "its Patroni says it runs as %s" % role
    return False, "its Patroni says %s, %s" % (role, state)


def fence(api, ns, pod):
    name = pod["metadata"]["name"]
    uid = pod["metadata"]["uid"]
    path = "/api/v1/namespaces/%s/pods/%s" % (ns, urllib.parse.quote(name))
    try:
        api.json("DELETE", path, {"kind": "DeleteOptions", "apiVersion": "v1", "gracePeriodSeconds": 1,
                                  "preconditions": {"uid": uid}})
    except urllib.error.HTTPError as e:
        if e.code not in (404, 409):  # gone already, or another pod by that name (the old one is gone)
            raise
    deadline = time.time() + FENCE_TIMEOUT
    while time.time() < deadline:
        try:
            current = api.json("GET", path)
        except urllib.error.HTTPError as e:
            if e.code == 404:
                return True
            current = None
        if current is not None:
            if current["metadata"].get("uid") != uid:
                return True
            if postgres_terminated(current):
                return True
        time.sleep(0.2)
    return False


def main():
    if len(sys.argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    scope = sys.argv[1]
    me = socket.gethostname()
    with open(SA + "/namespace") as f:
        ns = f.read().strip()
    api = Api()
    started = time.time()
    try:
        pods = api.json("GET", "/api/v1/namespaces/%s/pods?labelSelector=%s" % (
            ns, urllib.parse.quote("%s=%s" % (SCOPE_LABEL, scope))))["items"]
    except (OSError, ValueError, urllib.error.HTTPError) as e:
        log("cannot list the cluster's pods (%s): not promoting" % e)
        return 1
    failed = False
    for pod in pods:
        name = pod["metadata"]["name"]
        if name == me:
            continue
        suspect, why = may_run_a_primary(pod)
        if not suspect:
            continue
        log("%s may still run a primary (%s): deleting its pod before %s promotes" % (name, why, me))
        try:
            confirmed = fence(api, ns, pod)
        except (OSError, ValueError, urllib.error.HTTPError) as e:
            log("%s: deleting its pod failed (%s): not promoting" % (name, e))
            failed = True
            continue
        if confirmed:
            log("%s: fenced, the kubelet confirmed its containers gone, %.1f s after the promotion began"
                % (name, time.time() - started))
        else:
            log("%s: the kubelet did not confirm its containers gone within %.0f s: not promoting"
                % (name, FENCE_TIMEOUT))
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
