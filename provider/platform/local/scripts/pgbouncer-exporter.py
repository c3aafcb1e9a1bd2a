#!/usr/bin/env python3
"""PgBouncer's statistics in the Prometheus text format, read from its admin console on each scrape.

Usage: pgbouncer-exporter.py CONFIG.json
CONFIG.json (written by pgcluster, 0600): listen {host, port}; admin {host, port, user, passFile,
and under tls sslmode, sslrootcert}. The password is read from passFile, never an argument.

Debian's prometheus-pgbouncer-exporter (1.7) predates PgBouncer 1.8's SHOW STATS columns and fails on
PgBouncer 1.18, so this small one serves the same series under the names of the Prometheus
community's pgbouncer_exporter (pgbouncer_pools_*, pgbouncer_stats_*, pgbouncer_lists_*, pgbouncer_up).
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

POOLS = {  # SHOW POOLS column -> metric (labels database, user)
    "cl_active": ("pools_client_active_connections", "client connections linked to a server connection"),
    "cl_waiting": ("pools_client_waiting_connections", "client connections waiting for a server connection"),
    "sv_active": ("pools_server_active_connections", "server connections linked to a client"),
    "sv_idle": ("pools_server_idle_connections", "server connections idle and ready"),
    "sv_used": ("pools_server_used_connections", "server connections idle longer than server_check_delay"),
    "maxwait": ("pools_client_maxwait_seconds", "age of the oldest waiting client, seconds"),
}
STATS = {  # SHOW STATS column -> (metric, scale) (label database)
    "total_xact_count": ("stats_sql_transactions_pooled_total", 1, "SQL transactions pooled"),
    "total_query_count": ("stats_queries_pooled_total", 1, "SQL queries pooled"),
    "total_received": ("stats_received_bytes_total", 1, "bytes received from clients"),
    "total_sent": ("stats_sent_bytes_total", 1, "bytes sent to clients"),
    "total_query_time": ("stats_queries_duration_seconds_total", 1e-6, "time spent in queries, seconds"),
    "total_wait_time": ("stats_client_wait_seconds_total", 1e-6, "time clients waited for a server, seconds"),
}


def escape(value):
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def scrape(admin):
    import psycopg2

    with open(admin["passFile"]) as f:
        password = f.read().strip()
    tls = {k: admin[k] for k in ("sslmode", "sslrootcert") if k in admin}
    conn = psycopg2.connect(host=admin["host"], port=admin["port"], user=admin["user"], password=password,
                            dbname="pgbouncer", connect_timeout=3, **tls)
    conn.autocommit = True
    try:
        cur = conn.cursor()
        out = {}
        for command in ("SHOW POOLS", "SHOW STATS", "SHOW LISTS"):
            cur.execute(command)
            names = [c.name for c in cur.description]
            out[command] = [dict(zip(names, row)) for row in cur.fetchall()]
        return out
    finally:
        conn.close()


def render(data):
    lines = []

    def family(name, kind, help_text):
        lines.append("# HELP pgbouncer_%s %s" % (name, help_text))
        lines.append("# TYPE pgbouncer_%s %s" % (name, kind))

    if data is None:
        family("up", "gauge", "1 when the admin console answered the scrape")
        lines.append("pgbouncer_up 0")
        return "\n".join(lines) + "\n"
    family("up", "gauge", "1 when the admin console answered the scrape")
    lines.append("pgbouncer_up 1")
    for column, (name, help_text) in POOLS.items():
        family(name, "gauge", help_text)
        for row in data["SHOW POOLS"]:
            if column in row:
                lines.append('pgbouncer_%s{database="%s",user="%s"} %s'
                             % (name, escape(row["database"]), escape(row["user"]), float(row[column] or 0)))
    for column, (name, scale, help_text) in STATS.items():
        family(name, "counter", help_text)
        for row in data["SHOW STATS"]:
            if column in row:
                lines.append('pgbouncer_%s{database="%s"} %s'
                             % (name, escape(row["database"]), float(row[column] or 0) * scale))
    family("lists_items", "gauge", "items of each PgBouncer list (SHOW LISTS)")
    for row in data["SHOW LISTS"]:
        lines.append('pgbouncer_lists_items{list="%s"} %s' % (escape(row["list"]), float(row["items"] or 0)))
    return "\n".join(lines) + "\n"


def main():
    with open(sys.argv[1]) as f:
        config = json.load(f)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            if self.path.split("?")[0] != "/metrics":
                self.send_error(404)
                return
            try:
                data = scrape(config["admin"])
            except Exception as e:  # the pooler is down or refuses: say so in the metrics
                sys.stderr.write("scrape failed: %s\n" % e)
                data = None
            body = render(data).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer((config["listen"]["host"], config["listen"]["port"]), Handler)
    server.serve_forever()


if __name__ == "__main__":
    main()
