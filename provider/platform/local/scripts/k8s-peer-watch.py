#!/usr/bin/env python3
"""The peer watch of a member pod on Kubernetes (a sidecar of every member): when the container of
the member that holds the leader lock dies (killed from the host, OOM-killed, a crash of Patroni),
its processes are gone for certain (a container's processes share its PID namespace, and go with
its first process), yet its lock lives until the TTL runs out, or until the restarted container's
Patroni finds it and restarts PostgreSQL in place after crash recovery. This watch releases that
lock as soon as the kubelet reports the death, so the synchronous standby takes over at the next
Patroni loop, as on the local platform.

It watches the cluster's pods (Patroni's scope label). A member's death is its `postgres`
container's restartCount going up, or its state leaving `running`, in a pod that still exists (a
deleted pod's Patroni releases its lock itself; a force-deleted one may still run on its node, so
it is left to the TTL). It then releases the lock only if that member still holds it (the
ConfigMap's resourceVersion guards the patch), and never while Patroni is paused (maintenance).

Environment: PATRONI_NAME (this pod), PATRONI_KUBERNETES_NAMESPACE, PGCLUSTER_SCOPE (the cluster).
Reaches the API server with the pod's service account (in-cluster), stdlib only.
"""
import json
import os
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

SA = "/var/run/secrets/kubernetes.io/serviceaccount"
CONTAINER = "postgres"


def log(message):
    sys.stderr.write("%s peer-watch: %s\n" % (time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), message))
    sys.stderr.flush()


class Api:
    def __init__(self):
        self.base = "https://%s:%s" % (os.environ["KUBERNETES_SERVICE_HOST"], os.environ["KUBERNETES_SERVICE_PORT"])
        self.context = ssl.create_default_context(cafile=SA + "/ca.crt")

    def request(self, method, path, body=None, content_type="application/json", timeout=10):
        with open(SA + "/token") as f:  # the kubelet rotates it
            token = f.read().strip()
        req = urllib.request.Request(
            self.base + path,
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": "Bearer " + token, "Content-Type": content_type, "Accept": "application/json"},
        )
        return urllib.request.urlopen(req, context=self.context, timeout=timeout)

    def json(self, method, path, body=None, content_type="application/json"):
        with self.request(method, path, body, content_type) as r:
            return json.load(r)


def container_state(pod):
    """(restartCount, running) of the postgres container, or None before it has a status."""
    for c in (pod.get("status") or {}).get("containerStatuses") or []:
        if c.get("name") == CONTAINER:
            return c.get("restartCount", 0), "running" in (c.get("state") or {})
    return None


def paused(api, ns, scope):
    try:
        cm = api.json("GET", "/api/v1/namespaces/%s/configmaps/%s-config" % (ns, scope))
    except urllib.error.HTTPError:
        return False
    config = ((cm.get("metadata") or {}).get("annotations") or {}).get("config") or "{}"
    try:
        return bool(json.loads(config).get("pause"))
    except ValueError:
        return False


def release(api, ns, scope, dead):
    """Removes the leader annotation if `dead` still holds it: True when this call released it."""
    path = "/api/v1/namespaces/%s/configmaps/%s-leader" % (ns, scope)
    try:
        cm = api.json("GET", path)
    except urllib.error.HTTPError as e:
        log("cannot read %s-leader: %s" % (scope, e))
        return False
    meta = cm.get("metadata") or {}
    if (meta.get("annotations") or {}).get("leader") != dead:
        return False
    if paused(api, ns, scope):
        log("%s died holding the leader lock; Patroni is paused (maintenance), so it is kept" % dead)
        return False
    patch = {"metadata": {"resourceVersion": meta["resourceVersion"], "annotations": {"leader": None}}}
    try:
        api.json("PATCH", path, patch, "application/merge-patch+json")
    except urllib.error.HTTPError as e:
        # 409: the lock changed meanwhile (renewed by nobody dead, or released by another watch).
        log("did not release the lock of %s: %s" % (dead, e.code))
        return False
    log("released the leader lock of %s: its postgres container died" % dead)
    return True


def watch(api, ns, scope, me):
    selector = urllib.parse.quote("cluster-name=%s" % scope)
    pods = api.json("GET", "/api/v1/namespaces/%s/pods?labelSelector=%s" % (ns, selector))
    seen = {}
    for pod in pods.get("items") or []:
        state = container_state(pod)
        if state is not None:
            seen[pod["metadata"]["name"]] = state
    path = "/api/v1/namespaces/%s/pods?labelSelector=%s&watch=1&timeoutSeconds=240&resourceVersion=%s" % (
        ns,
        selector,
        pods["metadata"]["resourceVersion"],
    )
    with api.request("GET", path, timeout=300) as stream:
        for line in stream:
            event = json.loads(line)
            if event.get("type") == "ERROR":
                return  # e.g. 410 Gone: list again
            pod = event.get("object") or {}
            name = (pod.get("metadata") or {}).get("name")
            if event.get("type") == "DELETED" or name is None:
                seen.pop(name, None)
                continue
            state = container_state(pod)
            if state is None:
                continue
            before = seen.get(name)
            seen[name] = state
            restarts, running = state
            died = before is not None and (restarts > before[0] or (before[1] and not running))
            if died and name != me and (pod.get("metadata") or {}).get("deletionTimestamp") is None:
                release(api, ns, scope, name)


def main():
    me = os.environ["PATRONI_NAME"]
    ns = os.environ["PATRONI_KUBERNETES_NAMESPACE"]
    scope = os.environ["PGCLUSTER_SCOPE"]
    api = Api()
    log("watching the members of %s from %s" % (scope, me))
    while True:
        try:
            watch(api, ns, scope, me)
        except Exception as e:  # the API server restarting, a timeout: watch again
            log("watch ended: %s" % e)
            time.sleep(1)


if __name__ == "__main__":
    main()
