#!/usr/bin/env python3
# The two memory bursts of issue 9 against a running plugin server, printing its RSS (python3, standard library only):
#   A: 60 StartInstance with 15 MB configurations, then CloseInstance for all;
#   B: 40 events (one connection each) whose step carries 15 MiB, left waiting, then ended.
# The plugin must have an access handler whose first PDK call takes a string (HelloPlugin: kong.request.get_header).
#   dotnet samples/HelloPlugin/bin/Release/net10.0/HelloPlugin.dll -kong-prefix /tmp/p -no-parent-watch -log-level debug &
#   python3 benchmarks/memory-burst.py $! /tmp/p/hello-dotnet.socket hello-dotnet
# Figures: docs/operations.md, Memory.
import socket, struct, sys, time, os, json

def enc(v):
    if v is None: return b'\xc0'
    if v is True: return b'\xc3'
    if v is False: return b'\xc2'
    if isinstance(v, int):
        if 0 <= v < 128: return bytes([v])
        return b'\xd3' + struct.pack('>q', v)
    if isinstance(v, str):
        b = v.encode()
        if len(b) < 32: return bytes([0xa0 | len(b)]) + b
        return b'\xdb' + struct.pack('>I', len(b)) + b
    if isinstance(v, (list, tuple)):
        return b'\xdd' + struct.pack('>I', len(v)) + b''.join(enc(x) for x in v)
    if isinstance(v, dict):
        return b'\xdf' + struct.pack('>I', len(v)) + b''.join(enc(k) + enc(x) for k, x in v.items())
    raise TypeError(v)

class Short(Exception): pass

def dec(b, i):
    if i >= len(b): raise Short()
    c = b[i]; i += 1
    def need(n):
        if i + n > len(b): raise Short()
    if c <= 0x7f: return c, i
    if c >= 0xe0: return c - 256, i
    if 0x80 <= c <= 0x8f: return dmap(b, i, c & 15)
    if 0x90 <= c <= 0x9f: return darr(b, i, c & 15)
    if 0xa0 <= c <= 0xbf:
        n = c & 31; need(n); return b[i:i+n].decode(errors='replace'), i + n
    if c == 0xc0: return None, i
    if c == 0xc2: return False, i
    if c == 0xc3: return True, i
    sizes = {0xcc:1,0xcd:2,0xce:4,0xcf:8,0xd0:1,0xd1:2,0xd2:4,0xd3:8}
    if c in sizes:
        n = sizes[c]; need(n); return int.from_bytes(b[i:i+n], 'big', signed=c >= 0xd0), i + n
    if c in (0xd9, 0xda, 0xdb, 0xc4, 0xc5, 0xc6):
        w = {0xd9:1,0xda:2,0xdb:4,0xc4:1,0xc5:2,0xc6:4}[c]; need(w); n = int.from_bytes(b[i:i+w], 'big'); i += w; need(n)
        return b[i:i+n].decode(errors='replace') if c >= 0xd9 else b[i:i+n], i + n
    if c in (0xdc, 0xdd):
        w = 2 if c == 0xdc else 4; need(w); return darr(b, i + w, int.from_bytes(b[i:i+w], 'big'))
    if c in (0xde, 0xdf):
        w = 2 if c == 0xde else 4; need(w); return dmap(b, i + w, int.from_bytes(b[i:i+w], 'big'))
    raise ValueError(hex(c))

def darr(b, i, n):
    out = []
    for _ in range(n):
        v, i = dec(b, i); out.append(v)
    return out, i

def dmap(b, i, n):
    out = {}
    for _ in range(n):
        k, i = dec(b, i); v, i = dec(b, i); out[k] = v
    return out, i

class Conn:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); self.s.connect(path); self.buf = b''; self.read()
    def read(self):
        while True:
            try:
                v, n = dec(self.buf, 0); self.buf = self.buf[n:]; return v
            except Short:
                chunk = self.s.recv(1 << 20)
                if not chunk: raise EOFError()
                self.buf += chunk
    msgid = 0
    def call(self, method, *params):
        Conn.msgid += 1
        self.s.sendall(enc([0, Conn.msgid, method, list(params)]))
        return self.read()

def rss(pid):
    for line in open(f'/proc/{pid}/status'):
        if line.startswith('VmRSS'): return int(line.split()[1]) // 1024
pid = int(sys.argv[1]); path = sys.argv[2]; plugin = sys.argv[3] if len(sys.argv) > 3 else 'hello-dotnet'
print('start RSS', rss(pid), 'MiB')
big = 'x' * (15 * 1024 * 1024)
c = Conn(path)
ok = refused = 0
for i in range(60):
    r = c.call('plugin.StartInstance', {'Name': plugin, 'Config': json.dumps({'__seq__': 100 + i, 'message': big})})
    if r[2] is None: ok += 1
    else:
        refused += 1
        if refused == 1: print('refusal:', r[2][:200])
print(f'A: 60 StartInstance x 15 MB: {ok} started, {refused} refused; RSS {rss(pid)} MiB')
time.sleep(15)
print('A: 15 s later, instances still live: RSS', rss(pid), 'MiB')
for i in range(60): c.call('plugin.CloseInstance', 100 + i)
time.sleep(4)
print('A: all closed, 4 s later: RSS', rss(pid), 'MiB')
r = c.call('plugin.StartInstance', {'Name': plugin, 'Config': json.dumps({'__seq__': 7})})
conns = [Conn(path) for _ in range(40)]
events = []
ok = failed = 0
for k in conns:
    r = k.call('plugin.HandleEvent', {'InstanceId': 7, 'EventName': 'access'})
    ev = r[3]['EventId']
    r = k.call('plugin.Step', {'EventId': ev, 'Data': big})
    m = r[3]['Data']['Method'] if isinstance(r[3]['Data'], dict) else r[3]['Data']
    if m == 'kong.response.set_header': ok += 1; events.append((k, ev))
    else:
        failed += 1
        while m != 'kong.response.error':
            r = k.call('plugin.Step', {'EventId': ev}); m = r[3]['Data']['Method']
print(f'B: 40 events with 15 MiB step data: {ok} waiting, {failed} failed (budget); RSS {rss(pid)} MiB')
for k, ev in events: k.call('plugin.Step', {'EventId': ev})
for k in conns: k.s.close()
time.sleep(4)
print('B: all ended and closed, 4 s later: RSS', rss(pid), 'MiB')
time.sleep(12)
print('B: 16 s after: RSS', rss(pid), 'MiB')
time.sleep(62)
print('B: 78 s after: RSS', rss(pid), 'MiB')
