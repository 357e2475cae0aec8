"""Sends COUNT GET requests for PATH, one after another on one keep-alive connection, and
checks that each is answered 200: a fixed amount of work for bench/instructions.sh to count.

Usage: python3 bench/requests.py PORT PATH COUNT KEY
"""

import socket
import sys

port, path, count, key = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
request = (
    f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {key}\r\n\r\n"
).encode()
connection = socket.create_connection(("127.0.0.1", port))
buffered = b""
for _ in range(count):
    connection.sendall(request)
    while b"\r\n\r\n" not in buffered:
        buffered += connection.recv(65536)
    head, buffered = buffered.split(b"\r\n\r\n", 1)
    status = head.split(b" ", 2)[1]
    if status != b"200":
        sys.exit(f"{path}: answered {status.decode()}")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(buffered) < length:
        buffered += connection.recv(65536)
    buffered = buffered[length:]
