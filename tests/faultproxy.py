#!/usr/bin/env python3
"""faultproxy.py: a TCP proxy that breaks one connection on purpose.

    faultproxy.py LISTEN_PORT TARGET_PORT MODE BYTES [READY_FILE]

It listens on 127.0.0.1:LISTEN_PORT and relays every connection to
127.0.0.1:TARGET_PORT, bytes as they are (TLS included).  The first
connection only is broken, after BYTES bytes have gone the way MODE says:

    cut-down    server to client: both sides are closed
    stall-down  server to client: nothing more is relayed either way, and
                the connection is held open (a server that stops answering)
    cut-up      client to server: both sides are closed

Later connections are relayed untouched.  It writes READY_FILE once it
listens, prints one line per connection on stderr, and stops on SIGTERM
with every relay it forked.
"""
import os
import selectors
import signal
import socket
import sys


def relay(client, target_port, mode, limit, broken):
    server = socket.create_connection(("127.0.0.1", target_port))
    sel = selectors.DefaultSelector()
    sel.register(client, selectors.EVENT_READ, server)
    sel.register(server, selectors.EVENT_READ, client)
    counted = {"down": 0, "up": 0}
    stalled = False
    while True:
        for key, _ in sel.select(timeout=1):
            src, dst = key.fileobj, key.data
            data = src.recv(65536)
            if not data:
                server.close()
                client.close()
                return
            way = "down" if src is server else "up"
            if not broken and mode.endswith(way):
                if counted[way] + len(data) > limit:
                    data = data[:max(0, limit - counted[way])]
                    if data and not stalled:
                        dst.sendall(data)
                    if mode.startswith("cut"):
                        sys.stderr.write("faultproxy: cut after %d bytes %s\n"
                                         % (limit, way))
                        server.close()
                        client.close()
                        return
                    if not stalled:
                        sys.stderr.write("faultproxy: stalled after %d bytes "
                                         "%s\n" % (limit, way))
                    stalled = True
                    counted[way] = limit
                    continue
                counted[way] += len(data)
            if not stalled:
                dst.sendall(data)


def main():
    listen_port, target_port = int(sys.argv[1]), int(sys.argv[2])
    mode, limit = sys.argv[3], int(sys.argv[4])
    ready = sys.argv[5] if len(sys.argv) > 5 else None
    children = []

    def stop(*_):
        for pid in children:        # a stalled relay never ends alone
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", listen_port))
    lsock.listen(16)
    if ready:
        open(ready, "w").close()
    n = 0
    while True:
        client, _ = lsock.accept()
        n += 1
        sys.stderr.write("faultproxy: connection %d\n" % n)
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            lsock.close()
            try:
                relay(client, target_port, mode, limit, n > 1)
            except OSError:
                pass
            os._exit(0)
        children.append(pid)
        client.close()


if __name__ == "__main__":
    main()
