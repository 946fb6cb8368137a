#!/usr/bin/env python3
"""Crash soak for pathway-gateway (issue 7; docs/proof.md).

  soak.py kill   [--count N] [--kills K] ...   drain N generated messages while SIGKILLing the
                                               daemon at random moments at least K times
  soak.py faults [--count N] ...               disk full, audit/ full, and an outbound directory
                                               that turns unwritable under the running daemon: the
                                               fault hits, nothing is lost or misrouted, and the
                                               daemon finishes everything by itself once it clears
  soak.py check  --spool DIR --manifest FILE   only the invariant checks, on a finished spool

Every run ends with the same checks (check()): each input has exactly one outcome (one original
in archive/ or quarantine/ named <gatewayId>-<name>, one `received` record) and the outcome the
generator expected; every routed message (replies included, with the Receiver the manifest names)
and every gateway AppRec exists exactly once per MsgId, a resend's AppRec is byte-identical to the
first, a delivered message gets no gateway AppRec; every receiver's AppRec is relayed exactly once,
byte for byte, to the partner the manifest names; a resend after the partner took the copy (or the
relayed AppRec) gets exactly one more, with the same bytes, and any other resend nothing new; the
files in outbound/ are exactly those the audit records ('routed', 'redelivered', 'apprec-relayed',
'apprec-sent') name, less what the partners took; no temp or partial file in
outbound/archive/quarantine; inbound/ and state/processing/ are empty; the audit trail has each
step once per message; `pathway-gateway audit verify` exits 0; the database's outcome counts
(status --json) agree.
Exit status 0 when every invariant holds, 1 when one fails, 2 when the soak could not run.
Standard library only (python3 >= 3.9).
"""
import argparse
import collections
import errno
import glob
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRASH_POINTS = ["staged", "decided", "routed-written", "notice-written", "apprec-written", "archived"]
APPREC_NS = ["{http://www.kith.no/xmlstds/apprec/2012-02-15}", "{http://www.kith.no/xmlstds/apprec/2004-11-21}"]
MSGHEAD_NS = "{http://www.kith.no/xmlstds/msghead/2006-05-24}"


def log(text):
    print(text, flush=True)


def binary(name, explicit):
    if explicit:
        return os.path.abspath(explicit)
    for build in ("release", "debug"):
        path = os.path.join(ROOT, ".build", build, name)
        if os.path.exists(path):
            return path
    sys.exit(f"soak: {name} not built (swift build [-c release]) and no --{name.split('-')[0]} given")


class Gateway:
    """A spool with the sample configuration, and the daemon binary that works on it."""

    def __init__(self, work, gateway_binary, batch_size, spool=None):
        self.work = work
        self.binary = gateway_binary
        self.spool = spool or os.path.join(work, "spool")
        self.config = os.path.join(work, "pathway-gateway.json")
        self.log_path = os.path.join(work, "daemon.log")
        with open(os.path.join(ROOT, "samples", "pathway-gateway.json")) as f:
            config = json.load(f)
        config["spool"] = self.spool
        config["batchSize"] = batch_size
        config["schemas"] = os.path.join(ROOT, "Schemas")
        with open(self.config, "w") as f:
            json.dump(config, f)
        self.partners = [p["id"] for p in config["partners"]]

    def env(self, crash_at=None):
        env = dict(os.environ, PATHWAY_GATEWAY_CONFIG="")
        env.pop("PATHWAY_GATEWAY_CRASH_AT", None)
        if crash_at:
            env["PATHWAY_GATEWAY_CRASH_AT"] = crash_at
        return env

    def start(self, crash_at=None, once=False, preexec=None):
        args = [self.binary, "run", "--config", self.config] + (["--once"] if once else [])
        stderr = open(self.log_path, "ab")
        try:
            return subprocess.Popen(args, stderr=stderr, stdout=subprocess.DEVNULL, env=self.env(crash_at),
                                    preexec_fn=preexec)
        finally:
            stderr.close()

    def run_once(self, timeout=1800, preexec=None):
        process = self.start(once=True, preexec=preexec)
        return process.wait(timeout=timeout)

    def command(self, *args):
        result = subprocess.run([self.binary, *args, "--config", self.config], capture_output=True, text=True,
                                env=self.env())
        return result.returncode, result.stdout, result.stderr

    def dir(self, *parts):
        return os.path.join(self.spool, *parts)

    def waiting(self):
        """Files still in inbound/ or state/processing/ (visible names only)."""
        count = 0
        for partner in self.partners:
            for d in (self.dir("inbound", partner), self.dir("state", "processing", partner)):
                if os.path.isdir(d):
                    count += sum(1 for e in os.scandir(d) if not e.name.startswith("."))
        return count

    def log_tail(self, lines=5):
        try:
            with open(self.log_path, "rb") as f:
                return b"".join(f.readlines()[-lines:]).decode("utf-8", "replace")
        except OSError:
            return ""


class Traffic:
    """Generated inputs (gateway-bench generate) released into the inboxes in waves.

    A line with `after` (an answer, a reply, a resend after a take) waits until that input is
    finished (its message closed in the state database): a receiver answers only what it has got.
    A line with `take` first has its partner take a file out of its outbound (the delivered copy
    of `after`, or the AppRec relayed for `after`), moved to `taken/` and listed in `taken.tsv`, so
    the checks can expect exactly one more copy or relay with the same bytes."""

    def __init__(self, directory, bench, count, seed):
        self.directory = directory
        if not os.path.exists(os.path.join(directory, "manifest.tsv")):
            subprocess.run([bench, "generate", "--count", str(count), "--dir", directory, "--seed", str(seed)], check=True)
        self.manifest = read_manifest(os.path.join(directory, "manifest.tsv"))
        self.released = 0
        self.deferred = []
        self.last_released = []
        self.taken = read_taken(os.path.join(directory, "taken.tsv"))

    def release(self, gateway, n):
        """Moves the next n files into their inboxes (rename: appears whole, as the spec asks),
        and those deferred before whose `after` is finished now; defers the others."""
        batch = self.deferred + self.manifest[self.released:self.released + n]
        self.released = min(len(self.manifest), self.released + n)
        finished = finished_inputs(gateway, {line["after"] for line in batch if line["after"] != "-"})
        self.deferred, self.last_released = [], []
        for line in batch:
            if line["after"] != "-" and line["after"] not in finished or line["take"] != "-" and not self.take(gateway, line):
                self.deferred.append(line)
                continue
            self.move(gateway, line)
            self.last_released.append(line)
        return self.last_released

    def move(self, gateway, line):
        target = gateway.dir("inbound", line["partner"])
        if not os.path.isdir(target):
            # Before the daemon made it: give it the spool's owner, or a daemon running as
            # another user (soak_faults' nonroot) could never take a file out of it.
            os.makedirs(target, mode=0o770, exist_ok=True)
            owner = os.stat(gateway.spool)
            os.chown(target, owner.st_uid, owner.st_gid)
        source, final = os.path.join(self.directory, line["partner"], line["name"]), os.path.join(target, line["name"])
        try:
            os.rename(source, final)
        except OSError as error:  # another filesystem: copy to a temporary name, then rename
            if error.errno != errno.EXDEV:
                raise
            temp = os.path.join(target, "." + line["name"] + ".tmp")
            shutil.copyfile(source, temp)
            os.rename(temp, final)
            os.unlink(source)

    def take(self, gateway, line):
        """The partner takes the file `line` names out of its outbound (moved to taken/); False
        when that cannot be done now (the directory unwritable in a fault scenario)."""
        key = f"{line['partner']}/{line['name']}"
        if key in self.taken:
            return True
        path = taken_file(gateway, line)
        if path is None:
            return False
        saved = os.path.join(self.directory, "taken", path.replace("/", "_"))
        os.makedirs(os.path.dirname(saved), exist_ok=True)
        try:
            os.rename(gateway.dir(path), saved)
        except FileNotFoundError:
            saved = "-"  # not there to take: the checks report it
        except OSError:
            return False
        self.taken[key] = (path, saved)
        with open(os.path.join(self.directory, "taken.tsv"), "a") as f:
            f.write(f"{key}\t{path}\t{saved}\n")
        return True

    @property
    def done(self):
        return self.released >= len(self.manifest) and not self.deferred


def state_query(gateway, sql, rows):
    """The first column of `sql`'s first row for each parameter tuple in `rows`, read-only from
    the daemon's state database (None where there is none, and for all before the daemon made
    the database and its tables)."""
    import sqlite3
    path = gateway.dir("state", "gateway.sqlite")
    if not os.path.exists(path):
        return [None] * len(rows)
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        results = []
        for params in rows:
            row = db.execute(sql, params).fetchone()
            results.append(row[0] if row else None)
        return results
    except sqlite3.OperationalError as error:  # the daemon is creating the schema this instant
        if "no such table" not in str(error):
            raise
        return [None] * len(rows)
    finally:
        db.close()


def finished_inputs(gateway, keys):
    """Of the inputs `partner/name`, those whose message is closed (state 'done'): every output
    written, the original archived."""
    keys = sorted(keys)
    found = state_query(gateway, "SELECT 1 FROM messages WHERE partner_id = ? AND file_name = ? AND state = 'done'",
                        [tuple(key.split("/", 1)) for key in keys])
    return {key for key, row in zip(keys, found) if row}


def taken_file(gateway, line):
    """The spool path a `take` line's partner takes: the latest delivered copy of `after`
    (take=copy) or the AppRec relayed for the receiver's AppRec `after` (take=relay)."""
    query = {
        "copy": "SELECT r.path FROM routed r JOIN messages m ON m.id = r.message_id WHERE m.partner_id = ? AND m.file_name = ?",
        "relay": "SELECT x.path FROM relays x JOIN messages m ON m.id = x.message_id WHERE m.partner_id = ? AND m.file_name = ?",
    }[line["take"]]
    return state_query(gateway, query, [tuple(line["after"].split("/", 1))])[0]


def read_taken(path):
    """taken.tsv: what the partners took, by the resend line that follows: key -> (spool path, saved copy)."""
    taken = {}
    if os.path.exists(path):
        with open(path) as f:
            for raw in f:
                key, spool_path, saved = raw.rstrip("\n").split("\t")
                taken[key] = (spool_path, saved)
    return taken


MANIFEST_COLUMNS = ["msgId", "outcome", "answer", "routedTo", "receiver", "relayTo", "after", "take", "flow"]


def read_manifest(path):
    """The generator's manifest; columns after routedTo default to '-' (manifests of earlier generators)."""
    lines = []
    with open(path) as f:
        for raw in f:
            if raw.startswith("#") or not raw.strip():
                continue
            fields = raw.rstrip("\n").split("\t")
            partner, name = fields[0].split("/", 1)
            line = dict(partner=partner, name=name, **dict(zip(MANIFEST_COLUMNS, fields[1:])))
            for column in MANIFEST_COLUMNS:
                line.setdefault(column, "-")
            lines.append(line)
    return lines


# ---------------------------------------------------------------------------------------------
# The invariants


def audit_records(spool):
    records = []
    for path in glob.glob(os.path.join(spool, "audit", "*.jsonl")):
        with open(path, "rb") as f:
            for line in f:
                if line.strip():
                    records.append(json.loads(line))
    records.sort(key=lambda r: r["seq"])
    return records


def child(element, name):
    for ns in APPREC_NS + [MSGHEAD_NS, ""]:
        found = element.find(ns + name)
        if found is not None:
            return found
    return None


GATEWAY_HER_ID = "8150001"  # the default config's gateway: Sender of every AppRec it writes itself


def parse_apprec(data):
    root = ET.fromstring(data)
    original = child(root, "OriginalMsgId")
    error = child(root, "Error")
    sender = child(root, "Sender")
    ids = [e.text for e in sender.iter() if e.tag.endswith("}Id") or e.tag == "Id"] if sender is not None else []
    return dict(status=child(root, "Status").get("V"), original=child(original, "Id").text,
                code=error.get("V") if error is not None else None, relayed=GATEWAY_HER_ID not in ids)


def parse_routed(data):
    """The delivered copy keeps the sender's MsgId (spec section 7): it names its original."""
    root = ET.fromstring(data)
    return root.find(MSGHEAD_NS + "MsgInfo").find(MSGHEAD_NS + "MsgId").text


def her_ids(party):
    """The HER-ids of a MsgHead Sender or Receiver, outermost first."""
    ids = []
    for ident in party.iter(MSGHEAD_NS + "Ident"):
        type_id = ident.find(MSGHEAD_NS + "TypeId")
        if type_id is not None and type_id.get("V") == "HER":
            ids.append(ident.find(MSGHEAD_NS + "Id").text)
    return ids


def parse_copy(data):
    """A delivered copy's MsgId and its Receiver's HER-ids (outermost first)."""
    root = ET.fromstring(data)
    info = root.find(MSGHEAD_NS + "MsgInfo")
    return info.find(MSGHEAD_NS + "MsgId").text, her_ids(info.find(MSGHEAD_NS + "Receiver"))


# Known issues the checks recognise (docs/proof.md, "Findings"). A caller that expects one passes
# its id in `known`: its violations are reported as KNOWN ISSUE and do not fail the run.
KNOWN_ISSUES = {
    "F1": "torn-audit-append-loses-records: a message's trail lacks the steps after a torn audit append",
}


def check(gateway, manifest, quiet=False, known=(), taken=None):
    """Every invariant of the module docstring; returns the violations that are not `known`
    issues (empty: all hold). `taken`: what the partners took out of their outbound
    (Traffic.taken: resend line -> (spool path, where the soak put the file))."""
    return InvariantCheck(gateway, manifest, known, taken or {}).run(quiet)


class InvariantCheck:
    """One run of check(): the spool's audit trail and files indexed once, then each invariant
    as a named step. Violations go through fail(), which counts the `known` issues apart."""

    def __init__(self, gateway, manifest, known, taken):
        self.gateway = gateway
        self.spool = gateway.spool
        self.manifest = manifest
        self.by_key = {f"{line['partner']}/{line['name']}": line for line in manifest}
        self.taken = taken
        self.taken_paths = {path for path, _ in taken.values()}
        self.known = known
        self.problems = []
        self.tolerated = collections.Counter()

    def fail(self, text, issue=None):
        """Records one violation (logging the first 50), or counts it when `issue` is known."""
        if issue in self.known:
            self.tolerated[issue] += 1
            if self.tolerated[issue] <= 3:
                log(f"  KNOWN ISSUE {issue}: {text}")
            return
        if len(self.problems) < 50:
            log("  VIOLATION: " + text)
        self.problems.append(text)

    def run(self, quiet):
        """The steps in order; returns the violations."""
        self.index_audit()
        self.check_leftovers()
        self.index_outbound()
        self.index_originals()
        self.check_inputs()
        self.check_resends()
        self.check_answer_counts()
        self.check_commands()
        if not quiet:
            self.summarise()
        return self.problems

    def index_audit(self):
        """The audit records by event, the 'received' decisions by (partner, file), and each
        message's steps by gateway id."""
        self.records = audit_records(self.spool)
        self.by_event = collections.defaultdict(list)
        for r in self.records:
            self.by_event[r["event"]].append(r)
        self.received = collections.defaultdict(list)
        for r in self.by_event["received"]:
            self.received[(r["partner"], r["file"])].append(r)
        self.steps = collections.defaultdict(collections.Counter)
        for r in self.records:
            if r.get("gatewayId"):
                self.steps[r["gatewayId"]][r["event"]] += 1

    def check_leftovers(self):
        """Leftovers: nothing waits, nothing temporary or partial anywhere a partner or operator looks."""
        spool = self.spool
        for partner in self.gateway.partners:
            for d in ("inbound", "state/processing"):
                left = os.listdir(os.path.join(spool, d, partner)) if os.path.isdir(os.path.join(spool, d, partner)) else []
                if left:
                    self.fail(f"{len(left)} file(s) left in {d}/{partner}: {left[:3]}")
            for d in ("outbound", "archive", "quarantine"):
                path = os.path.join(spool, d, partner)
                for name in os.listdir(path) if os.path.isdir(path) else []:
                    if name.startswith(".") or name.endswith(".tmp"):
                        self.fail(f"temporary file left: {d}/{partner}/{name}")
        staging = os.path.join(spool, "state", "staging")
        left = os.listdir(staging) if os.path.isdir(staging) else []
        if left:
            self.fail(f"{len(left)} staged file(s) left in state/staging: {left[:3]}")

    def index_outbound(self):
        """Outbound: every AppRec and routed message parses completely; index them by original MsgId."""
        self.apprecs = collections.defaultdict(list)   # original MsgId -> [(partner, name, bytes)]
        self.routed = collections.defaultdict(list)    # original MsgId -> [(partner, name, Receiver HER-ids)]
        self.relayed = []                               # a receiver's AppRec carried to the sender: (partner, name, bytes)
        self.apprec_files = self.routed_files = 0
        for partner in self.gateway.partners:
            path = os.path.join(self.spool, "outbound", partner)
            for name in os.listdir(path) if os.path.isdir(path) else []:
                if not name.endswith(".xml") or name.startswith("."):
                    continue
                with open(os.path.join(path, name), "rb") as f:
                    data = f.read()
                try:
                    if name.endswith(".apprec.xml") and parse_apprec(data)["relayed"]:
                        self.relayed.append((partner, name, data))
                    elif name.endswith(".apprec.xml"):
                        self.apprecs[parse_apprec(data)["original"]].append((partner, name, data))
                        self.apprec_files += 1
                    else:
                        msg_id, receiver = parse_copy(data)
                        self.routed[msg_id].append((partner, name, receiver))
                        self.routed_files += 1
                except (ET.ParseError, AttributeError) as error:
                    self.fail(f"outbound/{partner}/{name} is not a complete message: {error}")

    def index_originals(self):
        """Every stored original (archive or quarantine, reason files aside) and where it lies."""
        self.originals = {}
        for d in ("archive", "quarantine"):
            for partner in self.gateway.partners:
                path = os.path.join(self.spool, d, partner)
                for name in os.listdir(path) if os.path.isdir(path) else []:
                    if not name.endswith(".reason.txt") and not name.startswith("."):
                        self.originals.setdefault((partner, name), []).append(d)

    def check_inputs(self):
        """Each input: one decision, one original under <gatewayId>-<name>, the expected answer."""
        self.groups = collections.defaultdict(list)
        self.expected_apprecs = collections.Counter()
        self.expected_routes = collections.Counter()
        seen_originals = set()
        for line in self.manifest:
            key = (line["partner"], line["name"])
            decisions = self.received.get(key, [])
            if len(decisions) != 1:
                self.fail(f"{key[0]}/{key[1]}: {len(decisions)} 'received' records (expected exactly 1)")
                if not decisions:
                    continue
            record = decisions[0]
            stored = f"{record['gatewayId']}-{line['name']}"
            seen_originals.add((line["partner"], stored))
            destination = self.check_original(line, key, record, stored)
            self.check_answer(line, key, record)
            self.check_route(line, key)
            self.check_trail(line, key, record, destination)
        for key in self.originals:
            if key not in seen_originals:
                self.fail(f"an original nobody sent: {key[0]}/{key[1]}")

    def check_original(self, line, key, record, stored):
        """The original lies in the one place its outcome sends it, with the audited bytes; a
        duplicate candidate joins its (partner, MsgId) group. Returns that place."""
        places = self.originals.get((line["partner"], stored), [])
        destination = "quarantine" if line["outcome"] == "rejected" else "archive"
        if places != [destination]:
            self.fail(f"{key[0]}/{key[1]}: original in {places or 'nowhere'}, expected {destination}/{line['partner']}/{stored}")
        else:
            with open(os.path.join(self.spool, destination, line["partner"], stored), "rb") as f:
                if hashlib.sha256(f.read()).hexdigest() != record["sha256"]:
                    self.fail(f"{key[0]}/{key[1]}: archived bytes differ from the audited sha256")
        if destination == "quarantine" and not os.path.exists(os.path.join(self.spool, "quarantine", line["partner"], stored + ".reason.txt")):
            self.fail(f"{key[0]}/{key[1]}: quarantined without a reason file")
        if line["outcome"] in ("accepted", "duplicate"):
            self.groups[(line["partner"], line["msgId"])].append((line, record))
        elif record["outcome"] != line["outcome"]:
            self.fail(f"{key[0]}/{key[1]}: outcome {record['outcome']}, expected {line['outcome']}")
        return destination

    def check_answer(self, line, key, record):
        """The answer the manifest expects: none, a notice naming its reason, or an AppRec with
        the expected status and code for the original MsgId."""
        answer = line["answer"]
        apprec_path = os.path.join(self.spool, "outbound", line["partner"], f"{record['gatewayId']}.apprec.xml")
        if answer == "-" or answer.startswith("notice:"):
            # A resend after the sender took the relayed AppRec gets that AppRec again under its
            # own name (check_conversations judges it); any other AppRec there is the gateway's.
            if os.path.exists(apprec_path) and line["take"] != "relay":
                self.fail(f"{key[0]}/{key[1]}: answered with an AppRec, expected {answer}")
        if answer.startswith("notice:"):
            notice = os.path.join(self.spool, "outbound", line["partner"], line["name"] + ".rejected.txt")
            if not os.path.exists(notice) or answer.split(":")[1] not in open(notice, encoding="utf-8").read():
                self.fail(f"{key[0]}/{key[1]}: no notice naming {answer.split(':')[1]}")
        elif answer != "-":
            self.expected_apprecs[line["msgId"]] += 1
            if not os.path.exists(apprec_path):
                self.fail(f"{key[0]}/{key[1]}: AppRec {apprec_path} missing")
            else:
                with open(apprec_path, "rb") as f:
                    got = parse_apprec(f.read())
                status, _, code = answer.partition(":")
                if got["status"] != status or (code and got["code"] != code) or got["original"] != line["msgId"]:
                    self.fail(f"{key[0]}/{key[1]}: AppRec status {got['status']} {got['code']} for {got['original']}, expected {answer}")

    def check_route(self, line, key):
        """A message to route has exactly one routed copy, in its receiver's outbound."""
        if line["routedTo"] != "-":
            self.expected_routes[line["msgId"]] += 1
            copies = self.routed.get(line["msgId"], [])
            if len(copies) != 1 or copies[0][0] != line["routedTo"]:
                self.fail(f"{key[0]}/{key[1]}: routed copies {copies}, expected one in outbound/{line['routedTo']}")
            elif line["receiver"] != "-" and copies[0][2] != line["receiver"].split(","):
                self.fail(f"{key[0]}/{key[1]}: delivered with Receiver HER-ids {copies[0][2]}, expected {line['receiver']}")

    def check_trail(self, line, key, record, destination):
        """The message's audit trail has exactly the steps its outcome implies ('recovered' aside)."""
        answer = line["answer"]
        trail = self.steps[record["gatewayId"]]
        want = collections.Counter(received=1, **{("quarantined" if destination == "quarantine" else "archived"): 1})
        if answer not in ("-",) and not answer.startswith("notice:"):
            want["apprec-sent"] = 1
        if line["routedTo"] != "-":
            want["routed"] = 1
        want["notice"] = (1 if answer.startswith("notice:") else 0) + (1 if destination == "quarantine" else 0)
        if line["relayTo"] != "-":  # a receiver's AppRec relayed (again, for a resend after a take)
            want["apprec-relayed"] = 1
        if line["take"] == "copy":  # a resend after the receiver took the copy: delivered once more
            want["redelivered"] = 1
        got_steps = collections.Counter({k: v for k, v in trail.items() if k != "recovered"})
        if +got_steps != +want:
            # Steps missing after the decision (none doubled, none foreign) is the shape of F1.
            torn = got_steps["received"] == 1 and all(got_steps[k] <= want[k] for k in got_steps)
            self.fail(f"{key[0]}/{key[1]}: audit trail {dict(got_steps)}, expected {dict(+want)}", "F1" if torn else None)

    def check_resends(self):
        """Resends: exactly one accepted per (sender partner, MsgId), the rest duplicates with the same bytes."""
        for (partner, msg_id), members in self.groups.items():
            outcomes = sorted(r["outcome"] for _, r in members)
            if outcomes != ["accepted"] + ["duplicate"] * (len(members) - 1):
                self.fail(f"{partner} MsgId {msg_id}: outcomes {outcomes}")
            bodies = set()
            for line, record in members:
                path = os.path.join(self.spool, "outbound", partner, f"{record['gatewayId']}.apprec.xml")
                if os.path.exists(path):
                    with open(path, "rb") as f:
                        data = f.read()
                    if not parse_apprec(data)["relayed"]:  # the gateway's own answer, not a relay
                        bodies.add(data)
            if len(bodies) > 1:
                self.fail(f"{partner} MsgId {msg_id}: {len(bodies)} different AppRecs for one message and its resends")

    def check_answer_counts(self):
        """Per MsgId: no AppRec or routed copy missing or doubled, and none nobody expects; each
        file written has its audit record."""
        apprecs, routed, by_event = self.apprecs, self.routed, self.by_event
        for msg_id in set(apprecs) | set(self.expected_apprecs):
            if len(apprecs.get(msg_id, [])) != self.expected_apprecs[msg_id]:
                self.fail(f"MsgId {msg_id}: {len(apprecs.get(msg_id, []))} AppRec(s), expected {self.expected_apprecs[msg_id]}")
        for msg_id in set(routed) | set(self.expected_routes):
            if len(routed.get(msg_id, [])) != self.expected_routes[msg_id]:
                self.fail(f"MsgId {msg_id}: {len(routed.get(msg_id, []))} routed copies, expected {self.expected_routes[msg_id]}")
        if len(by_event["apprec-sent"]) != self.apprec_files:
            self.fail(f"{len(by_event['apprec-sent'])} 'apprec-sent' records for {self.apprec_files} AppRec files",
                      "F1" if len(by_event["apprec-sent"]) < self.apprec_files else None)
        if len(by_event["received"]) != len(self.manifest):
            self.fail(f"{len(by_event['received'])} 'received' records for {len(self.manifest)} inputs")
        self.check_outputs_match_records()
        self.check_conversations()

    def check_outputs_match_records(self):
        """The files in outbound/ are exactly what the audit says was written, less what the
        partners took: delivered copies ('routed', 'redelivered') and relayed AppRecs
        ('apprec-relayed'), each path once."""
        by_event = self.by_event
        for kind, events, actual in (
                ("delivered copies", ("routed", "redelivered"),
                 {f"outbound/{p}/{n}" for copies in self.routed.values() for p, n, _ in copies}),
                ("relayed AppRecs", ("apprec-relayed",), {f"outbound/{p}/{n}" for p, n, _ in self.relayed})):
            recorded = collections.Counter(r["file"] for event in events for r in by_event[event])
            for path, n in recorded.items():
                if n != 1:
                    self.fail(f"{path}: {n} {'/'.join(events)} records")
            present = actual | (self.taken_paths & set(recorded))
            for path in sorted(set(recorded) - present)[:20]:
                self.fail(f"{path}: recorded ({'/'.join(events)}) but neither in outbound/ nor taken (lost)")
            for path in sorted(actual - set(recorded))[:20]:
                self.fail(f"{path}: {kind[:-1]} without its audit record")

    def output_bytes(self, path):
        """The bytes of an output: in the spool, or where the soak put it when the partner took it."""
        for key, (spool_path, saved) in self.taken.items():
            if spool_path == path:
                path = saved if saved != "-" else None
                break
        else:
            path = os.path.join(self.spool, path)
        if path is None or not os.path.exists(path):
            return None
        with open(path, "rb") as f:
            return f.read()

    def archived(self, line):
        """The archived original of a manifest line (None if it is not there)."""
        decisions = self.received.get((line["partner"], line["name"]), [])
        if len(decisions) != 1:
            return None
        path = os.path.join(self.spool, "archive", line["partner"], f"{decisions[0]['gatewayId']}-{line['name']}")
        if not os.path.exists(path):
            return None
        with open(path, "rb") as f:
            return f.read()

    def check_conversations(self):
        """Spec section 7, per 'apprec-relayed' and 'redelivered' record: it belongs to an input
        the manifest says gets one, in the right partner's outbound, and the file is byte for byte
        the receiver's AppRec (relayed) or the copy the receiver took (delivered again); every take
        found its file."""
        lines = {r["gatewayId"]: self.by_key.get(f"{r['partner']}/{r['file']}") for r in self.by_event["received"]}
        for record in self.by_event["apprec-relayed"]:
            line = lines.get(record["gatewayId"])
            if line is None or line["relayTo"] == "-":
                self.fail(f"{record['file']}: relayed for {record['gatewayId']}, which the manifest relays nothing for")
                continue
            where = f"{line['partner']}/{line['name']} ({line['flow']})"
            if not record["file"].startswith(f"outbound/{line['relayTo']}/"):
                self.fail(f"{where}: AppRec relayed to {record['file']}, expected outbound/{line['relayTo']}/")
            receipt = line if line["outcome"] == "apprec-received" else self.by_key.get(line["after"])
            want = self.archived(receipt) if receipt else None
            got = self.output_bytes(record["file"])
            if want is None or got != want:
                self.fail(f"{where}: {record['file']} is not the receiver's AppRec {line['after'] if receipt is not line else ''} byte for byte")
        for record in self.by_event["redelivered"]:
            line = lines.get(record["gatewayId"])
            if line is None or line["take"] != "copy":
                self.fail(f"{record['file']}: delivered again for {record['gatewayId']}, which is no resend after a take")
                continue
            where = f"{line['partner']}/{line['name']} ({line['flow']})"
            first = self.by_key.get(line["after"], {})
            if not record["file"].startswith(f"outbound/{first.get('routedTo')}/"):
                self.fail(f"{where}: delivered again to {record['file']}, expected outbound/{first.get('routedTo')}/")
            taken = self.taken.get(f"{line['partner']}/{line['name']}")
            want = self.output_bytes(taken[0]) if taken else None
            if want is None or self.output_bytes(record["file"]) != want:
                self.fail(f"{where}: {record['file']} is not the copy the receiver took, byte for byte")
        for line in self.manifest:
            if line["take"] != "-":
                taken = self.taken.get(f"{line['partner']}/{line['name']}")
                if taken is None or taken[1] == "-":
                    self.fail(f"{line['partner']}/{line['name']}: the {line['take']} to take before this resend was "
                              f"{'never taken' if taken is None else 'not in outbound/ (' + taken[0] + ')'}")

    def check_commands(self):
        """The operator's view agrees: `audit verify` passes, and `status --json` counts the
        manifest's outcomes."""
        code, out, err = self.gateway.command("audit", "verify")
        if code != 0:
            self.fail(f"audit verify exited {code}: {(out + err).strip()[:300]}")
        code, out, _ = self.gateway.command("status", "--json")
        try:
            counts = json.loads(out)["outcomes"]["lastDay"]
            expected = collections.Counter(line["outcome"] for line in self.manifest)
            if {k: v for k, v in counts.items() if v} != dict(expected):
                self.fail(f"database outcome counts {counts}, expected {dict(expected)}")
        except (ValueError, KeyError) as error:
            self.fail(f"status --json unreadable ({error}): {out[:200]}")

    def summarise(self):
        """One line: what was checked, and the verdict."""
        problems = self.problems
        flows = collections.Counter(line["flow"] for line in self.manifest if line["flow"] != "-")
        if flows:
            log("flows: " + ", ".join(f"{k} {v}" for k, v in sorted(flows.items())))
        log(f"checked {len(self.manifest)} inputs: {self.apprec_files} gateway AppRecs, {self.routed_files} delivered copies "
            f"({len(self.by_event['redelivered'])} delivered again), {len(self.relayed)} relayed AppRecs in outbound/ "
            f"({len(self.by_event['apprec-relayed'])} relayed, {len(self.taken)} files taken by partners), "
            f"{len(self.records)} audit records ({len(self.by_event['recovered'])} 'recovered'); "
            f"{'ALL INVARIANTS HOLD' if not problems else f'{len(problems)} VIOLATION(S)'}"
            + "".join(f"; known issue {k} ({KNOWN_ISSUES[k]}) seen {n} time(s)" for k, n in self.tolerated.items()))


# ---------------------------------------------------------------------------------------------
# The kill soak


def kill_soak(args):
    work = prepare_work(args)
    gateway = Gateway(work, args.gateway, args.batch_size)
    traffic = Traffic(os.path.join(work, "traffic"), args.bench, args.count, args.seed)
    rng = random.Random(args.seed)
    total = len(traffic.manifest)
    # Twice as many waves as kills wanted: the backlog never runs dry before enough kills landed.
    wave = max(1, -(-total // (2 * args.kills)))
    kills = in_flight = crash_exits = unexpected = 0
    started = time.monotonic()
    log(f"kill soak: {total} messages in waves of {wave}, at least {args.kills} kills, batchSize {args.batch_size}, "
        f"binary {args.gateway}, work {work}")
    cycle = 0
    clock = KillClock(rng)
    while not traffic.done or (in_flight < args.kills and gateway.waiting() > 0):
        cycle += 1
        traffic.release(gateway, wave)
        crash_at = rng.choice(CRASH_POINTS) if rng.random() < args.crash_point_share else None
        before = gateway.waiting()
        process = gateway.start(crash_at=crash_at)
        code = clock.wait(process, gateway, before)
        if code is None:
            if gateway.waiting() > 0:
                in_flight += 1
            process.send_signal(signal.SIGKILL)
            code = process.wait()
            kills += 1
        if code == 137 and crash_at:
            crash_exits += 1
        elif code != -signal.SIGKILL:
            unexpected += 1
            log(f"  cycle {cycle}: the daemon exited by itself with {code}: {gateway.log_tail(3).strip()}")
        if cycle % 10 == 0:
            log(f"  cycle {cycle}: released {traffic.released}/{total}, waiting {gateway.waiting()}, kills {kills}, "
                f"crash points hit {crash_exits}, {time.monotonic() - started:.0f} s")
    log(f"kills done: {kills} SIGKILLs ({in_flight} with files in flight), {crash_exits} crash-point exits, "
        f"{unexpected} unexpected exits; final drain (run --once)")
    code = gateway.run_once()
    wall = time.monotonic() - started
    if code != 0:
        log(f"final run --once exited {code}: {gateway.log_tail().strip()}")
    problems = check(gateway, traffic.manifest, taken=traffic.taken)
    if code != 0:
        problems.append(f"final drain exited {code}")
    if unexpected:
        problems.append(f"{unexpected} unexpected daemon exits")
    if in_flight < args.kills:
        problems.append(f"only {in_flight} kills with files in flight (wanted {args.kills})")
    log(f"kill soak: {total} messages, {kills} SIGKILLs ({in_flight} with files in flight) + {crash_exits} crash-point exits, {cycle} starts, "
        f"wall {wall:.1f} s: {'PASS' if not problems else 'FAIL'}")
    finish(args, work, problems)


class KillClock:
    """Picks the moment to kill: uniformly random inside the time the daemon needs to drain what
    waits, learned from the cycles where it emptied the inboxes before the kill (seconds per
    waiting file); a fifth of the kills fall within the first 0.3 s (start-up, recovery, the
    first claims) instead."""

    def __init__(self, rng):
        self.rng = rng
        self.per_file = None

    def wait(self, process, gateway, backlog):
        """Returns the exit code if the daemon ended by itself first (a crash point), else None."""
        if self.rng.random() < 0.2 or backlog == 0:
            moment = self.rng.uniform(0.0, 0.3)
        else:
            moment = self.rng.uniform(0.0, (self.per_file or 0.01) * backlog + 0.1)
        start = time.monotonic()
        emptied = None
        while True:
            now = time.monotonic() - start
            if process.poll() is not None:
                return process.returncode
            if emptied is None and gateway.waiting() == 0:
                emptied = now
            if now >= moment:
                break
            time.sleep(0.005)
        if emptied is not None and backlog > 0:
            observed = emptied / backlog
            self.per_file = observed if self.per_file is None else 0.7 * self.per_file + 0.3 * observed
        elif backlog > 0 and moment > 0.3:
            # Not emptied in time: grow the estimate a little so the window keeps covering the drain.
            self.per_file = max(self.per_file or 0.0, moment / backlog) * 1.05
        return None


def prepare_work(args):
    work = args.work or tempfile.mkdtemp(prefix="pg-soak-")
    os.makedirs(work, exist_ok=True)
    return os.path.abspath(work)


def finish(args, work, problems):
    if problems:
        log(f"work directory kept for inspection: {work}")
        sys.exit(1)
    if not args.keep and not args.work:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    for name in ("kill", "faults", "check"):
        p = sub.add_parser(name)
        p.add_argument("--gateway", help="pathway-gateway binary (default: .build/release, else .build/debug)")
        p.add_argument("--bench", help="gateway-bench binary (same default)")
        p.add_argument("--work", help="work directory (default: a fresh temporary one, removed after a pass)")
        p.add_argument("--keep", action="store_true", help="keep the work directory after a pass")
        p.add_argument("--seed", type=int, default=1)
        p.add_argument("--batch-size", type=int, default=256)
        p.add_argument("--count", type=int, default=20_000 if name == "kill" else 2_000)
    sub.choices["kill"].add_argument("--kills", type=int, default=60)
    sub.choices["kill"].add_argument("--crash-point-share", type=float, default=0.1,
                                     help="share of starts that exit at a named step (PATHWAY_GATEWAY_CRASH_AT) instead")
    faults = sub.choices["faults"]
    faults.add_argument("--only", action="append",
                        choices=["disk-full", "audit-full", "unwritable", "unwritable-nonroot", "unwritable-immutable",
                                 "unwritable-robind"],
                        help="run only this scenario (repeatable; `unwritable` is all three mechanisms)")
    faults.add_argument("--fault-seconds", type=float, default=20.0, help="how long each fault is held (default 20)")
    faults.add_argument("--drain-allowance", type=float, default=30.0,
                        help="seconds allowed, after the retry the backoff has due, to drain the backlog (default 30)")
    sub.choices["check"].add_argument("--spool", required=True)
    sub.choices["check"].add_argument("--manifest", required=True)
    args = parser.parse_args()
    args.gateway = binary("pathway-gateway", args.gateway)
    if args.mode == "check":
        with tempfile.TemporaryDirectory(prefix="pg-check-") as config_dir:
            gateway = Gateway(config_dir, args.gateway, args.batch_size, spool=os.path.abspath(args.spool))
            taken = read_taken(os.path.join(os.path.dirname(os.path.abspath(args.manifest)), "taken.tsv"))
            failed = bool(check(gateway, read_manifest(args.manifest), taken=taken))
        sys.exit(1 if failed else 0)
    args.bench = binary("gateway-bench", args.bench)
    if args.mode == "kill":
        kill_soak(args)
    else:
        import soak_faults  # noqa: E402  (bench/soak_faults.py)
        soak_faults.run(args, sys.modules[__name__])


if __name__ == "__main__":
    main()
