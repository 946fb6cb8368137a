#!/usr/bin/env python3
"""Latency from rename-into-inbound to the AppRec appearing in outbound, at a steady rate, against
the real release binary on the embedded default config.

Usage: bench/latency.py [rate/s] [count]; PG_BENCH_DIR=DIR puts the spool on DIR's filesystem.
The AppRec's time is its inode change time (set when the gateway links it into outbound/, and
again microseconds later when the temp name is removed), read after the run: no polling, so the
figures hold at any rate. Sent time is the wall clock right after the rename."""
import os, subprocess, sys, tempfile, time, uuid, shutil

rate = float(sys.argv[1]) if len(sys.argv) > 1 else 50
count = int(sys.argv[2]) if len(sys.argv) > 2 else 500
repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = os.path.join(repo, ".build/release/pathway-gateway")
template = open(os.path.join(repo, "samples/messages/01-sp1-needs-assessment.xml")).read()
work = tempfile.mkdtemp(prefix="pg-latency-", dir=os.environ.get("PG_BENCH_DIR"))
env = dict(os.environ, PATHWAY_GATEWAY_CONFIG="")
daemon = subprocess.Popen([binary, "run"], cwd=work, env=env, stderr=subprocess.DEVNULL)
inbox = os.path.join(work, "spool/inbound/helse-bergen")
outbox = os.path.join(work, "spool/outbound/helse-bergen")
while not os.path.isdir(inbox):
    time.sleep(0.01)
time.sleep(0.5)
sent = {}
start = time.monotonic()
for i in range(count):
    due = start + i / rate
    pause = due - time.monotonic()
    if pause > 0:
        time.sleep(pause)
    name = f"m{i}.xml"
    tmp = os.path.join(inbox, "." + name + ".tmp")
    with open(tmp, "w") as f:
        f.write(template.replace("7d3e0c1a-sp1-0001", str(uuid.uuid4())))
    os.rename(tmp, os.path.join(inbox, name))
    sent[name] = time.time_ns()
archive = os.path.join(work, "spool/archive/helse-bergen")
deadline = time.monotonic() + 120
while time.monotonic() < deadline and len(os.listdir(archive)) < count:
    time.sleep(0.05)
time.sleep(0.2)
by_id = {a[37:]: a[:36] for a in os.listdir(archive)}  # archive names are <gateway id>-<file name>
latencies = []
for name, sent_at in sent.items():
    gateway_id = by_id.get(name)
    receipt = os.path.join(outbox, f"{gateway_id}.apprec.xml") if gateway_id else None
    if receipt and os.path.exists(receipt):
        latencies.append((os.stat(receipt).st_ctime_ns - sent_at) / 1e6)
daemon.terminate()
_, _, usage = os.wait4(daemon.pid, 0)
daemon.returncode = 0
shutil.rmtree(work)
latencies.sort()
p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]
print(f"{len(latencies)}/{count} answered at {rate:.0f} msgs/s: p50 {p(0.5):.1f} ms, p99 {p(0.99):.1f} ms, "
      f"max {p(1.0):.1f} ms; daemon peak RSS {usage.ru_maxrss / 1024:.0f} MB")
