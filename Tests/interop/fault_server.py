#!/usr/bin/python3
"""A small HTTP/1.1 server for transfer fault tests (started by TestSupport.FaultServer).

Usage: fault_server.py ROOT LOG. Binds 127.0.0.1 on a free port and prints the port on stdout.
Serves ROOT with Range support and keep-alive. A path /f/FAULTS/<file> applies comma-separated
faults to <file>:
  drop=N       requests without a Range header: send the headers, N body bytes, then close
  dropall=N    every request: N body bytes (of this response), then close
  status=C     answer status C (404, 500, ...) with a short body
  norange      ignore Range (always 200 with the whole body)
  badrange     answer a Range request with 206 and a Content-Range starting at 0
  corrupt=K    flip the byte at file offset K
  stall=N      send N body bytes, then nothing until the client hangs up (at most 10 minutes):
               only the client's stall detection can end the transfer
  endless      no Content-Length, bytes until the client hangs up
  date=T       send T (seconds since 1970) as the Date header (a server with a skewed clock)
Requests whose target is an absolute URI (a client using us as its proxy) are logged and
answered 200 "proxied". Every request is logged as: CLIENT_PORT METHOD TARGET range=RANGE
"""
import http.server
import os
import socketserver
import sys
import threading

ROOT = sys.argv[1]
LOG = sys.argv[2]
lock = threading.Lock()


def log(line):
    with lock:
        with open(LOG, "a") as f:
            f.write(line + "\n")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        rng = self.headers.get("Range")
        log("%d %s %s range=%s" % (self.client_address[1], self.command, self.path, rng or "-"))
        if self.path.startswith("http://") or self.path.startswith("https://"):
            return self.simple(200, b"proxied")
        faults = {}
        path = self.path
        if path.startswith("/f/"):
            _, _, spec, rest = path.split("/", 3)
            path = "/" + rest
            for item in spec.split(","):
                key, _, value = item.partition("=")
                faults[key] = value
        self.fake_date = int(faults["date"]) if "date" in faults else None
        if "status" in faults:
            return self.simple(int(faults["status"]), b"fault")
        if "endless" in faults:
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            block = b"x" * 65536
            try:
                while True:
                    self.wfile.write(block)
            except OSError:
                return
        file = os.path.join(ROOT, path.lstrip("/"))
        if not os.path.isfile(file):
            return self.simple(404, b"not found")
        with open(file, "rb") as f:
            data = bytearray(f.read())
        if "corrupt" in faults:
            k = int(faults["corrupt"])
            data[k] ^= 0xFF
        start = 0
        status = 200
        if rng and "norange" not in faults and rng.startswith("bytes=") and rng.endswith("-"):
            start = int(rng[6:-1])
            status = 206
        body = bytes(data[start:])
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        if status == 206:
            first = 0 if "badrange" in faults else start
            self.send_header("Content-Range", "bytes %d-%d/%d" % (first, len(data) - 1, len(data)))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        limit = None
        if "drop" in faults and not rng:
            limit = int(faults["drop"])
        if "dropall" in faults:
            limit = int(faults["dropall"])
        if "stall" in faults:
            self.wfile.write(body[: int(faults["stall"])])
            self.wfile.flush()
            # Hold the connection until the client closes it (recv returns b"" or fails).
            self.connection.settimeout(600)
            try:
                while self.connection.recv(65536):
                    pass
            except OSError:
                pass
            self.close_connection = True
            return
        if limit is not None:
            self.wfile.write(body[:limit])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)

    def date_time_string(self, timestamp=None):
        fake = getattr(self, "fake_date", None)
        return super().date_time_string(fake if fake is not None else timestamp)

    def simple(self, code, body):
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


server = Server(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
