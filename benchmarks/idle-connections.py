#!/usr/bin/env python3
# Idle cost of a plugin server: opens N connections to its socket (each reads serverPid, as Kong's pool does), holds
# them, and prints the server's RSS, threads and fds before and with the connections open (python3, standard library).
#   artifacts/bench/hello-aot/HelloPlugin -socket /tmp/h.socket -log-level warn [-connection-mode thread] &
#   python3 benchmarks/idle-connections.py $! /tmp/h.socket 4096
# Figures: docs/performance.md, Idle connections.
import os, socket, sys, time

def status(pid):
    fields = {}
    with open(f'/proc/{pid}/status') as f:
        for line in f:
            key, _, value = line.partition(':')
            fields[key] = value.strip()
    fds = len(os.listdir(f'/proc/{pid}/fd'))
    return f"RSS {int(fields['VmRSS'].split()[0]) / 1024:.1f} MB, threads {fields['Threads']}, fds {fds}"

pid, path, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
print(f'before: {status(pid)}')
conns = []
for i in range(count):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    conns.append(s)
for s in conns:
    s.settimeout(30)
    if not s.recv(64):  # serverPid: the server accepted and serves the connection
        sys.exit('a connection was closed before serverPid')
time.sleep(2)
print(f'{count} idle connections: {status(pid)}')
for s in conns:
    s.close()
time.sleep(1)
print(f'closed: {status(pid)}')
