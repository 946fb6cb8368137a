"""Fault scenarios of the crash soak (`bench/soak.py faults`; docs/proof.md reports the results).

disk-full   The spool on a small loop-mounted ext4 filesystem (tmpfs when loop devices are not
            available; skipped with a message when nothing can be mounted, e.g. an unprivileged CI
            container). Three times, with the daemon held by SIGSTOP for an instant, a wave of
            traffic that does not fit arrives and a ballast file leaves 64 KiB, 1 MiB, 4 MiB free;
            the daemon goes on (SIGCONT) into the full disk; then the ballast goes.
audit-full  Only spool/audit fills up (a small tmpfs mounted there, with room for about half the
            records): the audit append fails; cleared by growing the tmpfs (remount,size=).
unwritable  One outbound directory turns unwritable under the running daemon, by each mechanism
            that works here: `nonroot` (the daemon runs as nobody, the directory is chmod 0500 —
            root would bypass the mode bits), `immutable` (chattr +i; ext4/xfs/btrfs, not tmpfs),
            `robind` (a read-only bind mount over the directory). A second fault of the same kind
            is held across a restart (SIGTERM, then the supervisor starts the daemon again while
            the fault lasts: a host reboot during an outage).

What each fault episode asserts (the issue: "no loss, no misrouting, clear errors, automatic
recovery when the fault clears"):

- the fault hit: the daemon logged at least one error line naming the failure (errno text,
  SQLITE_FULL, ...; one is quoted) — else the scenario is inconclusive and fails;
- while it lasts, every file that appears in an outbound directory parses completely (or is a
  notice) and is one the manifest expects in exactly that directory (no misrouting, nothing
  half-written; a relayed AppRec in the outbound of the partner that sent what it answers), and
  the daemon stays up: every exit the soak did not ask for fails the scenario,
  except a start-up failure (`msg="cannot start"`) of a start made while the fault lasts, which the
  supervisor heals once it clears (the restart episodes);
- after the fault is cleared, without restarting the daemon, the backlog drains by itself, no later
  than the retry the daemon's backoff has due (1 s doubling to 60 s after each failed batch,
  computed from the logged failures) plus `--drain-allowance` seconds;
- at the end (SIGTERM: exit 0), every invariant of soak.check() holds. KNOWN below can name
  known issues a scenario tolerates (none now: F1, the torn audit append, is fixed).

The daemon runs under a supervisor that restarts it one second after any exit (systemd's
Restart=on-failure, RestartSec shortened); a restart is counted and reported, never expected.
"""
import collections
import datetime
import json
import os
import re
import shutil
import signal
import subprocess
import time
import types
import xml.etree.ElementTree as ET

NOBODY = 65534
BACKOFF_CAP = 60.0
# Known issues the disk-full and audit-full scenarios tolerate (soak.KNOWN_ISSUES).
KNOWN = {"disk-full": set(), "audit-full": set(), "unwritable": set()}  # F1 is fixed

# What a clear error line names, per fault.
NO_SPACE = r"No space left on device|errno 28|SQLITE_FULL|disk is full|Code=640|enough space"
PATTERNS = {
    "disk-full": NO_SPACE,
    "audit-full": NO_SPACE,
    "nonroot": r"Permission denied|errno 13",
    "immutable": r"Operation not permitted|errno 1\b",
    "robind": r"Read-only file system|errno 30",
}


def run(args, soak):
    temporary = args.work is None
    args.work = soak.prepare_work(args)
    results = []
    selected = args.only or ["disk-full", "audit-full", "unwritable"]
    for scenario in selected:
        if scenario == "disk-full":
            results.append(disk_full(args, soak))
        elif scenario == "audit-full":
            results.append(audit_full(args, soak))
        else:
            mechanisms = ("nonroot", "immutable", "robind") if scenario == "unwritable" else (scenario.split("-", 1)[1],)
            for mechanism in mechanisms:
                results.append(unwritable(args, soak, mechanism))
    soak.log("\nfault scenarios:")
    for name, verdict, lines in results:
        soak.log(f"  {name}: {verdict}")
        for line in lines:
            soak.log(f"      {line}")
    failed = [name for name, verdict, _ in results if verdict.startswith("FAIL")]
    if failed or args.keep or not temporary:
        soak.log(f"work directory: {args.work}")
    else:
        shutil.rmtree(args.work, ignore_errors=True)
    raise SystemExit(1 if failed else 0)


# ---------------------------------------------------------------------------------------------
# The daemon under a supervisor, and what it logs


class Supervisor:
    """Keeps one daemon running: starts it when none runs and restarts it `delay` seconds after
    each exit (systemd's Restart=on-failure). Records every exit: its code, whether the soak asked
    for it (SIGTERM), and whether it was a start-up failure (the process logged "cannot start")."""

    def __init__(self, gateway, soak, preexec=None, delay=1.0):
        self.gateway = gateway
        self.soak = soak
        self.preexec = preexec
        self.delay = delay
        self.process = None
        self.started_at = 0.0
        self.restart_at = 0.0
        self.offset = 0
        self.began = 0.0
        self.starts = 0
        self.exits = []

    def poll(self):
        if self.process is not None and self.process.poll() is not None:
            self._exited(self.process.returncode, requested=False)
        if self.process is None and time.monotonic() >= self.restart_at:
            self.offset = log_size(self.gateway)
            self.began = time.time()
            self.process = self.gateway.start(preexec=self.preexec)
            self.started_at = time.monotonic()
            self.starts += 1

    def _exited(self, code, requested):
        lines = read_log(self.gateway, self.offset)
        errors = [line for line in lines if is_error(line)]
        self.exits.append(dict(code=code, requested=requested, at=time.time(), began=self.began,
                               startup=any("cannot start" in line for line in errors),
                               error=errors[-1] if errors else ""))
        self.process = None
        self.restart_at = time.monotonic() + self.delay

    def run_until(self, condition, timeout, every=None, period=0.5):
        """Supervises until `condition()` holds (checked every 50 ms) or `timeout` seconds pass;
        calls `every()` each `period` seconds meanwhile."""
        deadline = time.monotonic() + timeout
        next_call = 0.0
        while True:
            self.poll()
            if every is not None and time.monotonic() >= next_call:
                every()
                next_call = time.monotonic() + period
            if condition():
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)

    def stop(self):
        """SIGTERM to the running daemon; its exit code (None: none was running)."""
        if self.process is None:
            return None
        # A signal in the first instants of a process comes before its handlers exist.
        time.sleep(max(0.0, self.started_at + 0.5 - time.monotonic()))
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=120)
        self._exited(code, requested=True)
        return code


def log_size(gateway):
    return os.path.getsize(gateway.log_path) if os.path.exists(gateway.log_path) else 0


def read_log(gateway, offset):
    try:
        with open(gateway.log_path, "rb") as f:
            f.seek(offset)
            return f.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return []


def is_error(line):
    return "level=error" in line or '"level":"error"' in line


def log_time(line):
    """The line's `ts` as seconds since the epoch (None if it has none)."""
    match = re.match(r'(?:ts=|\{"ts":")(\S+?)"?[ ,]', line)
    if not match:
        return None
    try:
        return datetime.datetime.fromisoformat(match.group(1).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def masked(line):
    """An error line with what varies from line to line masked (for counting kinds)."""
    line = re.sub(r"^ts=\S+ ", "", line)
    line = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<id>", line)
    return re.sub(r"\.[A-Za-z0-9_-]+\.tmp", ".<temp>.tmp", line)


# ---------------------------------------------------------------------------------------------
# What appears in the outbound directories while a fault lasts


class OutboundWatch:
    """Judges every file that appears in an outbound directory, once: it parses completely (or is
    a notice) and the manifest expects it in exactly that directory. Temporary (`.`-prefixed)
    files are only counted: the daemon writes under a temporary name and renames."""

    def __init__(self, gateway, manifest, soak):
        self.gateway = gateway
        self.soak = soak
        self.route = {line["msgId"]: line["routedTo"] for line in manifest if line["routedTo"] != "-"}
        # A receiver's AppRec is relayed to the partner that sent the message it answers.
        self.sender = {line["msgId"]: line["partner"] for line in manifest if line["routedTo"] != "-"}
        self.apprec = {(line["partner"], line["msgId"]) for line in manifest
                       if line["answer"] != "-" and not line["answer"].startswith("notice:")}
        self.notice = {(line["partner"], line["name"] + ".rejected.txt") for line in manifest
                       if line["answer"].startswith("notice:")}
        self.seen = set()
        self.problems = []
        self.hidden_max = 0

    def scan(self):
        hidden = 0
        for partner in self.gateway.partners:
            path = self.gateway.dir("outbound", partner)
            try:
                names = os.listdir(path)
            except OSError:
                continue
            for name in names:
                if name.startswith("."):
                    hidden += 1
                    continue
                if (partner, name) in self.seen:
                    continue
                self.seen.add((partner, name))
                problem = self.judge(partner, name, os.path.join(path, name))
                if problem:
                    self.soak.log(f"    VIOLATION while faulted: outbound/{partner}/{name}: {problem}")
                    self.problems.append(f"outbound/{partner}/{name}: {problem}")
        self.hidden_max = max(self.hidden_max, hidden)

    def judge(self, partner, name, path):
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as error:
            return f"unreadable ({error})"
        try:
            if name.endswith(".apprec.xml"):
                parsed = self.soak.parse_apprec(data)
                original = parsed["original"]
                if not parsed["relayed"] and (partner, original) not in self.apprec:
                    return f"an AppRec for {original}, which no input from {partner} should get"
                if parsed["relayed"] and self.sender.get(original) != partner:
                    return f"a relayed AppRec for {original}, which belongs in {self.sender.get(original, 'no outbound')}"
            elif name.endswith(".xml"):
                original = self.soak.parse_routed(data)
                if self.route.get(original) != partner:
                    return f"a routed copy of {original}, which belongs in {self.route.get(original, 'no outbound')}"
            elif name.endswith(".rejected.txt"):
                if (partner, name) not in self.notice:
                    return "a notice no input from this partner should get"
                if not data.endswith(b"\n"):
                    return "a notice without its last newline (half-written?)"
            else:
                return "a file nobody expects"
        except (ET.ParseError, AttributeError, TypeError) as error:
            return f"not a complete message ({error})"
        return None


def done_count(gateway):
    """Inputs with an outcome so far (originals in archive/ and quarantine/)."""
    total = 0
    for d in ("archive", "quarantine"):
        for partner in gateway.partners:
            path = gateway.dir(d, partner)
            if os.path.isdir(path):
                total += sum(1 for e in os.scandir(path) if not e.name.startswith(".") and not e.name.endswith(".reason.txt"))
    return total


def status_line(gateway):
    """What `pathway-gateway status --json` says (health, problems, files waiting and claimed)."""
    code, out, err = gateway.command("status", "--json")
    try:
        report = json.loads(out)
        inboxes = report.get("inboxes", [])
        return (f"exit {code}, healthy {report.get('healthy')}, problems {report.get('problems')}, "
                f"{sum(i.get('waiting', 0) for i in inboxes)} waiting in inbound/, "
                f"{sum(i.get('processing', 0) for i in inboxes)} claimed in state/processing/")
    except ValueError:
        return f"exit {code}, unreadable: {(out + err).strip()[:200]}"


def finished_names(gateway):
    """(partner, inbound name) of every input with an outcome (originals are `<gatewayId>-<name>`)."""
    names = set()
    for d in ("archive", "quarantine"):
        for partner in gateway.partners:
            path = gateway.dir(d, partner)
            if os.path.isdir(path):
                names.update((partner, e.name[37:]) for e in os.scandir(path)
                             if not e.name.startswith(".") and not e.name.endswith(".reason.txt"))
    return names


# ---------------------------------------------------------------------------------------------
# One fault episode under the running daemon


class Scenario:
    """A spool, its traffic, the supervised daemon and the findings of one scenario."""

    def __init__(self, name, args, soak, gateway, traffic, kind, preexec=None, target=None):
        self.name = name
        self.target = target
        self.args = args
        self.soak = soak
        self.gateway = gateway
        self.traffic = traffic
        self.kind = kind  # key of PATTERNS
        self.supervisor = Supervisor(gateway, soak, preexec=preexec)
        self.watch = OutboundWatch(gateway, traffic.manifest, soak)
        self.problems = []
        self.summary = []

    def settle(self, n, timeout=300):
        """Releases n messages with no fault and waits until they are finished."""
        self.traffic.release(self.gateway, n)
        started = time.monotonic()
        if not self.supervisor.run_until(lambda: self.gateway.waiting() == 0, timeout, every=self.watch.scan):
            self.problems.append(f"{n} messages not finished in {timeout} s without a fault")
        self.soak.log(f"  no fault: {n} messages finished in {time.monotonic() - started:.1f} s")

    def episode(self, label, apply, clear, release=0, hold=None, restart=False, paused=False):
        """apply(), release `release` messages (with `paused`: the other way round, the daemon
        SIGSTOPped meanwhile), hold the fault `hold` seconds (with `restart`: a
        SIGTERM once it hit, then the supervisor's starts while it lasts), clear(), and wait for
        the backlog to drain without a restart. Appends what failed to self.problems."""
        gateway, supervisor = self.gateway, self.supervisor
        hold = self.args.fault_seconds if hold is None else hold
        self.soak.log(f"  -- {label}")
        e = types.SimpleNamespace(label=label, release=release, restart=restart, offset=log_size(gateway),
                                  exits_before=len(supervisor.exits), before=done_count(gateway))
        self.watch.hidden_max = 0
        self.apply_fault(apply, release, paused)
        # What arrived (answers whose message is not finished yet wait for a later release).
        e.arriving = self.traffic.last_released
        e.waiting_at_fault = gateway.waiting()
        e.faulted_at = time.monotonic()
        if restart:
            self.restart_while_faulted(e, hold)
        supervisor.run_until(lambda: False, max(0.0, e.faulted_at + hold - time.monotonic()), every=self.watch.scan)
        self.observe_fault(e)
        self.clear_and_drain(e, clear)
        self.estimate_retry_due(e)
        self.sort_exits(e)
        self.log_episode(e)
        self.judge_episode(e)
        self.summarise_episode(e)
        return dict(errors=len(e.errors), outcomes=e.outcomes, drain=e.drain_seconds)

    def apply_fault(self, apply, release, paused):
        """apply() and release the wave; with `paused`, both while the daemon is SIGSTOPped."""
        supervisor = self.supervisor
        if paused and supervisor.process is not None:
            # The wave arrives and then the disk fills while the daemon is stopped (SIGSTOP): on a
            # full disk even the rename into inbound/ can fail (a directory needing a new block).
            supervisor.process.send_signal(signal.SIGSTOP)
            try:
                self.traffic.release(self.gateway, release)
                apply()
            finally:
                supervisor.process.send_signal(signal.SIGCONT)
        else:
            apply()
            self.traffic.release(self.gateway, release)

    def restart_while_faulted(self, e, hold):
        """Lets the fault hit the running daemon first, then stops it and lets the supervisor
        start it again while the fault lasts."""
        self.supervisor.run_until(lambda: any(is_error(line) for line in read_log(self.gateway, e.offset)),
                                  hold, every=self.watch.scan)
        requested_code = self.supervisor.stop()
        if requested_code != 0:
            self.problems.append(f"{e.label}: SIGTERM while faulted gave exit {requested_code}")

    def observe_fault(self, e):
        """What the fault did while it lasted: outcomes, bystanders finished, the backlog, temporary
        files, the error lines (those naming the failure) and what `status` said."""
        gateway = self.gateway
        e.held = time.monotonic() - e.faulted_at
        e.outcomes = done_count(gateway) - e.before
        # Of the messages that arrived during the fault, those that need nothing from the faulty
        # directory (`self.target`: neither sent by nor routed to that partner), and how many of
        # those were finished while it lasted.
        # A resend after a take goes where its message went (delivered once more, or its AppRec relayed again).
        went = {f"{line['partner']}/{line['name']}": line["routedTo"] for line in self.traffic.manifest}
        e.bystanders = [line for line in e.arriving if self.target and self.target not in (
            line["partner"], line["routedTo"], line["relayTo"], went.get(line["after"]) if line["take"] == "copy" else None)]
        e.bystanders_done = len(finished_names(gateway) & {(line["partner"], line["name"]) for line in e.bystanders})
        e.waiting = gateway.waiting()
        e.hidden = self.watch.hidden_max
        lines = read_log(gateway, e.offset)
        e.errors = [line for line in lines if is_error(line)]
        e.failures = [line for line in e.errors if "batch failed" in line]
        e.named = [line for line in e.errors if re.search(PATTERNS[self.kind], line)]
        e.status = status_line(gateway)

    def clear_and_drain(self, e, clear):
        """clear(), then waits (bounded) for the backlog to drain."""
        clear()
        e.cleared = time.time()
        cleared_mono = time.monotonic()
        limit = BACKOFF_CAP + self.args.drain_allowance + 60  # how long to wait at most (judged below)
        e.drained = self.supervisor.run_until(lambda: self.gateway.waiting() == 0, limit, every=self.watch.scan)
        e.drain_seconds = time.monotonic() - cleared_mono

    def estimate_retry_due(self, e):
        """The retry the daemon's backoff had due after clearing: after its n-th consecutive failed
        batch it pauses min(60, 2^(n-1)) s. Counting every failure logged in this episode (one
        may come just after clearing, from an attempt that began before) can only overestimate
        n, so `due` is an upper bound."""
        e.due = None
        every_failure = [line for line in read_log(self.gateway, e.offset) if is_error(line) and "batch failed" in line]
        if every_failure and not e.restart:
            e.failures = every_failure
            last = log_time(e.failures[-1])
            if last is not None:
                e.due = max(0.0, last + min(BACKOFF_CAP, 2.0 ** (len(e.failures) - 1)) - e.cleared)

    def sort_exits(self, e):
        """The daemon's exits in this episode nobody asked for: start-up failures and crashes."""
        exits = self.supervisor.exits[e.exits_before:]
        e.unrequested = [x for x in exits if not x["requested"]]
        e.startups = [x for x in e.unrequested if x["startup"]]
        e.crashes = [x for x in e.unrequested if not x["startup"]]

    def log_episode(self, e):
        """The episode's findings, as they are, in the soak's log."""
        soak = self.soak
        soak.log(f"     held {e.held:.1f} s: {len(e.errors)} error line(s) ({len(e.failures)} 'batch failed'), "
                 f"{e.outcomes} outcome(s) while faulted"
                 + (f" ({e.bystanders_done} of the {len(e.bystanders)} arrivals that need nothing from {self.target})"
                    if self.target else "")
                 + f", {e.waiting} waiting at clearing (of {e.waiting_at_fault} when it began), "
                 f"up to {e.hidden} temporary file(s) at a time in outbound/, "
                 f"{len(e.unrequested)} exit(s) ({len(e.startups)} start-up failure(s))")
        for line, count in collections.Counter(masked(line) for line in e.errors).most_common(3):
            soak.log(f"       {count}x {line[:400]}")
        soak.log(f"     status while faulted: {e.status}")
        if e.drained:
            soak.log(f"     cleared: backlog drained {e.drain_seconds:.1f} s later"
                     + (f" (retry was due within {e.due:.1f} s)" if e.due is not None else "")
                     + (", by the supervisor's next start" if e.restart else ", no restart"))
        else:
            soak.log(f"     cleared: backlog NOT drained after {e.drain_seconds:.0f} s ({self.gateway.waiting()} waiting): "
                     f"{self.gateway.log_tail(2).strip()[:300]}")

    def judge_episode(self, e):
        """What failed: no error naming the failure, a crash, a failed start after clearing, or a
        backlog not drained (in time)."""
        label, args = e.label, self.args
        if not e.named:
            self.problems.append(f"{label}: inconclusive, no error line names the failure ({PATTERNS[self.kind]})"
                                 + (f"; errors: {masked(e.errors[0])[:200]}" if e.errors else "; no error logged"))
        for x in e.crashes:
            self.problems.append(f"{label}: the daemon exited with {x['code']}: {masked(x['error'])[:200]}")
        for x in e.startups:
            if x["began"] > e.cleared:
                self.problems.append(f"{label}: a start after the fault cleared failed: {masked(x['error'])[:200]}")
        if not e.drained:
            self.problems.append(f"{label}: backlog not drained {e.drain_seconds:.0f} s after the fault cleared")
        elif e.due is not None and e.drain_seconds > e.due + args.drain_allowance:
            self.problems.append(f"{label}: drained {e.drain_seconds:.1f} s after clearing, the retry was due within "
                                 f"{e.due:.1f} s (+{args.drain_allowance:.0f} s allowed)")
        elif e.drain_seconds > BACKOFF_CAP + args.drain_allowance:
            self.problems.append(f"{label}: drained only {e.drain_seconds:.1f} s after clearing")

    def summarise_episode(self, e):
        """Two lines for the scenario's summary: the figures, and an error line naming the failure."""
        quote = masked(e.named[0])[:300] if e.named else "-"
        self.summary.append(
            f"{e.label}: {e.release} messages, fault held {e.held:.1f} s, {len(e.errors)} errors logged, {e.outcomes} outcomes "
            f"while faulted" + (f" ({e.bystanders_done}/{len(e.bystanders)} not involving {self.target})" if self.target else "")
            + f", {e.waiting} waiting, {len(e.unrequested)} exits ({len(e.startups)} start-up failures), "
            f"drained {e.drain_seconds:.1f} s after clearing" + ("" if e.drained else " (NOT)"))
        self.summary.append(f"  e.g. {quote}")

    def release_deferred(self, timeout=300):
        """Releases the answers, replies and resends that waited for their message, as each
        becomes finished, and lets the daemon drain them (no fault)."""
        deadline = time.monotonic() + timeout
        while self.traffic.deferred and time.monotonic() < deadline:
            released = self.traffic.release(self.gateway, 0)
            self.supervisor.run_until(lambda: self.gateway.waiting() == 0, 60 if released else 0.5, every=self.watch.scan)
        if self.traffic.deferred:
            self.problems.append(f"{len(self.traffic.deferred)} answers still waiting for their message after {timeout} s")

    def finish(self, known=()):
        """SIGTERM (exit 0 expected), then every invariant of soak.check(); returns the verdict."""
        self.release_deferred()
        code = self.supervisor.stop()
        if code not in (0, None):
            self.problems.append(f"SIGTERM after draining gave exit {code}")
        self.watch.scan()
        self.problems.extend(self.watch.problems)
        self.problems.extend(self.soak.check(self.gateway, self.traffic.manifest, known=known, taken=self.traffic.taken))
        exits = [e for e in self.supervisor.exits if not e["requested"]]
        self.summary.append(f"{len(self.traffic.manifest)} messages, {self.supervisor.starts} start(s), "
                            f"{len(exits)} unrequested exit(s) {dict(collections.Counter(e['code'] for e in exits))}")
        if self.problems:
            return self.name, f"FAIL: {self.problems[:3]}", self.summary
        return self.name, "PASS: the fault hit, nothing lost or misrouted, drained by itself once cleared", self.summary


# ---------------------------------------------------------------------------------------------
# Disk full


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
        soak.log(f"  loop ext4 not available ({(getattr(error, 'stderr', b'') or str(error).encode()).decode().strip()}); "
                 f"trying tmpfs")
    if os.path.exists(image):
        os.unlink(image)
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


def wave_for(traffic, want_bytes):
    """How many of the next unreleased messages make up at least `want_bytes`."""
    total = n = 0
    for line in traffic.manifest[traffic.released:]:
        if total >= want_bytes:
            break
        total += os.path.getsize(os.path.join(traffic.directory, line["partner"], line["name"]))
        n += 1
    return n, total


def disk_full(args, soak):
    name = "disk-full"
    work = os.path.join(args.work, "disk-full")
    os.makedirs(work, exist_ok=True)
    mount_point = os.path.join(work, "mnt")
    soak.log("\n== disk full ==")
    kind = mount_small_fs(mount_point, 160, soak)
    if kind is None:
        soak.log("  SKIPPED: cannot mount a loop or tmpfs filesystem here (needs root and loop devices)")
        return name, "skipped (cannot mount a small filesystem here)", []
    ballast = []
    scenario = None
    try:
        gateway = soak.Gateway(work, args.gateway, args.batch_size, spool=os.path.join(mount_point, "spool"))
        # The traffic waits on the same filesystem: releasing a message is a rename that needs no space.
        traffic = soak.Traffic(os.path.join(mount_point, "traffic"), args.bench, args.count, args.seed)
        scenario = Scenario(name, args, soak, gateway, traffic, "disk-full")
        if not scenario.supervisor.run_until(lambda: os.path.isdir(gateway.dir("inbound", "helse-bergen")), 30):
            return name, f"FAIL: the daemon did not start: {gateway.log_tail(1).strip()}", []
        total = len(traffic.manifest)
        soak.log(f"  spool and traffic on a 160 MB {kind} filesystem, {free_bytes(mount_point) >> 20} MB free; "
                 f"{total} messages; faults held {args.fault_seconds:.0f} s")
        scenario.settle(min(200, total // 10))
        levels = [64 << 10, 1 << 20, 4 << 20]
        for index, leave in enumerate(levels):
            if traffic.done:
                break
            # A wave that cannot fit: at least twice the free space and 1 MiB more; the last level
            # (or one after which too little traffic is left for the next) takes all the rest.
            n, size = wave_for(traffic, 2 * leave + (1 << 20))
            rest_n, rest_size = wave_for(traffic, float("inf"))
            if index == len(levels) - 1 or rest_size - size < 2 * levels[index + 1] + (1 << 20):
                n, size = rest_n, rest_size
            if size < leave + (1 << 20):
                soak.log(f"  {leave >> 10} KiB free: skipped, the {n} messages left ({size >> 10} KiB) could fit")
                break

            def apply(leave=leave, index=index):
                ballast.append(fill(mount_point, leave, index))

            def clear():
                while ballast:
                    os.unlink(ballast.pop())

            scenario.episode(f"{leave >> 10} KiB free, {n} messages ({size >> 10} KiB) arrive", apply, clear, release=n,
                             paused=True)
        if not traffic.done:
            scenario.settle(len(traffic.manifest) - traffic.released)
        return scenario.finish(known=KNOWN["disk-full"])
    finally:
        if scenario is not None and scenario.supervisor.process is not None:
            scenario.supervisor.stop()
        for path in ballast:
            os.unlink(path)
        subprocess.run(["umount", mount_point], capture_output=True)
        if os.path.exists(mount_point + ".img"):
            os.unlink(mount_point + ".img")


# ---------------------------------------------------------------------------------------------
# audit/ full


def audit_full(args, soak):
    """Only the audit log's filesystem fills up (a tmpfs on spool/audit with room for about half the
    records, grown with `remount,size=` to clear the fault): an audit append fails."""
    name = "audit-full"
    soak.log("\n== disk full under audit/ only (tmpfs) ==")
    work = os.path.join(args.work, "audit-full")
    os.makedirs(work, exist_ok=True)
    gateway = soak.Gateway(work, args.gateway, args.batch_size)
    traffic = soak.Traffic(os.path.join(work, "traffic"), args.bench, args.count // 2, args.seed + 2)
    # The spool exists once a daemon has started; an idle start creates it.
    scenario = Scenario(name, args, soak, gateway, traffic, "audit-full")
    scenario.supervisor.run_until(lambda: os.path.isdir(gateway.dir("inbound", "helse-bergen")), 30)
    scenario.supervisor.stop()
    scenario.supervisor.exits.clear()
    audit = gateway.dir("audit")
    saved = os.path.join(work, "audit-before")
    shutil.copytree(audit, saved, dirs_exist_ok=True)
    # About half of the audit records the traffic needs (4 per message, ~700 bytes each).
    size_kb = max(64, len(traffic.manifest) * 4 * 700 // 2 // 1024)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", audit], capture_output=True).returncode != 0:
        soak.log("  SKIPPED: cannot mount a tmpfs here")
        return name, "skipped (cannot mount a tmpfs here)", []
    try:
        for entry in os.listdir(saved):
            shutil.copy2(os.path.join(saved, entry), audit)
        total = len(traffic.manifest)
        soak.log(f"  {total} messages; audit/ on a {size_kb} KiB tmpfs (about half the records); "
                 f"fault held {args.fault_seconds:.0f} s")
        scenario.supervisor.run_until(lambda: scenario.supervisor.process is not None, 5)
        torn = {}

        def clear():
            with open(os.path.join(audit, "audit.jsonl"), "rb") as f:
                data = f.read()
            torn["whole"] = data.endswith(b"\n")
            soak.log(f"     audit.jsonl while full: {len(data)} bytes, ends with a newline: {torn['whole']}")
            code, out, err = gateway.command("audit", "verify")
            soak.log(f"     audit verify while full: exit {code} {(out + err).strip()[:200]}")
            subprocess.run(["mount", "-o", "remount,size=256m", audit], check=True)

        scenario.episode(f"audit/ full, {total} messages arrive", lambda: None, clear, release=total)
        return scenario.finish(known=KNOWN["audit-full"])
    finally:
        if scenario.supervisor.process is not None:
            scenario.supervisor.stop()
        subprocess.run(["umount", audit], capture_output=True)


# ---------------------------------------------------------------------------------------------
# Unwritable outbound directory


def as_nobody():
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)


def nobody_cannot_run(gateway):
    """Why the daemon cannot run as nobody here (None: it can): switching user is refused, or
    nobody cannot reach the binary or the schemas (e.g. a checkout under /root)."""
    schemas = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Schemas")
    probe = ("import os, sys; sys.exit(0 if os.access(sys.argv[1], os.X_OK) and os.access(sys.argv[2], os.R_OK | os.X_OK) "
             "and os.access(sys.argv[3], os.R_OK | os.X_OK) else 1)")
    try:
        result = subprocess.run(["python3", "-c", probe, gateway.binary, schemas, gateway.work], preexec_fn=as_nobody,
                                capture_output=True)
    except (OSError, subprocess.SubprocessError) as error:
        return f"cannot switch to nobody ({error})"
    if result.returncode != 0:
        return f"nobody cannot run {gateway.binary} or read {schemas} (a checkout below a private directory)"
    return None


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
            return ok, "chattr +i not supported (not root, or a filesystem without the flag, e.g. tmpfs or overlayfs)"
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
    if mechanism == "nonroot" and os.geteuid() != 0:
        soak.log("  SKIPPED: needs root to switch to nobody")
        return name, "skipped (needs root to switch to nobody)", []
    work = os.path.join(args.work, f"unwritable-{mechanism}")
    os.makedirs(work, exist_ok=True)
    for path in (args.work, work):  # nobody must reach the spool and read the config
        os.chmod(path, 0o755)
    gateway = soak.Gateway(work, args.gateway, args.batch_size)
    if mechanism == "nonroot":
        why = nobody_cannot_run(gateway)
        if why:
            soak.log(f"  SKIPPED: {why}")
            return name, f"skipped ({why})", []
    preexec = as_nobody if mechanism == "nonroot" else None
    fault = Fault(mechanism, gateway.dir("outbound", target))
    traffic = soak.Traffic(os.path.join(work, "traffic"), args.bench, args.count // 2, args.seed + 1)
    if mechanism == "nonroot":
        os.makedirs(gateway.spool, exist_ok=True)
        subprocess.run(["chown", "-R", f"{NOBODY}:{NOBODY}", gateway.spool, traffic.directory], check=True)
    scenario = Scenario(name, args, soak, gateway, traffic, mechanism, preexec=preexec, target=target)
    applied = False
    try:
        if not scenario.supervisor.run_until(lambda: os.path.isdir(fault.directory), 30):
            return name, f"FAIL: the daemon did not start: {gateway.log_tail(1).strip()}", []
        ok, why = fault.available()
        if not ok:
            soak.log(f"  SKIPPED: {why}")
            return name, f"skipped ({why})", []
        total = len(traffic.manifest)
        third = total // 3
        soak.log(f"  {total} messages: a third with no fault; a third while the directory is unwritable under the "
                 f"running daemon ({args.fault_seconds:.0f} s); the rest while it is unwritable across a restart")

        def apply():
            nonlocal applied
            fault.apply()
            applied = True

        def clear():
            nonlocal applied
            fault.clear()
            applied = False

        scenario.settle(third)
        scenario.episode(f"{target} unwritable, {third} messages arrive", apply, clear, release=third)
        scenario.episode(f"{target} unwritable across a restart, {total - 2 * third} messages arrive", apply, clear,
                         release=total - 2 * third, hold=max(3.0, args.fault_seconds / 2), restart=True)
        return scenario.finish(known=KNOWN["unwritable"])
    finally:
        if scenario.supervisor.process is not None:
            scenario.supervisor.stop()
        if applied:
            fault.clear()
