"""Fault scenarios of the crash soak (`bench/soak.py faults`; docs/proof.md reports the results).

disk-full   The spool on a small loop-mounted ext4 filesystem (tmpfs when loop devices are not
            available; skipped with a message when nothing can be mounted, e.g. an unprivileged CI
            container), filled with a ballast file to a few free-space levels in turn while the
            daemon drains a backlog.
audit-full  Only spool/audit fills up (a small tmpfs mounted there): the audit append is cut short.
unwritable  One outbound directory turns unwritable under the running daemon (between a first
            third of the traffic and the rest), by each mechanism that works here:
            `nonroot` (the daemon runs as nobody, the directory is chmod 0500 — root would bypass
            the mode bits), `immutable` (chattr +i; ext4/xfs/btrfs, not tmpfs), `robind` (a read-only
            bind mount over the directory).

The daemon runs under a supervisor that restarts it after every exit, like systemd's
Restart=on-failure (RestartSec shortened to 1 s here). Each scenario prints what the daemon did
while the fault lasted (exit codes, its error lines, progress) and then clears the fault, lets the
supervisor's next start finish the backlog, and runs every invariant of soak.check(). The two
disk-full scenarios tolerate known issue F1 (a torn audit append loses a message's later records;
docs/proof.md) and report it; any other violation fails.
"""
import collections
import os
import re
import shutil
import signal
import subprocess
import time

NOBODY = 65534


def run(args, soak):
    temporary = args.work is None
    args.work = soak.prepare_work(args)
    results = []
    for scenario in args.only or ["disk-full", "audit-full", "unwritable"]:
        if scenario == "disk-full":
            results.append(disk_full(args, soak))
        elif scenario == "audit-full":
            results.append(audit_full(args, soak))
        else:
            for mechanism in ("nonroot", "immutable", "robind"):
                results.append(unwritable(args, soak, mechanism))
    soak.log("\nfault scenarios:")
    for name, verdict in results:
        soak.log(f"  {name}: {verdict}")
    failed = [name for name, verdict in results if verdict.startswith("FAIL")]
    if failed or args.keep or not temporary:
        soak.log(f"work directory: {args.work}")
    else:
        shutil.rmtree(args.work, ignore_errors=True)
    raise SystemExit(1 if failed else 0)


class Supervisor:
    """Keeps one daemon running: restarts it `delay` seconds after each exit (systemd's
    Restart=on-failure). Records every exit and the error lines the daemon logged."""

    def __init__(self, gateway, soak, preexec=None, delay=1.0):
        self.gateway = gateway
        self.soak = soak
        self.preexec = preexec
        self.delay = delay
        self.process = None
        self.started_at = 0.0
        self.exits = []
        self.log_offset = os.path.getsize(gateway.log_path) if os.path.exists(gateway.log_path) else 0

    def run_until(self, condition, timeout):
        """Supervises until `condition()` holds (checked every 20 ms) or `timeout` seconds pass."""
        deadline = time.monotonic() + timeout
        restart_at = 0.0
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                self.exits.append(self.process.returncode)
                self.process = None
                restart_at = time.monotonic() + self.delay
            if condition():
                return True
            if self.process is None and time.monotonic() >= restart_at:
                self.process = self.gateway.start(preexec=self.preexec)
                self.started_at = time.monotonic()
            time.sleep(0.02)
        return False

    def stop(self):
        if self.process is not None:
            # A signal in the first instants of a process comes before its handlers exist.
            time.sleep(max(0.0, self.started_at + 0.5 - time.monotonic()))
            self.process.send_signal(signal.SIGTERM)
            code = self.process.wait(timeout=120)
            self.exits.append(code)
            self.process = None
            return code
        return None

    def errors(self):
        """Distinct error lines logged since this supervisor began (values that vary masked)."""
        with open(self.gateway.log_path, "rb") as f:
            f.seek(self.log_offset)
            text = f.read().decode("utf-8", "replace")
        seen = collections.Counter()
        for line in text.splitlines():
            if "level=error" in line or '"level":"error"' in line:
                line = re.sub(r"^ts=\S+ ", "", line)
                line = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<id>", line)
                line = re.sub(r"\.[A-Za-z0-9_-]+\.tmp", ".<temp>.tmp", line)
                seen[line] += 1
        return seen


def done_count(gateway):
    """Inputs with an outcome so far (originals in archive/ and quarantine/)."""
    total = 0
    for d in ("archive", "quarantine"):
        for partner in gateway.partners:
            path = gateway.dir(d, partner)
            if os.path.isdir(path):
                total += sum(1 for e in os.scandir(path) if not e.name.startswith(".") and not e.name.endswith(".reason.txt"))
    return total


def report_phase(soak, label, supervisor, before, gateway, seconds):
    exits = collections.Counter(supervisor.exits)
    soak.log(f"  {label}: {seconds:.1f} s, {len(supervisor.exits)} exit(s) {dict(exits)}, "
             f"{done_count(gateway) - before} more outcome(s), {gateway.waiting()} waiting")
    for line, count in supervisor.errors().most_common(4):
        soak.log(f"    {count}x {line[:300]}")


# ---------------------------------------------------------------------------------------------


def mount_small_fs(mount_point, size_mb, soak):
    """A fresh filesystem of `size_mb` at `mount_point`: loop ext4, else tmpfs; None if neither."""
    os.makedirs(mount_point, exist_ok=True)
    image = mount_point + ".img"
    try:
        with open(image, "wb") as f:
            f.truncate(size_mb << 20)
        subprocess.run(["mkfs.ext4", "-q", "-F", "-m", "0", image], check=True, capture_output=True)
        subprocess.run(["mount", "-o", "loop", image, mount_point], check=True, capture_output=True)
        return "loop ext4"
    except (OSError, subprocess.CalledProcessError) as error:
        soak.log(f"  loop ext4 not available ({getattr(error, 'stderr', b'') or error!s}); trying tmpfs")
    try:
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", mount_point], check=True, capture_output=True)
        return "tmpfs"
    except (OSError, subprocess.CalledProcessError):
        return None


def free_bytes(path):
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def fill(mount_point, leave, index):
    """A ballast file that leaves about `leave` bytes free."""
    path = os.path.join(mount_point, f"ballast-{index}")
    size = max(0, free_bytes(mount_point) - leave)
    with open(path, "wb") as f:
        chunk = b"\0" * (1 << 20)
        while size > 0:
            try:
                f.write(chunk[:min(size, len(chunk))])
            except OSError:
                break
            size -= len(chunk)
    return path


def disk_full(args, soak):
    work = os.path.join(args.work, "disk-full")
    os.makedirs(work, exist_ok=True)
    mount_point = os.path.join(work, "mnt")
    soak.log("\n== disk full ==")
    kind = mount_small_fs(mount_point, 160, soak)
    if kind is None:
        soak.log("  SKIPPED: cannot mount a loop or tmpfs filesystem here (needs root and loop devices)")
        return "disk-full", "skipped (cannot mount a small filesystem here)"
    try:
        gateway = soak.Gateway(work, args.gateway, args.batch_size, spool=os.path.join(mount_point, "spool"))
        traffic = soak.Traffic(os.path.join(work, "traffic"), args.bench, args.count, args.seed)
        # The spool directories exist once a daemon has started; an idle start creates them.
        supervisor = Supervisor(gateway, soak)
        supervisor.run_until(lambda: os.path.isdir(gateway.dir("inbound", "helse-bergen")), 30)
        supervisor.stop()
        traffic.release(gateway, len(traffic.manifest))
        soak.log(f"  spool on a 160 MB {kind} filesystem; {len(traffic.manifest)} messages waiting; "
                 f"{free_bytes(mount_point) >> 20} MB free before the ballast")
        ballast = []
        hits = 0
        for index, leave in enumerate([64 << 10, 1 << 20, 4 << 20, 12 << 20]):
            if gateway.waiting() == 0:
                break
            ballast.append(fill(mount_point, leave, index))
            before = done_count(gateway)
            supervisor = Supervisor(gateway, soak)
            started = time.monotonic()
            # Long enough for several restarts while the disk stays full.
            supervisor.run_until(lambda: gateway.waiting() == 0, 8)
            hits += any(code != 0 for code in supervisor.exits)
            supervisor.stop()
            report_phase(soak, f"{leave >> 10} KiB free", supervisor, before, gateway, time.monotonic() - started)
            code, out, err = gateway.command("audit", "verify")
            soak.log(f"    audit verify while full: exit {code} {(out + err).strip()[:200]}")
            for path in ballast:
                os.unlink(path)
            ballast = []
            # A little traffic goes through with space available again before the next level.
            supervisor = Supervisor(gateway, soak)
            target = done_count(gateway) + 200
            supervisor.run_until(lambda: done_count(gateway) >= target or gateway.waiting() == 0, 30)
            supervisor.stop()
        soak.log("  fault cleared: the supervisor's next start drains the rest")
        before = done_count(gateway)
        supervisor = Supervisor(gateway, soak)
        started = time.monotonic()
        finished = supervisor.run_until(lambda: gateway.waiting() == 0, 300)
        stop_code = supervisor.stop()
        report_phase(soak, "after clearing", supervisor, before, gateway, time.monotonic() - started)
        problems = soak.check(gateway, traffic.manifest, known={"F1"})
        if not finished:
            problems.append("backlog not drained after the fault cleared")
        if stop_code not in (0, None):  # None: nothing was left to run
            problems.append(f"SIGTERM after draining gave exit {stop_code}")
        if hits == 0:
            problems.append("inconclusive: no fill level ever stopped the daemon")
        return "disk-full", ("PASS: no loss, no duplicate after recovery" if not problems else f"FAIL: {problems[:3]}")
    finally:
        subprocess.run(["umount", mount_point], capture_output=True)
        if os.path.exists(mount_point + ".img"):
            os.unlink(mount_point + ".img")


def audit_full(args, soak):
    """Only the audit log's filesystem fills up (a tmpfs on spool/audit with room for about half the
    records, grown with `remount,size=` to clear the fault): an audit append is cut short."""
    name = "disk full under audit/ only (tmpfs)"
    soak.log(f"\n== {name} ==")
    work = os.path.join(args.work, "audit-full")
    os.makedirs(work, exist_ok=True)
    gateway = soak.Gateway(work, args.gateway, args.batch_size)
    traffic = soak.Traffic(os.path.join(work, "traffic"), args.bench, args.count // 2, args.seed + 2)
    supervisor = Supervisor(gateway, soak)
    supervisor.run_until(lambda: os.path.isdir(gateway.dir("inbound", "helse-bergen")), 30)
    supervisor.stop()
    audit = gateway.dir("audit")
    saved = os.path.join(work, "audit-before")
    shutil.copytree(audit, saved)
    # About half of the audit records the traffic needs (4 per message, ~700 bytes each).
    size_kb = max(64, len(traffic.manifest) * 4 * 700 // 2 // 1024)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", audit], capture_output=True).returncode != 0:
        soak.log("  SKIPPED: cannot mount a tmpfs here")
        return name, "skipped (cannot mount a tmpfs here)"
    try:
        for entry in os.listdir(saved):
            shutil.copy2(os.path.join(saved, entry), audit)
        traffic.release(gateway, len(traffic.manifest))
        before = done_count(gateway)
        supervisor = Supervisor(gateway, soak)
        started = time.monotonic()
        supervisor.run_until(lambda: gateway.waiting() == 0, 8)
        fault_exits = list(supervisor.exits)
        supervisor.stop()
        report_phase(soak, "audit/ full", supervisor, before, gateway, time.monotonic() - started)
        if not any(code != 0 for code in fault_exits):
            return name, "FAIL: inconclusive, the fault never stopped the daemon"
        with open(os.path.join(audit, "audit.jsonl"), "rb") as f:
            data = f.read()
        whole = data.endswith(b"\n")
        soak.log(f"    audit.jsonl: {len(data)} bytes, ends with a newline (no torn record): {whole}")
        code, out, err = gateway.command("audit", "verify")
        soak.log(f"    audit verify while full: exit {code} {(out + err).strip()[:300]}")
        subprocess.run(["mount", "-o", "remount,size=256m", audit], check=True)
        soak.log("  fault cleared (audit/ grown to 256 MB): the supervisor's next start drains the rest")
        before = done_count(gateway)
        supervisor = Supervisor(gateway, soak)
        started = time.monotonic()
        finished = supervisor.run_until(lambda: gateway.waiting() == 0, 120)
        stop_code = supervisor.stop()
        report_phase(soak, "after clearing", supervisor, before, gateway, time.monotonic() - started)
        problems = soak.check(gateway, traffic.manifest, known={"F1"})
        if not finished:
            problems.append("backlog not drained after the fault cleared")
        if stop_code not in (0, None):  # None: nothing was left to run
            problems.append(f"SIGTERM after draining gave exit {stop_code}")
        return name, "PASS: no loss, no duplicate after recovery" if not problems else f"FAIL: {problems[:3]}"
    finally:
        subprocess.run(["umount", audit], capture_output=True)


# ---------------------------------------------------------------------------------------------


def as_nobody():
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)


class Fault:
    """Makes one directory unwritable for the daemon, and writable again, by one mechanism."""

    def __init__(self, mechanism, directory):
        self.mechanism = mechanism
        self.directory = directory

    def available(self):
        if self.mechanism == "nonroot":
            return os.geteuid() == 0, "needs root to switch to nobody"
        if self.mechanism == "immutable":
            probe = os.path.join(os.path.dirname(self.directory), ".chattr-probe")
            os.makedirs(probe, exist_ok=True)
            ok = subprocess.run(["chattr", "+i", probe], capture_output=True).returncode == 0
            subprocess.run(["chattr", "-i", probe], capture_output=True)
            os.rmdir(probe)
            return ok, "chattr +i not supported (not root, or a filesystem without the flag, e.g. tmpfs)"
        probe = subprocess.run(["mount", "--bind", self.directory, self.directory], capture_output=True)
        if probe.returncode == 0:
            subprocess.run(["umount", self.directory], capture_output=True)
        return probe.returncode == 0, "bind mounts not permitted here"

    def apply(self):
        if self.mechanism == "nonroot":
            os.chmod(self.directory, 0o500)
        elif self.mechanism == "immutable":
            subprocess.run(["chattr", "+i", self.directory], check=True)
        else:
            subprocess.run(["mount", "--bind", self.directory, self.directory], check=True)
            subprocess.run(["mount", "-o", "remount,ro,bind", self.directory], check=True)

    def clear(self):
        if self.mechanism == "nonroot":
            os.chmod(self.directory, 0o700)
        elif self.mechanism == "immutable":
            subprocess.run(["chattr", "-i", self.directory], check=True)
        else:
            subprocess.run(["umount", self.directory], check=True)


def unwritable(args, soak, mechanism, target="bergen-kommune"):
    name = f"unwritable outbound/{target} ({mechanism})"
    soak.log(f"\n== {name} ==")
    work = os.path.join(args.work, f"unwritable-{mechanism}")
    os.makedirs(work, exist_ok=True)
    for path in (args.work, work):  # nobody must reach the spool and read the config
        os.chmod(path, 0o755)
    gateway = soak.Gateway(work, args.gateway, args.batch_size)
    preexec = as_nobody if mechanism == "nonroot" else None
    fault = Fault(mechanism, gateway.dir("outbound", target))
    traffic = soak.Traffic(os.path.join(work, "traffic"), args.bench, args.count // 2, args.seed + 1)
    if mechanism == "nonroot":
        os.makedirs(gateway.spool, exist_ok=True)
        subprocess.run(["chown", "-R", f"{NOBODY}:{NOBODY}", gateway.spool, traffic.directory], check=True)
    supervisor = Supervisor(gateway, soak, preexec=preexec)
    started = supervisor.run_until(lambda: os.path.isdir(fault.directory), 30)
    supervisor.stop()
    if not started:
        return name, f"FAIL: the daemon did not start: {gateway.log_tail(1).strip()}"
    ok, why = fault.available()
    if not ok:
        soak.log(f"  SKIPPED: {why}")
        return name, f"skipped ({why})"
    total = len(traffic.manifest)
    soak.log(f"  {total} messages: a third drained, then the directory turns unwritable under the running "
             f"daemon, then the rest arrives")
    traffic.release(gateway, total // 3)
    supervisor = Supervisor(gateway, soak, preexec=preexec)
    supervisor.run_until(lambda: gateway.waiting() == 0, 300)
    fault.apply()
    traffic.release(gateway, total)
    before = done_count(gateway)
    started = time.monotonic()
    supervisor.run_until(lambda: False, 8)
    fault_exits = list(supervisor.exits)
    supervisor.stop()
    if not any(code != 0 for code in fault_exits):
        fault.clear()
        return name, "FAIL: inconclusive, the fault never stopped the daemon"
    report_phase(soak, "while unwritable", supervisor, before, gateway, time.monotonic() - started)
    stuck = gateway.waiting()
    fault.clear()
    soak.log("  fault cleared: the supervisor's next start drains the rest")
    before = done_count(gateway)
    supervisor = Supervisor(gateway, soak, preexec=preexec)
    started = time.monotonic()
    finished = supervisor.run_until(lambda: gateway.waiting() == 0, 300)
    stop_code = supervisor.stop()
    report_phase(soak, "after clearing", supervisor, before, gateway, time.monotonic() - started)
    problems = soak.check(gateway, traffic.manifest)
    if not finished:
        problems.append("backlog not drained after the fault cleared")
    if stop_code not in (0, None):  # None: nothing was left to run
        problems.append(f"SIGTERM after draining gave exit {stop_code}")
    verdict = f"PASS ({stuck} waited while the fault lasted; all finished after it cleared)"
    return name, verdict if not problems else f"FAIL: {problems[:3]}"
