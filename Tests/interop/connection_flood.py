#!/usr/bin/python3
"""Opens many connections that send half a request head, for tests of a listener's connection
cap (started by TestSupport.ConnectionFlood, in a process of its own so that the test process
keeps few descriptors).

Usage: connection_flood.py TARGET COUNT EXPECT_CLOSED
  TARGET         tcp:PORT (127.0.0.1) or unix:PATH
  COUNT          connections to open, one after the other, each sending half a head
  EXPECT_CLOSED  after opening, wait until this many were closed by the server (end of file or
                 reset), at most 10 minutes
Prints "opened COUNT" once all are open, then "closed N" (N >= EXPECT_CLOSED unless the wait
ran out), then holds every connection until killed.
"""
import select
import signal
import socket
import sys
import time

HALF_HEAD = b"GET /v1/health HTTP/1.1\r\nHost: flood\r\nUser-Agent: never-finishes"


def connect(target):
    kind, _, where = target.partition(":")
    if kind == "tcp":
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.connect(("127.0.0.1", int(where)))
    else:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(where)
    s.sendall(HALF_HEAD)
    return s


def main():
    target, count, expect_closed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    sockets = [connect(target) for _ in range(count)]
    print("opened %d" % len(sockets), flush=True)
    poller = select.poll()
    by_fd = {}
    for s in sockets:
        poller.register(s.fileno(), select.POLLIN | select.POLLHUP | select.POLLERR)
        by_fd[s.fileno()] = s
    closed = set()
    deadline = time.monotonic() + 600
    while len(closed) < expect_closed and time.monotonic() < deadline:
        for fd, _ in poller.poll(1000):
            try:
                data = by_fd[fd].recv(4096)
            except OSError:
                data = b""
            if not data:
                closed.add(fd)
                poller.unregister(fd)
    print("closed %d" % len(closed), flush=True)
    while True:
        time.sleep(3600)


main()
