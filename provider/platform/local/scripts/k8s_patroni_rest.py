"""Patroni's REST API as the member pod's own scripts reach it on Kubernetes (k8s-member.py and
k8s-fence-old-primary.py import it from beside them: the ConfigMap <name>-patroni carries the
three, mounted together at /etc/patroni). Stdlib only."""
import os
import ssl

PATRONI_PORT = 8008
# Mounted while tls is on, and then Patroni's REST API is HTTPS with a certificate that CA signed.
TLS_DIR = "/etc/pgcluster/tls"
TLS_CA = TLS_DIR + "/ca.crt"


def patroni_url(host, path):
    return "%s://%s:%d%s" % ("https" if os.path.exists(TLS_CA) else "http", host, PATRONI_PORT, path)


def patroni_context(check_hostname=True):
    """The TLS context for Patroni's REST API (None: plain HTTP). By pod IP, which the certificate
    does not name, only the chain is verified."""
    if not os.path.exists(TLS_CA):
        return None
    context = ssl.create_default_context(cafile=TLS_CA)
    context.check_hostname = check_hostname
    return context
