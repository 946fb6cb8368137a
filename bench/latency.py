#!/usr/bin/env python3
"""Latency from rename-into-inbound to the AppRec file becoming visible (polled every ~1 ms, so
figures carry up to ~1-2 ms of polling error), at a steady rate, against the real
release binary on the embedded default config. Usage: bench/latency.py [rate/s] [count]."""
import os, subprocess, sys, tempfile, time, uuid, statistics, shutil

rate = float(sys.argv[1]) if len(sys.argv) > 1 else 50
count = int(sys.argv[2]) if len(sys.argv) > 2 else 500
repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = os.path.join(repo, ".build/release/pathway-gateway")
template = open(os.path.join(repo, "samples/messages/01-sp1-needs-assessment.xml")).read()
work = tempfile.mkdtemp(prefix="pg-latency-")
env = dict(os.environ, PATHWAY_GATEWAY_CONFIG="")
daemon = subprocess.Popen([binary, "run"], cwd=work, env=env, stderr=subprocess.DEVNULL)
inbox = os.path.join(work, "spool/inbound/helse-bergen")
outbox = os.path.join(work, "spool/outbound/helse-bergen")
while not os.path.isdir(inbox):
    time.sleep(0.01)
time.sleep(0.3)
sent = {}
first_seen = {}   # AppRec file name -> monotonic time it became visible (polled every ~1 ms)
latencies = []

def poll():
    now = time.monotonic()
    for f in os.listdir(outbox):
        if f.endswith(".apprec.xml") and f not in first_seen:
            first_seen[f] = now

start = time.monotonic()
for i in range(count):
    due = start + i / rate
    while time.monotonic() < due:
        poll()
        time.sleep(0.0005)
    name = f"m{i}.xml"
    tmp = os.path.join(inbox, "." + name + ".tmp")
    with open(tmp, "w") as f:
        f.write(template.replace("7d3e0c1a-sp1-0001", str(uuid.uuid4())))
    sent[name] = time.monotonic()
    os.rename(tmp, os.path.join(inbox, name))
deadline = time.monotonic() + 60
while len(first_seen) < count and time.monotonic() < deadline:
    poll()
    time.sleep(0.0005)
time.sleep(0.5)
archived = os.listdir(os.path.join(work, "spool/archive/helse-bergen"))
for f, seen_at in first_seen.items():
    mid = f[:-len(".apprec.xml")]
    for a in archived:
        if a.startswith(mid + "-"):
            latencies.append(seen_at - sent[a[len(mid) + 1:]])
daemon.terminate(); daemon.wait()
shutil.rmtree(work)
latencies.sort()
p = lambda q: 1000 * latencies[min(len(latencies) - 1, int(q * len(latencies)))]
print(f"{len(latencies)}/{count} answered at {rate:.0f} msgs/s: p50 {p(0.5):.1f} ms, p99 {p(0.99):.1f} ms, max {p(1.0):.1f} ms")
