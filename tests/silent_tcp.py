#!/usr/bin/env python3
"""A TCP listener that accepts connections and never answers: a database
host that hangs.  Listens on 127.0.0.1 on an ephemeral port, written
(atomically) to the port file given as the only argument."""
import os
import socket
import sys

s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
held = []
while True:
    c, _ = s.accept()
    held.append(c)
