#!/usr/bin/env python3
"""The first process of a member pod's postgres container on Kubernetes: runs Patroni, and stops it
while the member is fenced (spec.fenced, `pgcluster fence`), keeping the pod and its claim.

Usage: k8s-member.py SCOPE -- PATRONI_COMMAND...

The fenced members are the JSON list under the key `fenced` of the ConfigMap SCOPE-fencing, read
through the API (the pod's service account) every second:

- not fenced: Patroni runs as a child. When it exits, so does this process, with its status (the
  kubelet restarts the container, as before);
- fenced: Patroni gets SIGTERM (it stops PostgreSQL with a fast shutdown and releases the leader
  lock if it holds it), and no PostgreSQL runs: the member accepts no connection, and with no
  Patroni it cannot take the leader lock, so it is never promoted. A member that still leads when
  it is fenced first asks its Patroni for a switchover (the component and the CLI switch over
  through the pooler before they fence the primary; this is the fallback for a hand edit). Port 8008
  then answers /liveness 200 (the container is kept), /readiness, /health and /patroni 503 with
  {"state": "fenced"} (the pod is not Ready, so no Service sends it clients), and the rest 404;
- unfenced again: Patroni starts, and rejoins as a replica (pg_rewind if it must).

A fenced member stays fenced while the list cannot be read (Patroni is not started on a guess);
at the start, Patroni waits until the list has been read once. SIGTERM (the pod's deletion) goes
to Patroni, then this process exits. As the container's first process it reaps the processes
re-parented to it, as Patroni does when it is PID 1.
"""
import json
import os
import signal
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from k8s_patroni_rest import PATRONI_PORT, TLS_CA, TLS_DIR, patroni_context, patroni_url

SA = "/var/run/secrets/kubernetes.io/serviceaccount"
POLL_S = 1.0
STOP_WAIT_S = 12


def log(message):
    sys.stderr.write("%s member: %s\n" % (time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()), message))
    sys.stderr.flush()


def fenced_list(ns, scope):
    """The fenced members, or None when the ConfigMap cannot be read (a missing one: none fenced)."""
    with open(SA + "/token") as f:
        token = f.read().strip()
    url = "https://%s:%s/api/v1/namespaces/%s/configmaps/%s-fencing" % (
        os.environ["KUBERNETES_SERVICE_HOST"], os.environ["KUBERNETES_SERVICE_PORT"], ns, scope)
    req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token, "Accept": "application/json"})
    try:
        with urllib.request.urlopen(req, context=ssl.create_default_context(cafile=SA + "/ca.crt"), timeout=5) as r:
            data = json.load(r).get("data") or {}
    except urllib.error.HTTPError as e:
        return [] if e.code == 404 else None
    except (OSError, ValueError):
        return None
    try:
        value = json.loads(data.get("fenced") or "[]")
    except ValueError:
        return None
    return [str(m) for m in value] if isinstance(value, list) else None


def patroni_get(path, timeout=3):
    with urllib.request.urlopen(patroni_url("127.0.0.1", path), timeout=timeout,
                                context=patroni_context()) as r:
        return json.load(r)


def leads():
    try:
        return patroni_get("/patroni").get("role") in ("primary", "master", "standby_leader")
    except (OSError, ValueError):
        return False


def switch_away(me):
    """Asks Patroni for a switchover away from this member (any healthy candidate)."""
    req = urllib.request.Request(patroni_url("127.0.0.1", "/switchover"), method="POST",
                                 data=json.dumps({"leader": me}).encode(),
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60, context=patroni_context()) as r:
            log("fenced while leading: switchover asked (%s)" % r.read().decode(errors="replace").strip())
    except urllib.error.HTTPError as e:
        log("fenced while leading: switchover refused (%s %s)" % (e.code, e.read().decode(errors="replace").strip()))
    except OSError as e:
        log("fenced while leading: switchover failed (%s)" % e)


class Fenced(BaseHTTPRequestHandler):
    def do_GET(self):
        path = self.path.split("?")[0].rstrip("/") or "/"
        # The container is alive; the member serves nothing; it knows no cluster view (/cluster and
        # the rest: 404, so a client asks another member).
        code = 200 if path == "/liveness" else 503 if path in ("/", "/patroni", "/readiness", "/health") else 404
        body = json.dumps({"state": "fenced", "role": "fenced"}).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class FencedServer:
    def __init__(self):
        self.server = None

    def start(self):
        if self.server:
            return
        tries = 0
        while True:  # Patroni's socket may linger a moment after it exits
            try:
                ThreadingHTTPServer.allow_reuse_address = True
                self.server = ThreadingHTTPServer(("0.0.0.0", PATRONI_PORT), Fenced)
                if os.path.exists(TLS_CA):
                    # Under tls the probes speak HTTPS, as to Patroni: the same server certificate.
                    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                    context.load_cert_chain(TLS_DIR + "/tls.crt", TLS_DIR + "/tls.key")
                    self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
                break
            except OSError as e:
                tries += 1
                if tries % 50 == 1:
                    log("fenced: port %d not free yet (%s), retrying" % (PATRONI_PORT, e))
                time.sleep(0.2)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


def stop_patroni(child):
    """SIGTERM to Patroni (it stops PostgreSQL with a fast shutdown). A synchronous standby's Patroni
    first waits for the primary to release it, with its REST API silent meanwhile; the liveness
    probe would restart the container after 30 s. So after STOP_WAIT_S Patroni is killed and the
    postmaster (then this process's child) gets SIGINT, PostgreSQL's fast shutdown, itself."""
    child.send_signal(signal.SIGTERM)
    try:
        child.wait(timeout=STOP_WAIT_S)
        return
    except subprocess.TimeoutExpired:
        pass
    pid = None
    try:
        with open(os.path.join(os.environ.get("PGDATA", ""), "postmaster.pid")) as f:
            pid = int(f.readline().strip())
    except (OSError, ValueError):
        pass
    log("fenced: Patroni still stopping after %d s: killing it, then a fast shutdown of PostgreSQL (postmaster %s)"
        % (STOP_WAIT_S, pid))
    child.kill()
    child.wait()
    if pid is None:
        return
    try:
        os.kill(pid, signal.SIGINT)
    except OSError:
        return
    deadline = time.time() + 60
    while time.time() < deadline:
        reap(None)
        try:
            os.kill(pid, 0)
        except OSError:
            return
        time.sleep(0.2)
    log("fenced: the postmaster %d did not stop within 60 s: SIGKILL" % pid)
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
    reap(None)


def reap(child):
    """As the container's first process, reaps every exited process re-parented to it (Patroni did
    that itself as PID 1); Patroni's own status is kept on its Popen."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if child is not None and pid == child.pid:
            child.returncode = os.waitstatus_to_exitcode(status)


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.stderr.write(__doc__)
        return 2
    scope, command = sys.argv[1], sys.argv[3:]
    me = os.environ["PATRONI_NAME"]
    ns = os.environ["PATRONI_KUBERNETES_NAMESPACE"]
    child = None
    stopping = False
    fenced_server = FencedServer()

    def on_term(signum, _frame):
        nonlocal stopping
        stopping = True
        if child and child.poll() is None:
            child.send_signal(signum)

    def on_hup(_signum, _frame):
        # A reload (a rotated certificate: pgcluster SIGHUPs the container's first process) is Patroni's.
        if child and child.poll() is None:
            child.send_signal(signal.SIGHUP)

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    signal.signal(signal.SIGHUP, on_hup)

    fenced = None
    while not stopping:
        listed = fenced_list(ns, scope)
        if listed is not None:
            fenced = me in listed
        if fenced is None:
            time.sleep(POLL_S)  # not read yet: neither start Patroni nor claim to be fenced
            continue
        if not fenced and child is None:
            fenced_server.stop()
            log("not fenced: starting Patroni")
            child = subprocess.Popen(command)
        elif fenced and child is not None:
            if leads():
                switch_away(me)
                if leads():
                    time.sleep(POLL_S)
                    continue
            log("fenced: stopping Patroni (PostgreSQL fast shutdown), the pod and its data kept")
            t0 = time.time()
            stop_patroni(child)
            child = None
            log("fenced: Patroni and PostgreSQL stopped in %.1f s" % (time.time() - t0))
            fenced_server.start()
        elif fenced and child is None:
            fenced_server.start()
        reap(child)
        if child is not None and child.poll() is not None:
            return child.returncode
        time.sleep(POLL_S)
    if child is not None:
        return child.wait()
    fenced_server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
