"""Sends COUNT requests for PATH, one after another on one keep-alive connection, and checks
that each is answered 200: a fixed amount of work for bench/instructions.sh to count. METHOD is
GET unless given; other methods are sent with an empty body.

Usage: python3 bench/requests.py PORT PATH COUNT KEY [METHOD]
"""

import socket
import sys

port, path, count, key = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
method = sys.argv[5] if len(sys.argv) > 5 else "GET"
body_length = "" if method == "GET" else "Content-Length: 0\r\n"
request = (
    f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    f"Authorization: Bearer {key}\r\n{body_length}\r\n"
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
