#!/usr/bin/env python3
"""Cost with history (issue 18): builds a state database of N messages of pathway history over two
years (`gateway-bench history`, release build), then measures what coordinators and the health
check run against it: `status` (also on an empty spool, for the ratio), `pathways due --kommune
4601` and `pathways report`, each the best of --rounds runs, wall time and peak RSS of the process.
With --intake N also drains an N-file backlog (`gateway-bench drain`) and reports its peak RSS.

Usage: bench/history.py [--messages N] [--rounds R] [--dir DIR] [--intake N] [--out FILE]
(defaults: 150,000 messages, 3 rounds, the temporary directory, no intake run, bench/HISTORY.md)."""
import os, subprocess, sys, tempfile, time, shutil, datetime, platform

repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
args = sys.argv[1:]
if "--help" in args or "-h" in args:
    sys.exit(__doc__)
def opt(name, default):
    return type(default)(args[args.index(name) + 1]) if name in args else default
messages, rounds, intake = opt("--messages", 150_000), opt("--rounds", 3), opt("--intake", 0)
out_file = opt("--out", os.path.join(repo, "bench/HISTORY.md"))
parent = opt("--dir", tempfile.gettempdir())
release = os.path.join(repo, ".build/release")

def run(cmd):
    """Runs cmd; returns (seconds, peak RSS in MB, stdout)."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.monotonic() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):  # status exits 1 when the daemon is not running
        sys.exit(f"failed: {' '.join(cmd)}\n{out}")
    return seconds, usage.ru_maxrss / 1024, out

def best(cmd):
    runs = [run(cmd) for _ in range(rounds)]
    return min(r[0] for r in runs), max(r[1] for r in runs)

subprocess.run(["swift", "build", "-c", "release"], cwd=repo, check=True, stdout=subprocess.DEVNULL)
work = tempfile.mkdtemp(prefix="pg-history-", dir=parent)
try:
    lines = []
    say = lambda text="": (lines.append(text), print(text, flush=True))
    say("# Cost with history (issue 18)")
    say()
    say(f"Reproduce: `bench/history.py --messages {messages}` (release build). Run "
        f"{datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}, {platform.machine()}, {os.cpu_count()} cores, "
        f"load average before start {os.getloadavg()[0]:.2f}; best of {rounds} runs, peak RSS of the process.")
    say()
    empty = os.path.join(work, "empty")
    run([f"{release}/gateway-bench", "history", "--messages", "0", "--dir", empty])
    seconds, _, built = run([f"{release}/gateway-bench", "history", "--messages", str(messages), "--dir", os.path.join(work, "full")])
    say(f"History: {built.strip()}")
    say()
    say("| command | history | seconds | peak RSS MB |")
    say("|---|---|---|---|")
    cli = f"{release}/pathway-gateway"
    for label, directory in [("empty spool", empty), (f"{messages:,} messages", os.path.join(work, "full"))]:
        config = ["--config", os.path.join(directory, "pathway-gateway.json")]
        s, rss = best([cli, "status"] + config)
        say(f"| `status` | {label} | {s:.3f} | {rss:.0f} |")
        if directory == empty:
            continue
        s, rss = best([cli, "pathways", "due", "--kommune", "4601"] + config)
        say(f"| `pathways due --kommune 4601` | {label} | {s:.3f} | {rss:.0f} |")
        s, rss = best([cli, "pathways", "report", "--out", os.path.join(work, "report.html")] + config)
        say(f"| `pathways report` | {label} | {s:.3f} | {rss:.0f} |")
    if intake:
        s, rss, out = run([f"{release}/gateway-bench", "drain", "--count", str(intake), "--dir", work])
        say(f"| intake: `gateway-bench drain --count {intake}` | {intake:,}-file backlog | {s:.1f} | {rss:.0f} |")
    say()
    with open(out_file, "w") as f:
        f.write("\n".join(lines) + "\n")
finally:
    shutil.rmtree(work, ignore_errors=True)
