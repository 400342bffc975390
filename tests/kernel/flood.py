#!/usr/bin/env python3
# flood.py: a paced stream of frames that each miss the kernel's flow table
# (a new source MAC every frame; the learning switch's flows match MACs
# exactly), for the tests that need upcalls at a known rate: `ovsdp ctl
# top` and the restarts without loss.  Sends on IFACE to DSTMAC at RATE
# frames a second until SIGTERM/SIGINT or --count frames, then prints the
# number sent (and writes it to --report).
import argparse, signal, socket, struct, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("iface")
ap.add_argument("dstmac")
ap.add_argument("rate", type=float)
ap.add_argument("--count", type=int, default=0)
ap.add_argument("--report")
ap.add_argument("--base", type=int, default=1, help="first source MAC number")
a = ap.parse_args()

stop = False
def on_signal(*_):
    global stop
    stop = True
signal.signal(signal.SIGTERM, on_signal)
signal.signal(signal.SIGINT, on_signal)

s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((a.iface, 0))
dst = bytes.fromhex(a.dstmac.replace(":", ""))
sent = 0
t0 = time.monotonic()
while not stop and (a.count == 0 or sent < a.count):
    n = a.base + sent
    # Locally administered unicast: 02:xx:xx:xx:xx:xx.
    src = b"\x02" + struct.pack(">I", n & 0xffffffff) + b"\x01"
    s.send(dst + src + b"\x88\xb5" + b"ovsdp-flood" + bytes(35))
    sent += 1
    delay = t0 + sent / a.rate - time.monotonic()
    if delay > 0:
        time.sleep(delay)
print(sent)
if a.report:
    with open(a.report, "w") as f:
        f.write("%d\n" % sent)
