#!/usr/bin/env python3
"""Compare our KITH schema set (Schemas/pathway-gateway.xsd) with the official
yardstick set (shared/conformance/xsd/validate-all.xsd).

The two sets must accept exactly the same language. This script

  1. compiles both drivers with lxml (network disabled) and fails on any
     compile error or warning (a skipped import is only a warning in libxml2);
  2. statically checks our files: UTF-8, no DOCTYPE, every import/include is a
     relative local path that exists;
  3. compares the inventory of instance-visible global components (elements,
     attributes, complex and simple types, per namespace) of both sets;
  4. validates a corpus with both sets and reports every verdict disagreement:
       - every XML file in the samples directory (parse failure = own verdict),
       - mutations of every sample and of generated seed documents (drop,
         duplicate, swap, reorder, bad text values, namespace moves, attribute
         drops/bad values, xsi:type/xsi:nil, unknown children ...),
       - generated documents (xmldsig Signature variants inside MsgHead,
         AppRec variants, KITH datatypes via xsi:type, every global element as
         a root and inside RefDoc/Content).

Optionally (--xmllint) the whole corpus is validated a second time with the
system xmllint (the libxml2 the Swift code links against), both schema sets.

Exit status: 0 when everything agrees, 1 on any disagreement or check failure.

Usage:
    python3 scripts/schema-check/compare.py [--xmllint] [--verbose]
"""

import argparse
import copy
import hashlib
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, OrderedDict

from lxml import etree

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
DEFAULT_OURS = os.path.join(REPO, "Schemas", "pathway-gateway.xsd")
DEFAULT_OFFICIAL = "/work/shared/conformance/xsd/validate-all.xsd"
DEFAULT_SAMPLES = "/work/shared/conformance/samples"

XS = "http://www.w3.org/2001/XMLSchema"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
MH = "http://www.kith.no/xmlstds/msghead/2006-05-24"
DIA10 = "http://www.kith.no/xmlstds/dialog/2006-10-11"
DIA11 = "http://www.kith.no/xmlstds/dialog/2013-01-23"
B64 = "http://www.kith.no/xmlstds/base64container"
AR10 = "http://www.kith.no/xmlstds/apprec/2004-11-21"
AR11 = "http://www.kith.no/xmlstds/apprec/2012-02-15"
KITH = "http://www.kith.no/xmlstds"
FK1 = "http://www.kith.no/xmlstds/felleskomponent1"
DS = "http://www.w3.org/2000/09/xmldsig#"
UNKNOWN = "urn:example:unknown"

NSDECL = (
    f'xmlns:xsi="{XSI}" xmlns:xs="{XS}" xmlns:mh="{MH}" xmlns:dia10="{DIA10}" '
    f'xmlns:dia11="{DIA11}" xmlns:b64="{B64}" xmlns:ar10="{AR10}" xmlns:ar11="{AR11}" '
    f'xmlns:kith="{KITH}" xmlns:fk1="{FK1}" xmlns:ds="{DS}" xmlns:unk="{UNKNOWN}"'
)

MAX_ELEMENTS_PER_SEED = 150
BASE64_SHRINK_THRESHOLD = 4096
BASE64_SHRINK_TO = 1024

# Elements whose children get extra random permutations (brief: reorderings in
# AppRec, Dialogmelding Notat/Foresporsel, Organisation/Patient/Address/HCP).
REORDER_FOCUS = {
    "AppRec", "Notat", "Foresporsel", "Organisation", "Patient", "Address",
    "HealthcareProfessional", "Person", "Kontaktenhet", "TilknyttetEnhet",
    "RollerRelatertNotat", "Inst", "HCP", "Dept", "HCPerson", "HCProf",
    "OriginalMsgId", "MsgInfo", "Document", "RefDoc", "Sender", "Receiver",
    "SignedInfo", "Signature", "Reference", "Dialogmelding", "Ident", "TeleCom",
}

# Candidate xsi:type values (prefixes as declared in NSDECL; declarations are
# added to the mutated element on demand).
XSI_TYPE_CANDIDATES = [
    "xs:string", "xs:anyType", "xs:date", "xs:token",
    "mh:CS", "mh:CV", "mh:TS", "mh:URL", "mh:Ident", "mh:Address", "mh:TeleCom", "mh:oid",
    "kith:CS", "kith:CV", "kith:TS", "kith:URL", "kith:TN", "kith:ED", "kith:base",
    "kith:BL", "kith:RTO", "kith:ST", "kith:INT", "kith:oid", "kith:PQ", "kith:MO", "kith:REAL",
    "fk1:Ident", "fk1:Address", "fk1:TeleCom", "fk1:Person", "fk1:HealthcareProfessional",
    "fk1:Organisation",
    "ar10:CS", "ar10:CV", "ar10:URL", "ar10:oid",
    "ds:SignatureType", "ds:CryptoBinary", "ds:KeyInfoType", "ds:ObjectType",
    "unk:Nope", "mh:Nope", "kith:Nope",
]
PREFIX_NS = {
    "xs": XS, "mh": MH, "kith": KITH, "fk1": FK1, "ar10": AR10, "ds": DS, "unk": UNKNOWN,
}

TEXT_VALUES = [
    ("bad date 2024-13-45", "2024-13-45"),
    ("bad date 1991-12-4", "1991-12-4"),
    ("bad number abc", "abc"),
    ("bad number -1", "-1"),
    ("empty string", ""),
    ("overlong string", "x" * 4000),
    ("valid date", "2024-02-29"),
    ("valid dateTime", "2024-02-29T12:30:00+01:00"),
    ("padded text", "  padded value  "),
    ("MIG version text", "v1.2 2006-05-24"),
    ("base64-like text", "QUJD"),
    ("big integer", "123456789012345678901234567890"),
]

ATTR_VALUES = [
    ("empty", ""),
    ("bad date", "2024-13-45"),
    ("short date", "1991-12-4"),
    ("abc", "abc"),
    ("-1", "-1"),
    ("spaced tokens", "  a  b  "),
    ("bad oid", "1..2"),
    ("valid oid", "2.16.578.1.12.4.1.1.9051"),
    ("valid dateTime", "2024-02-29T12:30:00"),
    ("gYear", "2024"),
    ("uri with space", "tel: 123 456"),
    ("overlong", "y" * 500),
]

ADD_ATTRS = ["V", "S", "DN", "OT", "U", "Id", "Algorithm"]


# --------------------------------------------------------------------------
# Schema compilation and static checks
# --------------------------------------------------------------------------

def make_parser():
    return etree.XMLParser(no_network=True, resolve_entities=False, huge_tree=True,
                           load_dtd=False)


def compile_schema(path, label, failures):
    try:
        doc = etree.parse(path, make_parser())
        schema = etree.XMLSchema(doc)
    except (etree.XMLSchemaParseError, etree.XMLSyntaxError, OSError) as exc:
        failures.append(f"{label}: schema does not compile: {exc}")
        log = getattr(exc, "error_log", None)
        for e in (log or []):
            failures.append(f"  {e.level_name} {e.filename}:{e.line}: {e.message}")
        return None
    for e in schema.error_log:
        failures.append(f"{label}: compile {e.level_name} {e.filename}:{e.line}: {e.message}")
    return schema


def walk_schema_files(driver):
    """Yield (path, parsed doc, list of (kind, namespace, schemaLocation, resolved path))."""
    seen = set()
    queue = [os.path.abspath(driver)]
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        doc = etree.parse(path, make_parser())
        refs = []
        for child in doc.getroot():
            if child.tag in (f"{{{XS}}}import", f"{{{XS}}}include", f"{{{XS}}}redefine"):
                loc = child.get("schemaLocation")
                resolved = None
                if loc and "://" not in loc and not os.path.isabs(loc):
                    resolved = os.path.normpath(os.path.join(os.path.dirname(path), loc))
                    queue.append(resolved)
                refs.append((etree.QName(child).localname, child.get("namespace"), loc, resolved))
        yield path, doc, refs


def static_checks(driver, failures):
    files = []
    for path, doc, refs in walk_schema_files(driver):
        files.append(path)
        if (doc.docinfo.encoding or "").upper() != "UTF-8":
            failures.append(f"ours: {path}: encoding is {doc.docinfo.encoding!r}, want UTF-8")
        if doc.docinfo.doctype:
            failures.append(f"ours: {path}: has a DOCTYPE")
        with open(path, "rb") as fh:
            if b"<!DOCTYPE" in fh.read():
                failures.append(f"ours: {path}: contains <!DOCTYPE")
        for kind, ns, loc, resolved in refs:
            if not loc:
                failures.append(f"ours: {path}: {kind} of {ns} has no schemaLocation")
            elif "://" in loc or os.path.isabs(loc):
                failures.append(f"ours: {path}: {kind} schemaLocation {loc!r} is not a relative local path")
            elif not os.path.isfile(resolved):
                failures.append(f"ours: {path}: {kind} schemaLocation {loc!r} does not resolve ({resolved})")
    return files


def inventory(driver):
    """Instance-visible global components: (kind, namespace, name, extra)."""
    inv = set()
    for path, doc, _refs in walk_schema_files(driver):
        root = doc.getroot()
        tns = root.get("targetNamespace")
        for child in root:
            if not isinstance(child.tag, str):
                continue
            kind = etree.QName(child).localname
            if kind in ("element", "attribute", "complexType", "simpleType"):
                extra = ""
                if kind == "complexType":
                    extra = "abstract" if child.get("abstract") in ("true", "1") else ""
                    if child.get("mixed") in ("true", "1"):
                        extra += "+mixed"
                if kind in ("element", "attribute"):
                    for a in ("fixed", "default", "abstract", "nillable", "substitutionGroup"):
                        if child.get(a) is not None:
                            extra += f"+{a}={child.get(a)}"
                inv.add((kind, tns, child.get("name"), extra))
            if kind == "schema":
                pass
        inv.add(("schema-form", tns,
                 root.get("elementFormDefault", "unqualified"),
                 root.get("attributeFormDefault", "unqualified")))
    return inv


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------

def verdict(schema, data):
    try:
        doc = etree.ElementTree(etree.fromstring(data, make_parser()))
    except etree.XMLSyntaxError as exc:
        return "parse-error", str(exc)
    if schema.validate(doc):
        return "valid", ""
    err = schema.error_log.filter_from_errors()
    first = err[0] if err else None
    return "invalid", (f"line {first.line}: {first.message}" if first else "")


# --------------------------------------------------------------------------
# Mutation engine
# --------------------------------------------------------------------------

def elements(root):
    return [e for e in root.iter() if isinstance(e.tag, str)]


def local(el):
    return etree.QName(el).localname


def qname_str(el):
    q = etree.QName(el)
    prefix = {MH: "mh", DIA10: "dia10", DIA11: "dia11", B64: "b64", AR10: "ar10", AR11: "ar11",
              KITH: "kith", FK1: "fk1", DS: "ds", UNKNOWN: "unk"}.get(q.namespace, q.namespace or "")
    return f"{prefix}:{q.localname}" if prefix else q.localname


def path_of(el):
    parts = []
    while el is not None:
        parent = el.getparent()
        if parent is None:
            parts.append(local(el))
        else:
            same = [c for c in parent if isinstance(c.tag, str) and c.tag == el.tag]
            idx = same.index(el) + 1
            parts.append(f"{local(el)}[{idx}]" if len(same) > 1 else local(el))
        el = parent
    return "/" + "/".join(reversed(parts))


def shrink_base64(root):
    shrunk = 0
    for el in root.iter(f"{{{B64}}}Base64Container"):
        text = el.text or ""
        if len(text) > BASE64_SHRINK_THRESHOLD:
            compact = "".join(text.split())
            el.text = compact[:BASE64_SHRINK_TO]
            shrunk += 1
    return shrunk


def structure_signature(root):
    h = hashlib.sha1()
    for e in elements(root):
        h.update(e.tag.encode())
        h.update(",".join(sorted(e.attrib.keys())).encode())
        h.update(b"T" if (e.text or "").strip() else b"-")
        h.update(b"|")
    return h.hexdigest()


def set_xsi_attr(el, name, value):
    el.set(f"{{{XSI}}}{name}", value)


def with_prefix_ns(el, qn):
    """Return an element equivalent to el but with the prefix of qn declared.
    lxml cannot add nsmap entries in place, so xsi:type values use a prefix
    that is declared by re-creating the element when needed."""
    prefix = qn.split(":", 1)[0]
    ns = PREFIX_NS[prefix]
    if el.nsmap.get(prefix) == ns:
        return el
    new_nsmap = dict(el.nsmap)
    new_nsmap[prefix] = ns
    if not etree.QName(el).namespace:
        new_nsmap.pop(None, None)  # keep an unqualified element unqualified
    new = etree.Element(el.tag, attrib=dict(el.attrib), nsmap=new_nsmap)
    new.text = el.text
    new.tail = el.tail
    for child in list(el):
        new.append(child)
    parent = el.getparent()
    if parent is not None:
        parent.replace(el, new)
    return new


def mutations_for(el, idx, rng):
    """Return [(description, function(el_copy) -> root or None)]: every mutation of one element,
    in a fixed order (the rng only draws the permutations of REORDER_FOCUS elements)."""
    is_root = el.getparent() is None
    kids = [c for c in el if isinstance(c.tag, str)]
    muts = []
    if not is_root:
        muts += sibling_mutations(el)
    muts += namespace_mutations(el, is_root)
    muts += unknown_child_mutations(el)
    if kids:
        muts += content_mutations()
        if len(kids) >= 2:
            muts += child_order_mutations()
            if local(el) in REORDER_FOCUS:
                muts += focus_permutations(len(kids), rng)
    else:
        muts += leaf_mutations()
    muts += attribute_mutations(el)
    muts += xsi_mutations(idx)
    return muts


def sibling_mutations(el):
    """Drop, duplicate, or swap with the next sibling element (not for the root)."""
    muts = []
    def drop(e):
        e.getparent().remove(e)
    muts.append(("drop", drop))

    def dup(e):
        e.addnext(copy.deepcopy(e))
    muts.append(("duplicate", dup))

    nxt = el.getnext()
    while nxt is not None and not isinstance(nxt.tag, str):
        nxt = nxt.getnext()
    if nxt is not None:
        def swap(e):
            n = e.getnext()
            while n is not None and not isinstance(n.tag, str):
                n = n.getnext()
            n.addnext(e)
        muts.append(("swap with next sibling", swap))
    return muts


def namespace_mutations(el, is_root):
    """Move the element into an unknown namespace, out of its namespace, into another KITH one,
    or into its parent's."""
    muts = []
    def to_unknown_ns(e):
        e.tag = f"{{{UNKNOWN}}}{local(e)}"
    muts.append(("move element into urn:example:unknown", to_unknown_ns))

    if etree.QName(el).namespace:
        def unqualify(e):
            e.tag = local(e)
        muts.append(("move element into no namespace", unqualify))
        # move into a different KITH namespace (same local name)
        other = {MH: DIA10, DIA10: DIA11, DIA11: DIA10, AR10: AR11, AR11: AR10, FK1: MH,
                 KITH: FK1, DS: MH, B64: MH}.get(etree.QName(el).namespace)
        if other:
            def renamespace(e, other=other):
                e.tag = f"{{{other}}}{local(e)}"
            muts.append((f"move element into {other}", renamespace))
    elif not is_root and etree.QName(el.getparent()).namespace:
        def qualify(e):
            e.tag = f"{{{etree.QName(e.getparent()).namespace}}}{local(e)}"
        muts.append(("move element into parent's namespace", qualify))
    return muts


def unknown_child_mutations(el):
    """Insert a child the schema does not declare: first, last, or in the element's own namespace."""
    muts = []
    def add_unknown_first(e):
        e.insert(0, etree.Element(f"{{{UNKNOWN}}}Extra"))
    def add_unknown_last(e):
        e.append(etree.Element(f"{{{UNKNOWN}}}Extra"))
    muts.append(("insert unknown-namespace child first", add_unknown_first))
    muts.append(("insert unknown-namespace child last", add_unknown_last))
    if etree.QName(el).namespace:
        def add_same_ns_unknown(e):
            e.append(etree.Element(f"{{{etree.QName(e).namespace}}}NotInSchema"))
        muts.append(("append undeclared child in own namespace", add_same_ns_unknown))
    return muts


def content_mutations():
    """For an element with children: stray text, no children, or text instead of them."""
    muts = []
    def inject_text(e):
        e.text = (e.text or "") + "stray text"
    muts.append(("inject text into element content", inject_text))

    def empty_out(e):
        for c in list(e):
            e.remove(c)
        e.text = None
    muts.append(("remove all children", empty_out))

    def text_only(e):
        for c in list(e):
            e.remove(c)
        e.text = "abc"
    muts.append(("replace children with text 'abc'", text_only))
    return muts


def child_order_mutations():
    """For two children or more: reverse them, or move the first to the end or the last to the front."""
    muts = []
    def reverse(e):
        cs = [c for c in e if isinstance(c.tag, str)]
        for c in cs:
            e.remove(c)
        for c in reversed(cs):
            e.append(c)
    muts.append(("reverse child order", reverse))

    def rotate_left(e):
        cs = [c for c in e if isinstance(c.tag, str)]
        e.remove(cs[0])
        e.append(cs[0])
    muts.append(("move first child to end", rotate_left))

    def rotate_right(e):
        cs = [c for c in e if isinstance(c.tag, str)]
        e.remove(cs[-1])
        e.insert(0, cs[-1])
    muts.append(("move last child to front", rotate_right))
    return muts


def focus_permutations(n, rng):
    """Random orders of the n children of a REORDER_FOCUS element, and random single moves."""
    muts = []
    for k in range(4 if n > 2 else 1):
        perm = list(range(n))
        rng.shuffle(perm)
        def permute(e, perm=tuple(perm)):
            cs = [c for c in e if isinstance(c.tag, str)]
            for c in cs:
                e.remove(c)
            for p in perm:
                e.append(cs[p])
        muts.append((f"permute children {list(perm)}", permute))
        # move a random child to a random position
        i, j = rng.randrange(n), rng.randrange(n)
        def move_child(e, i=i, j=j):
            cs = [c for c in e if isinstance(c.tag, str)]
            c = cs[i]
            e.remove(c)
            rest = [x for x in e if isinstance(x.tag, str)]
            if j >= len(rest):
                e.append(c)
            else:
                rest[j].addprevious(c)
        muts.append((f"move child #{i} to position {j}", move_child))
    return muts


def leaf_mutations():
    """For an element without children: odd text values, or a child element."""
    muts = []
    for desc, value in TEXT_VALUES:
        def set_text(e, value=value):
            e.text = value
        muts.append((f"text := {desc}", set_text))
    def add_child_to_leaf(e):
        e.append(etree.Element(e.tag))
    muts.append(("add child element to leaf", add_child_to_leaf))
    return muts


def attribute_mutations(el):
    """Drop each attribute, give it odd values, move it into a namespace; add attributes."""
    muts = []
    for attr in list(el.attrib.keys()):
        if attr.startswith(f"{{{XSI}}}"):
            continue
        def drop_attr(e, attr=attr):
            del e.attrib[attr]
        muts.append((f"drop @{attr}", drop_attr))
        for desc, value in ATTR_VALUES:
            def set_attr(e, attr=attr, value=value):
                e.set(attr, value)
            muts.append((f"@{attr} := {desc}", set_attr))
        def qualify_attr(e, attr=attr):
            v = e.attrib.pop(attr)
            e.set(f"{{{UNKNOWN}}}{attr}", v)
        muts.append((f"move @{attr} into unknown namespace", qualify_attr))
    for attr in ADD_ATTRS:
        if attr not in el.attrib:
            def add_attr(e, attr=attr):
                e.set(attr, "2.16.578.1" if attr == "S" else "abc")
            muts.append((f"add @{attr}", add_attr))
    def add_foreign_attr(e):
        e.set(f"{{{UNKNOWN}}}foo", "bar")
    muts.append(("add attribute in unknown namespace", add_foreign_attr))
    def add_kith_attr(e):
        e.set(f"{{{KITH}}}MT", "text/plain")
    muts.append(("add kith:MT attribute", add_kith_attr))
    return muts


def xsi_mutations(idx):
    """Three xsi:type values (chosen by the element's index) and xsi:nil."""
    muts = []
    start = (idx * 3) % len(XSI_TYPE_CANDIDATES)
    picks = [XSI_TYPE_CANDIDATES[(start + k) % len(XSI_TYPE_CANDIDATES)] for k in range(3)]
    for qn in picks:
        def add_type(e, qn=qn):
            e = with_prefix_ns(e, qn)
            set_xsi_attr(e, "type", qn)
            return e
        muts.append((f"xsi:type={qn}", add_type))
    def add_nil(e):
        set_xsi_attr(e, "nil", "true")
    muts.append(("xsi:nil=true", add_nil))
    return muts


def mutate_seed(seed_label, seed_root, rng):
    """Yield (label, bytes) for every mutation of seed_root."""
    els = elements(seed_root)
    if len(els) > MAX_ELEMENTS_PER_SEED:
        step = len(els) / MAX_ELEMENTS_PER_SEED
        chosen = sorted({int(i * step) for i in range(MAX_ELEMENTS_PER_SEED)})
    else:
        chosen = list(range(len(els)))
    for idx in chosen:
        el = els[idx]
        where = path_of(el)
        for desc, fn in mutations_for(el, idx, rng):
            root2 = copy.deepcopy(seed_root)
            target = elements(root2)[idx]
            ret = fn(target)
            if isinstance(ret, etree._Element) and ret.getparent() is None:
                root2 = ret  # the root element itself was re-created
            data = etree.tostring(root2, xml_declaration=True, encoding="UTF-8")
            yield f"{seed_label} :: {where} :: {desc}", data


# --------------------------------------------------------------------------
# Generated documents
# --------------------------------------------------------------------------

def cs(tag, v="X", dn="Display"):
    return f'<{tag} V="{v}" DN="{dn}"/>'


ORG_MH_FULL = """
<Organisation>
  <OrganisationName>Helse Testby HF</OrganisationName>
  <TypeOrganisation V="102" DN="Helseforetak" S="2.16.578.1.12.4.1.1.9040"/>
  <Ident><Id>123456</Id><TypeId V="HER" DN="HER-id" S="2.16.578.1.12.4.1.1.9051"/></Ident>
  <Ident><Id>974557746</Id><TypeId V="ENH" DN="Organisasjonsnummer" S="2.16.578.1.12.4.1.1.9051"/></Ident>
  <Address>
    <Type V="PST" DN="Postadresse"/>
    <StreetAdr>Testveien 1</StreetAdr>
    <PostalCode>0001</PostalCode>
    <City>Oslo</City>
    <Postbox>Postboks 1</Postbox>
    <County V="0301" DN="Oslo"/>
    <Country V="NO" DN="Norge"/>
  </Address>
  <TeleCom><TypeTelecom V="WP" DN="Arbeid"/><TeleAddress V="tel:22000000"/></TeleCom>
  <TeleCom><TeleAddress V="mailto:post@example.no"/></TeleCom>
  <Organisation>
    <OrganisationName>Avdeling A</OrganisationName>
    <Ident><Id>654321</Id><TypeId V="HER" DN="HER-id" S="2.16.578.1.12.4.1.1.9051"/></Ident>
  </Organisation>
  <HealthcareProfessional>
    <TypeHealthcareProfessional V="LE" DN="Lege"/>
    <RoleToPatient V="6" DN="Fastlege" S="2.16.578.1.12.4.1.1.9034"/>
    <FamilyName>Lege</FamilyName>
    <MiddleName>Mellom</MiddleName>
    <GivenName>Lise</GivenName>
    <DateOfBirth>1970-01-31</DateOfBirth>
    <Sex V="2" DN="Kvinne"/>
    <Nationality V="NO" DN="Norge"/>
    <Ident><Id>9144900</Id><TypeId V="HPR" DN="HPR-nummer" S="2.16.578.1.12.4.1.1.8116"/></Ident>
    <Address><StreetAdr>Legeveien 2</StreetAdr></Address>
    <TeleCom><TeleAddress V="tel:12345678"/></TeleCom>
  </HealthcareProfessional>
</Organisation>"""

PATIENT_MH_FULL = """
<Patient>
  <FamilyName>Pasient</FamilyName>
  <MiddleName>Mellom</MiddleName>
  <GivenName>Per</GivenName>
  <DateOfBirth>1980-05-17</DateOfBirth>
  <Sex V="1" DN="Mann"/>
  <Nationality V="NO" DN="Norge"/>
  <Ident><Id>17058012345</Id><TypeId V="FNR" DN="Fødselsnummer" S="2.16.578.1.12.4.1.1.8116"/></Ident>
  <Ident><Id>57058012345</Id><TypeId V="DNR" DN="D-nummer" S="2.16.578.1.12.4.1.1.8116"/></Ident>
  <Address>
    <Type V="H" DN="Bostedsadresse"/>
    <StreetAdr>Pasientveien 3</StreetAdr>
    <PostalCode>0002</PostalCode>
    <City>Oslo</City>
  </Address>
  <TeleCom><TypeTelecom V="HP" DN="Hjem"/><TeleAddress V="tel:99999999"/></TeleCom>
</Patient>"""


def msginfo(extra_after_msgid="", other_receivers="", patient=PATIENT_MH_FULL, mig="v1.2 2006-05-24"):
    return f"""
<MsgInfo>
  <Type V="DIALOG_NOTAT" DN="Notat"/>
  <MIGversion>{mig}</MIGversion>
  <GenDate>2024-03-01T10:00:00</GenDate>
  <MsgId>11111111-2222-3333-4444-555555555555</MsgId>
  {extra_after_msgid}
  <Sender><ComMethod V="EDI" DN="EDI"/>{ORG_MH_FULL}</Sender>
  <Receiver>{ORG_MH_FULL}</Receiver>
  {other_receivers}
  {patient}
</MsgInfo>"""


MSGINFO_EXTRAS = """
  <ProcessingStatus V="P" DN="Produksjon"/>
  <RequestedPriority V="N" DN="Normal"/>
  <Ack V="J" DN="Ja"/>
  <ConversationRef><RefToParent>p-1</RefToParent><RefToConversation>c-1</RefToConversation></ConversationRef>"""

OTHER_RECEIVERS = """
  <OtherReceiver><ComMethod V="EDI"/><RoleReceiver V="KOPI" DN="Kopimottaker"/>
    <Organisation><OrganisationName>Kopi AS</OrganisationName><Ident><Id>1</Id><TypeId V="HER"/></Ident></Organisation>
  </OtherReceiver>
  <OtherReceiver><RoleReceiver V="PAS"/><Patient><GivenName>Pia</GivenName></Patient></OtherReceiver>
  <OtherReceiver><RoleReceiver V="PER"/><Person><FamilyName>Pers</FamilyName><Ident><Id>2</Id><TypeId V="X"/></Ident></Person></OtherReceiver>
  <OtherReceiver><RoleReceiver V="HP"/><HealthcareProfessional><Ident><Id>3</Id><TypeId V="HPR"/></Ident></HealthcareProfessional></OtherReceiver>
  <OtherReceiver><RoleReceiver V="NONE"/></OtherReceiver>"""


def fk1_hcp(prefix="fk1"):
    return f"""
      <HealthcareProfessional>
        <TypeHealthcareProfessional V="LE" DN="Lege"/>
        <RoleToPatient V="6" DN="Fastlege" S="2.16.578.1.12.4.1.1.9034"/>
        <FamilyName>Lege</FamilyName>
        <MiddleName>M</MiddleName>
        <GivenName>Kari</GivenName>
        <DateOfBirth>1965-12-24</DateOfBirth>
        <Sex V="2"/>
        <Nationality V="NO"/>
        <Ident><{prefix}:Id>9144900</{prefix}:Id><{prefix}:TypeId V="HPR" DN="HPR-nummer" S="2.16.578.1.12.4.1.1.8116"/></Ident>
        <Address><{prefix}:Type V="PST"/><{prefix}:StreetAdr>Vei 1</{prefix}:StreetAdr><{prefix}:PostalCode>0001</{prefix}:PostalCode><{prefix}:City>Oslo</{prefix}:City><{prefix}:Postbox>PB 1</{prefix}:Postbox><{prefix}:County V="03"/><{prefix}:Country V="NO"/></Address>
        <TeleCom><{prefix}:TypeTelecom V="WP"/><{prefix}:TeleAddress V="tel:12345678"/></TeleCom>
      </HealthcareProfessional>"""


def fk1_person(prefix="fk1"):
    return f"""
      <Person>
        <GivenName>Gitte</GivenName>
        <MiddleName>M</MiddleName>
        <FamilyName>Pårørende</FamilyName>
        <DateOfBirth>1950-01-01</DateOfBirth>
        <Sex V="2"/>
        <Nationality V="NO"/>
        <Ident><{prefix}:Id>01015012345</{prefix}:Id><{prefix}:TypeId V="FNR" S="2.16.578.1.12.4.1.1.8116"/></Ident>
        <Address><{prefix}:City>Bergen</{prefix}:City></Address>
        <TeleCom><{prefix}:TeleAddress V="tel:55555555"/></TeleCom>
      </Person>"""


def dialog10_foresporsel():
    return f"""
<Dialogmelding xmlns="{DIA10}" xmlns:fk1="{FK1}">
  <SakstypeKodet V="1" DN="Sak" S="2.16.578.1.12.4.1.1.9999"/>
  <Sakstype>Sak</Sakstype>
  <Foresporsel>
    <TypeForesp V="1" DN="Forespørsel om pasient" S="2.16.578.1.12.4.1.1.8129"/>
    <Sporsmal>Hva er status?</Sporsmal>
    <Formål V="1" DN="Formål" S="2.16.578.1.12.4.1.1.8130"/>
    <Begrunnelse>Begrunnelse</Begrunnelse>
    <Hastegrad V="H" DN="Haster"/>
    <FraDato>2024-01-01</FraDato>
    <TilDato>2024-12-31</TilDato>
    <TypeJournalinfo V="1" DN="Epikrise" S="2.16.578.1.12.4.1.1.8131"/>
    <DokIdForesp>dok-1</DokIdForesp>
    <RollerRelatertNotat>
      <RolleNotat V="1" S="2.16.578.1.12.4.1.1.9057"/>
      <RoleToPatient V="6" S="2.16.578.1.12.4.1.1.9034"/>
      {fk1_hcp()}
    </RollerRelatertNotat>
    <RollerRelatertNotat>{fk1_person()}</RollerRelatertNotat>
  </Foresporsel>
  <Foresporsel><TypeForesp V="2"/></Foresporsel>
</Dialogmelding>"""


def dialog_notat(ns, with_tilknyttet=False):
    tilk = ""
    if with_tilknyttet:
        tilk = f"""
      <TilknyttetEnhet>
        <Kontaktenhet>
          <fk1:TypeOrganisation V="1" S="2.16.578.1.12.4.1.1.9040"/>
          <fk1:OrganisationName>Kontakt AS</fk1:OrganisationName>
          <fk1:Ident><fk1:Id>7</fk1:Id><fk1:TypeId V="HER" S="2.16.578.1.12.4.1.1.9051"/></fk1:Ident>
          <fk1:Address><fk1:City>Oslo</fk1:City></fk1:Address>
          <fk1:TeleCom><fk1:TeleAddress V="tel:1"/></fk1:TeleCom>
          <fk1:Organisation><fk1:OrganisationName>Under</fk1:OrganisationName><fk1:Ident><fk1:Id>8</fk1:Id><fk1:TypeId V="HER"/></fk1:Ident></fk1:Organisation>
        </Kontaktenhet>
        <Merknad>merknad</Merknad>
        {fk1_person()}
      </TilknyttetEnhet>"""
    fore = f"""
    <Foresporsel>
      <TypeForesp V="1" S="2.16.578.1.12.4.1.1.8129"/>
      {'<EmneSporsmal>Emne</EmneSporsmal>' if ns == DIA11 else ''}
      <Sporsmal>Spørsmål</Sporsmal>
      <DokIdForesp>d</DokIdForesp>
    </Foresporsel>"""
    return f"""
<Dialogmelding xmlns="{ns}" xmlns:fk1="{FK1}">
  <Notat>
    <TemaKodet V="8" DN="Tema" S="2.16.578.1.12.4.1.1.7322"/>
    <Tema>Tema</Tema>
    <TekstNotatInnhold>Fritekst <b xmlns="">med</b> markup</TekstNotatInnhold>
    <Merknad>Merknad</Merknad>
    <DokIdNotat>notat-1</DokIdNotat>
    <DatoNotat>2024-03-01</DatoNotat>
    {fore}
    <RollerRelatertNotat>
      <RolleNotat V="1"/>
      <RoleToPatient V="6"/>
      {tilk}
      {fk1_hcp()}
    </RollerRelatertNotat>
    <RollerRelatertNotat>{fk1_person()}</RollerRelatertNotat>
  </Notat>
  <Notat><TemaKodet V="9"/></Notat>
</Dialogmelding>"""


def dialog11_foresporsel():
    return f"""
<Dialogmelding xmlns="{DIA11}" xmlns:fk1="{FK1}">
  <SakstypeKodet V="1" S="2.16.578.1.12.4.1.1.9999"/>
  <Foresporsel>
    <TypeForesp V="1" S="2.16.578.1.12.4.1.1.8129"/>
    <EmneSporsmal>Emne</EmneSporsmal>
    <Sporsmal><p xmlns="http://www.w3.org/1999/xhtml">Hei <b>der</b></p></Sporsmal>
    <Formål V="1"/>
    <Begrunnelse>B</Begrunnelse>
    <Hastegrad V="H"/>
    <FraDato>2024-01-01</FraDato>
    <TilDato>2024-02-01</TilDato>
    <TypeJournalinfo V="1"/>
    <TypeJournalinfo V="2"/>
    <KodetOpplysning V="K" S="2.16.578.1.12.4.1.1.1"/>
    <DokIdForesp>d</DokIdForesp>
    <RollerRelatertNotat>
      <RoleToPatient V="6"/>
      <TilknyttetEnhet>
        <Kontaktenhet>
          <fk1:OrganisationName>Kontakt</fk1:OrganisationName>
          <fk1:Ident><fk1:Id>7</fk1:Id><fk1:TypeId V="HER"/></fk1:Ident>
        </Kontaktenhet>
        {fk1_hcp()}
      </TilknyttetEnhet>
    </RollerRelatertNotat>
    <RollerRelatertNotat><RolleNotat V="3"/></RollerRelatertNotat>
  </Foresporsel>
</Dialogmelding>"""


B64_SMALL = f'<Base64Container xmlns="{B64}">SGVsbG8gd29ybGQh</Base64Container>'

SIG_FULL = f"""
<ds:Signature xmlns:ds="{DS}" Id="sig-1">
  <ds:SignedInfo Id="si-1">
    <ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>
    <ds:SignatureMethod Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1"/>
    <ds:Reference URI="" Id="ref-1" Type="http://www.w3.org/2000/09/xmldsig#Object">
      <ds:Transforms>
        <ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>
        <ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"><ds:XPath>not(ancestor-or-self::ds:Signature)</ds:XPath></ds:Transform>
      </ds:Transforms>
      <ds:DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/>
      <ds:DigestValue>qZk+NkcGgWq6PiVxeFDCbJzQ2J0=</ds:DigestValue>
    </ds:Reference>
  </ds:SignedInfo>
  <ds:SignatureValue Id="sv-1">QUJDREVGR0g=</ds:SignatureValue>
  <ds:KeyInfo Id="ki-1">
    <ds:KeyName>nokkel</ds:KeyName>
    <ds:KeyValue><ds:RSAKeyValue><ds:Modulus>AQAB</ds:Modulus><ds:Exponent>AQAB</ds:Exponent></ds:RSAKeyValue></ds:KeyValue>
    <ds:KeyValue><ds:DSAKeyValue><ds:P>AQAB</ds:P><ds:Q>AQAB</ds:Q><ds:G>AQAB</ds:G><ds:Y>AQAB</ds:Y><ds:J>AQAB</ds:J><ds:Seed>AQAB</ds:Seed><ds:PgenCounter>AQAB</ds:PgenCounter></ds:DSAKeyValue></ds:KeyValue>
    <ds:PGPData><ds:PGPKeyID>AQAB</ds:PGPKeyID><ds:PGPKeyPacket>AQAB</ds:PGPKeyPacket><u:PgpExt xmlns:u="urn:example:unknown"/></ds:PGPData>
    <ds:SPKIData><ds:SPKISexp>AQAB</ds:SPKISexp><u:SpkiExt xmlns:u="urn:example:unknown"/></ds:SPKIData>
    <ds:RetrievalMethod URI="#k"><ds:Transforms><ds:Transform Algorithm="u"/></ds:Transforms></ds:RetrievalMethod>
    <ds:MgmtData>m</ds:MgmtData>
    <ds:X509Data>
      <ds:X509IssuerSerial><ds:X509IssuerName>CN=Test</ds:X509IssuerName><ds:X509SerialNumber>12345</ds:X509SerialNumber></ds:X509IssuerSerial>
      <ds:X509SubjectName>CN=Subject</ds:X509SubjectName>
      <ds:X509Certificate>MIIB</ds:X509Certificate>
    </ds:X509Data>
  </ds:KeyInfo>
  <ds:Object Id="obj-1" MimeType="text/plain" Encoding="http://example.org/enc">
    <ds:SignatureProperties Id="sp-1">
      <ds:SignatureProperty Target="#sig-1"><unk:Time xmlns:unk="{UNKNOWN}">2024</unk:Time></ds:SignatureProperty>
    </ds:SignatureProperties>
  </ds:Object>
</ds:Signature>"""


def msghead(documents, signature="", info=None):
    info = info if info is not None else msginfo()
    return f'<MsgHead xmlns="{MH}" xmlns:xsi="{XSI}">{info}{documents}{signature}</MsgHead>'


def document(content, full=False):
    meta = ""
    if full:
        meta = """
  <DocumentConnection V="H" DN="Hoveddokument"/>
  <ContentType V="1" S="2.16.578.1.12.4.1.1.1"/>
  <ContentDescription>Beskrivelse</ContentDescription>
  <ContentCategory V="2" S="2.16.578.1.12.4.1.1.2"/>
  <Consent V="1" S="2.16.578.1.12.4.1.1.3"/>
  <Annotation>Merknad</Annotation>
  <FromDate V="2024-01-01"/>
  <ToDate V="2024-12"/>
  <OidRef>2.16.578.1.12.4.1.1.9051</OidRef>
  <EnquiryRefId>enq-1</EnquiryRefId>"""
    refmeta = ""
    if full:
        refmeta = """
    <Id>doc-1</Id>
    <MimeType>text/xml</MimeType>
    <Description>Dokument</Description>
    <Compression V="N" DN="Ingen"/>"""
    return f"""
<Document>{meta}
  <RefDoc>
    <IssueDate V="2024-03-01T10:00:00"/>
    <MsgType V="XML" DN="XML-instans"/>{refmeta}
    <Content>{content}</Content>
  </RefDoc>
</Document>"""


def apprec(ns, status='<Status V="1" DN="OK"/>', errors="", original=None, mig=None,
           sender_role=True, receiver_hcprof=True, software=True):
    mig = mig if mig is not None else ("1.0 2004-11-21" if ns == AR10 else "v1.1 2012-02-15")
    original = original if original is not None else """
  <OriginalMsgId>
    <MsgType V="DIALOG_NOTAT" DN="Notat"/>
    <IssueDate>2024-03-01T10:00:00</IssueDate>
    <Id>11111111-2222-3333-4444-555555555555</Id>
  </OriginalMsgId>"""
    sw = "<SoftwareName>Gateway</SoftwareName><SoftwareVersion>1.0</SoftwareVersion>" if software else ""
    role = '<Role V="S" DN="Avsender"/>' if sender_role else ""
    receiver_unit = """
      <HCProf>
        <Type V="LE" DN="Lege"/>
        <Name>Lege Lise</Name>
        <Id>9144900</Id>
        <TypeId V="HPR" DN="HPR-nummer"/>
        <AdditionalId><Id>1</Id><Type V="HER"/></AdditionalId>
      </HCProf>""" if receiver_hcprof else "<Inst><Name>Mottaker</Name></Inst>"
    return f"""<AppRec xmlns="{ns}" xmlns:xsi="{XSI}">
  <MsgType V="APPREC" DN="Applikasjonskvittering"/>
  <MIGversion>{mig}</MIGversion>
  {sw}
  <GenDate>2024-03-01T10:05:00</GenDate>
  <Id>apprec-1</Id>
  <Sender>
    {role}
    <HCP>
      <Inst>
        <Name>Helse Testby HF</Name>
        <Id>123456</Id>
        <TypeId V="HER" DN="HER-id"/>
        <Dept><Type V="SENG"/><Name>Avd A</Name><Id>654321</Id><TypeId V="HER"/><AdditionalId><Id>x</Id><Type V="ENH"/></AdditionalId></Dept>
        <Dept><Name>Avd B</Name></Dept>
        <AdditionalId><Id>974557746</Id><Type V="ENH" DN="Organisasjonsnummer"/></AdditionalId>
        <HCPerson><Name>Person P</Name><Id>1</Id><TypeId V="HPR"/><AdditionalId><Id>2</Id><Type V="HER"/></AdditionalId></HCPerson>
      </Inst>
      <MedSpeciality V="1" DN="Allmennmedisin" S="2.16.578.1.12.4.1.1.7426"/>
      <Address>
        <Type V="PST" DN="Postadresse"/>
        <StreetAdr>Testveien 1</StreetAdr>
        <PostalCode>0001</PostalCode>
        <City>Oslo</City>
        <County V="0301"/>
        <Country V="NO"/>
        <CityDistr V="1"/>
        <TeleAddress V="tel:22000000"/>
        <TeleAddress V="mailto:post@example.no"/>
      </Address>
    </HCP>
  </Sender>
  <Receiver>
    <HCP>{receiver_unit}
    </HCP>
  </Receiver>
  {status}
  {errors}
  {original}
</AppRec>"""


def kith_type_payloads():
    """TekstNotatInnhold (xs:anyType) with xsi:type naming KITH/fk1 types."""
    return kith_datatype_payloads() + component_type_payloads()


def tekst_notat(qn, attrs="", body=""):
    """A TekstNotatInnhold whose xsi:type is `qn`."""
    return f'<TekstNotatInnhold xsi:type="{qn}" {attrs}>{body}</TekstNotatInnhold>'


def kith_datatype_payloads():
    """The KITH datatypes (kith:CS ... kith:oid), valid and not."""
    t = tekst_notat
    return [
        ("kith:CS ok", t("kith:CS", 'V="a" DN="b"')),
        ("kith:CS with S (not allowed)", t("kith:CS", 'V="a" S="1.2"')),
        ("kith:CV ok", t("kith:CV", 'V="a" S="1.2.3" DN="d" OT="o"')),
        ("kith:CV bad oid", t("kith:CV", 'S="1.2."')),
        ("kith:CV text content", t("kith:CV", 'V="a"', "text")),
        ("kith:TS date", t("kith:TS", 'V="2024-01-01"')),
        ("kith:TS gYear", t("kith:TS", 'V="2024"')),
        ("kith:TS gYearMonth", t("kith:TS", 'V="2024-02"')),
        ("kith:TS time", t("kith:TS", 'V="12:00:00"')),
        ("kith:TS bad", t("kith:TS", 'V="2024-13-45"')),
        ("kith:TS short", t("kith:TS", 'V="1991-12-4"')),
        ("kith:URL ok", t("kith:URL", 'V="tel:123"')),
        ("kith:BL true", t("kith:BL", 'V="true"')),
        ("kith:BL 1", t("kith:BL", 'V="1"')),
        ("kith:BL yes", t("kith:BL", 'V="yes"')),
        ("kith:REAL", t("kith:REAL", 'V="1.5e3"')),
        ("kith:REAL bad", t("kith:REAL", 'V="abc"')),
        ("kith:PQ", t("kith:PQ", 'V="-1" U="mg"')),
        ("kith:MO", t("kith:MO", 'V="10.50" U="NOK"')),
        ("kith:MO double", t("kith:MO", 'V="1e3" U="NOK"')),
        ("kith:RTO ok", t("kith:RTO", "", "<NUM>1</NUM><DENOM>2</DENOM>")),
        ("kith:RTO qualified children", t("kith:RTO", "", "<kith:NUM>1</kith:NUM>")),
        ("kith:RTO reversed", t("kith:RTO", "", "<DENOM>2</DENOM><NUM>1</NUM>")),
        ("kith:RTO bad int", t("kith:RTO", "", "<NUM>abc</NUM>")),
        ("kith:RTO empty", t("kith:RTO")),
        ("kith:ED text", t("kith:ED", 'kith:MT="text/plain"', "hello")),
        ("kith:ED bad MT", t("kith:ED", 'kith:MT="text/html"', "hello")),
        ("kith:ED unqualified MT", t("kith:ED", 'MT="text/plain"', "hello")),
        ("kith:ED child", t("kith:ED", "", "<kith:REF V='x'/>")),
        ("kith:TN full", t("kith:TN", 'kith:MT="text/plain" kith:COMPN="GZ" kith:IC="QUJD" kith:ICA="SHA-1" kith:NULL="UNK"', "txt<kith:REF V='http://x'/>more")),
        ("kith:TN bad ICA", t("kith:TN", 'kith:ICA="MD5"')),
        ("kith:TN bad COMPN", t("kith:TN", 'kith:COMPN="XZ"')),
        ("kith:TN bad NULL", t("kith:TN", 'kith:NULL="NOPE"')),
        ("kith:TN bad IC", t("kith:TN", 'kith:IC="!!"')),
        ("kith:TN two REF", t("kith:TN", "", "<kith:REF/><kith:REF/>")),
        ("kith:TN ENC attr", t("kith:TN", 'kith:ENC="B64"')),
        ("kith:base abstract", t("kith:base")),
        ("kith:ST", t("kith:ST", "", "text")),
        ("kith:INT", t("kith:INT", "", "42")),
        ("kith:INT bad", t("kith:INT", "", "4.2")),
        ("kith:oid", t("kith:oid", "", "1.2.3")),
        ("kith:oid bad", t("kith:oid", "", "a.b")),
    ]


def component_type_payloads():
    """fk1, msghead, apprec and xmldsig types, undeclared types, and arbitrary or nil content."""
    t = tekst_notat
    return [
        ("fk1:Ident", t("fk1:Ident", "", "<fk1:Id>1</fk1:Id><fk1:TypeId V='x'/>")),
        ("fk1:Ident unqualified", t("fk1:Ident", "", "<Id>1</Id><TypeId V='x'/>")),
        ("fk1:Organisation", t("fk1:Organisation", "", "<fk1:OrganisationName>n</fk1:OrganisationName><fk1:Ident><fk1:Id>1</fk1:Id><fk1:TypeId/></fk1:Ident>")),
        ("fk1:Organisation missing ident", t("fk1:Organisation", "", "<fk1:OrganisationName>n</fk1:OrganisationName>")),
        ("fk1:Person empty", t("fk1:Person")),
        ("fk1:HealthcareProfessional no ident", t("fk1:HealthcareProfessional", "", "<fk1:GivenName>x</fk1:GivenName>")),
        ("fk1:Address", t("fk1:Address", "", "<fk1:Postbox>1</fk1:Postbox><fk1:City>c</fk1:City>")),
        ("fk1:TeleCom", t("fk1:TeleCom", "", "<fk1:TeleAddress V='tel:1'/>")),
        ("mh:CS", t("mh:CS", 'V="x"')),
        ("mh:Ident", t("mh:Ident", "", "<mh:Id>1</mh:Id><mh:TypeId V='x'/>")),
        ("mh:TS bad", t("mh:TS", 'V="abc"')),
        ("ar10:CV", t("ar10:CV", 'V="x" S="1"')),
        ("ar10:URL", t("ar10:URL", 'V="x"')),
        ("ds:SignatureType empty", t("ds:SignatureType")),
        ("ds:CryptoBinary", t("ds:CryptoBinary", "", "AQAB")),
        ("ds:CryptoBinary bad", t("ds:CryptoBinary", "", "A")),
        ("ds:DigestValueType", t("ds:DigestValueType", "", "AQAB")),
        ("ds:HMACOutputLengthType", t("ds:HMACOutputLengthType", "", "abc")),
        ("ds:X509IssuerSerialType", t("ds:X509IssuerSerialType", "", "<ds:X509IssuerName>n</ds:X509IssuerName><ds:X509SerialNumber>1</ds:X509SerialNumber>")),
        ("xs:date bad", t("xs:date", "", "2024-13-45")),
        ("unknown type", t("kith:Nope")),
        ("nested arbitrary xml", "<TekstNotatInnhold><a xmlns='urn:x'><b c='d'>t</b></a><mh:Patient/></TekstNotatInnhold>"),
        ("nested declared element invalid", "<TekstNotatInnhold><mh:MsgInfo/></TekstNotatInnhold>"),
        ("xsi:nil on anyType", "<TekstNotatInnhold xsi:nil='true'/>"),
    ]


def signature_variants():
    """(description, signature fragment) built around SIG_FULL's pieces."""
    return signed_info_variants() + key_info_variants() + object_and_id_variants()


class SignatureParts:
    """The pieces of a minimal ds:Signature, and builders that replace one piece each."""
    d = f'xmlns:ds="{DS}"'
    c14n = '<ds:CanonicalizationMethod Algorithm="urn:c14n"/>'
    sm = '<ds:SignatureMethod Algorithm="urn:rsa"/>'
    ref = ('<ds:Reference URI=""><ds:DigestMethod Algorithm="urn:sha1"/>'
           '<ds:DigestValue>AAAA</ds:DigestValue></ds:Reference>')
    sv = "<ds:SignatureValue>AAAA</ds:SignatureValue>"

    @staticmethod
    def sig(si=None, value=sv, keyinfo="", objects="", attrs=""):
        """A Signature: SignedInfo (the minimal one unless given), value, KeyInfo, Objects."""
        P = SignatureParts
        si = si if si is not None else f"<ds:SignedInfo>{P.c14n}{P.sm}{P.ref}</ds:SignedInfo>"
        return f"<ds:Signature {P.d} {attrs}>{si}{value}{keyinfo}{objects}</ds:Signature>"

    @staticmethod
    def si(c=c14n, m=sm, r=ref, attrs=""):
        """A SignedInfo from its canonicalization method, signature method and references."""
        return f"<ds:SignedInfo {attrs}>{c}{m}{r}</ds:SignedInfo>"

    @staticmethod
    def ki(body, attrs=""):
        """A KeyInfo around `body`."""
        return f"<ds:KeyInfo {attrs}>{body}</ds:KeyInfo>"


def signed_info_variants():
    """The Signature's shape, its SignedInfo (methods, references, transforms) and SignatureValue."""
    P = SignatureParts
    d, c14n, sm, ref, sv, sig, si = P.d, P.c14n, P.sm, P.ref, P.sv, P.sig, P.si
    return [
        ("full signature", SIG_FULL),
        ("minimal signature", sig()),
        ("no SignatureValue", sig(value="")),
        ("no SignedInfo", f"<ds:Signature {d}>{sv}</ds:Signature>"),
        ("empty Signature", f"<ds:Signature {d}/>"),
        ("SignedInfo without Reference", sig(si=si(r=""))),
        ("two References", sig(si=si(r=ref + ref))),
        ("SignatureMethod before CanonicalizationMethod", sig(si=f"<ds:SignedInfo>{sm}{c14n}{ref}</ds:SignedInfo>")),
        ("c14n without Algorithm", sig(si=si(c="<ds:CanonicalizationMethod/>"))),
        ("c14n with text", sig(si=si(c='<ds:CanonicalizationMethod Algorithm="u">text</ds:CanonicalizationMethod>'))),
        ("c14n with unknown element (strict)", sig(si=si(c=f'<ds:CanonicalizationMethod Algorithm="u"><x:InclusiveNamespaces xmlns:x="{UNKNOWN}"/></ds:CanonicalizationMethod>'))),
        ("c14n with mh:Patient (declared, strict)", sig(si=si(c=f'<ds:CanonicalizationMethod Algorithm="u"><mh:Patient xmlns:mh="{MH}"/></ds:CanonicalizationMethod>'))),
        ("c14n with ds:KeyName", sig(si=si(c='<ds:CanonicalizationMethod Algorithm="u"><ds:KeyName>k</ds:KeyName></ds:CanonicalizationMethod>'))),
        ("c14n with kith:REF", sig(si=si(c=f'<ds:CanonicalizationMethod Algorithm="u"><k:REF xmlns:k="{KITH}" V="x"/></ds:CanonicalizationMethod>'))),
        ("c14n with ar10:Role", sig(si=si(c=f'<ds:CanonicalizationMethod Algorithm="u"><a:Role xmlns:a="{AR10}"/></ds:CanonicalizationMethod>'))),
        ("c14n with ar11:Role (not global)", sig(si=si(c=f'<ds:CanonicalizationMethod Algorithm="u"><a:Role xmlns:a="{AR11}"/></ds:CanonicalizationMethod>'))),
        ("c14n with no-namespace element", sig(si=si(c='<ds:CanonicalizationMethod Algorithm="u"><plain xmlns=""/></ds:CanonicalizationMethod>'))),
        ("SignatureMethod HMACOutputLength 128", sig(si=si(m='<ds:SignatureMethod Algorithm="u"><ds:HMACOutputLength>128</ds:HMACOutputLength></ds:SignatureMethod>'))),
        ("SignatureMethod HMACOutputLength abc", sig(si=si(m='<ds:SignatureMethod Algorithm="u"><ds:HMACOutputLength>abc</ds:HMACOutputLength></ds:SignatureMethod>'))),
        ("SignatureMethod two HMACOutputLength", sig(si=si(m='<ds:SignatureMethod Algorithm="u"><ds:HMACOutputLength>1</ds:HMACOutputLength><ds:HMACOutputLength>2</ds:HMACOutputLength></ds:SignatureMethod>'))),
        ("SignatureMethod with ds:KeyName (##other)", sig(si=si(m='<ds:SignatureMethod Algorithm="u"><ds:KeyName>k</ds:KeyName></ds:SignatureMethod>'))),
        ("SignatureMethod with mh:Person (strict, declared)", sig(si=si(m=f'<ds:SignatureMethod Algorithm="u"><mh:Person xmlns:mh="{MH}"/></ds:SignatureMethod>'))),
        ("SignatureMethod with unknown element", sig(si=si(m=f'<ds:SignatureMethod Algorithm="u"><u:P xmlns:u="{UNKNOWN}"/></ds:SignatureMethod>'))),
        ("SignatureMethod with unqualified element", sig(si=si(m='<ds:SignatureMethod Algorithm="u"><p xmlns=""/></ds:SignatureMethod>'))),
        ("SignatureMethod text", sig(si=si(m='<ds:SignatureMethod Algorithm="u">t</ds:SignatureMethod>'))),
        ("Reference without DigestValue", sig(si=si(r='<ds:Reference><ds:DigestMethod Algorithm="u"/></ds:Reference>'))),
        ("Reference DigestValue not base64", sig(si=si(r='<ds:Reference><ds:DigestMethod Algorithm="u"/><ds:DigestValue>@@</ds:DigestValue></ds:Reference>'))),
        ("Reference with empty Transforms", sig(si=si(r='<ds:Reference><ds:Transforms/><ds:DigestMethod Algorithm="u"/><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference>'))),
        ("Transform with foreign (lax) element", sig(si=si(r=f'<ds:Reference><ds:Transforms><ds:Transform Algorithm="u"><u:X xmlns:u="{UNKNOWN}"/>text<ds:XPath>a</ds:XPath></ds:Transform></ds:Transforms><ds:DigestMethod Algorithm="u"/><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference>'))),
        ("Transform with ds:KeyName", sig(si=si(r='<ds:Reference><ds:Transforms><ds:Transform Algorithm="u"><ds:KeyName/></ds:Transform></ds:Transforms><ds:DigestMethod Algorithm="u"/><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference>'))),
        ("Transform with lax mh:Patient invalid content", sig(si=si(r=f'<ds:Reference><ds:Transforms><ds:Transform Algorithm="u"><mh:Patient xmlns:mh="{MH}"><mh:Bogus/></mh:Patient></ds:Transform></ds:Transforms><ds:DigestMethod Algorithm="u"/><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference>'))),
        ("Transform without Algorithm", sig(si=si(r='<ds:Reference><ds:Transforms><ds:Transform/></ds:Transforms><ds:DigestMethod Algorithm="u"/><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference>'))),
        ("DigestMethod with foreign child", sig(si=si(r=f'<ds:Reference><ds:DigestMethod Algorithm="u"><u:P xmlns:u="{UNKNOWN}"/></ds:DigestMethod><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference>'))),
        ("DigestMethod with ds child", sig(si=si(r='<ds:Reference><ds:DigestMethod Algorithm="u"><ds:KeyName/></ds:DigestMethod><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference>'))),
        ("Reference URI with space", sig(si=si(r='<ds:Reference URI="a b"><ds:DigestMethod Algorithm="u"/><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference>'))),
        ("Reference with unknown attribute", sig(si=si(r='<ds:Reference Foo="x"><ds:DigestMethod Algorithm="u"/><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference>'))),
        ("SignatureValue not base64", sig(value="<ds:SignatureValue>***</ds:SignatureValue>")),
        ("SignatureValue with child", sig(value="<ds:SignatureValue><ds:KeyName/></ds:SignatureValue>")),
    ]


def key_info_variants():
    """KeyInfo and its key kinds: KeyValue, RetrievalMethod, X509Data, PGPData, SPKIData."""
    sig, ki = SignatureParts.sig, SignatureParts.ki
    return [
        ("empty KeyInfo", sig(keyinfo=ki(""))),
        ("KeyInfo text only", sig(keyinfo=ki("text"))),
        ("KeyInfo KeyName + MgmtData", sig(keyinfo=ki("<ds:KeyName>a</ds:KeyName><ds:MgmtData>b</ds:MgmtData>"))),
        ("KeyInfo foreign element", sig(keyinfo=ki(f'<u:K xmlns:u="{UNKNOWN}"/>'))),
        ("KeyInfo unqualified element", sig(keyinfo=ki('<K xmlns=""/>'))),
        ("KeyInfo with ds:Object (not allowed)", sig(keyinfo=ki("<ds:Object/>"))),
        ("KeyValue empty", sig(keyinfo=ki("<ds:KeyValue/>"))),
        ("KeyValue two keys", sig(keyinfo=ki("<ds:KeyValue><ds:RSAKeyValue><ds:Modulus>AQAB</ds:Modulus><ds:Exponent>AQAB</ds:Exponent></ds:RSAKeyValue><ds:RSAKeyValue><ds:Modulus>AQAB</ds:Modulus><ds:Exponent>AQAB</ds:Exponent></ds:RSAKeyValue></ds:KeyValue>"))),
        ("KeyValue foreign", sig(keyinfo=ki(f'<ds:KeyValue><u:ECKey xmlns:u="{UNKNOWN}"/></ds:KeyValue>'))),
        ("RSAKeyValue missing Exponent", sig(keyinfo=ki("<ds:KeyValue><ds:RSAKeyValue><ds:Modulus>AQAB</ds:Modulus></ds:RSAKeyValue></ds:KeyValue>"))),
        ("RSAKeyValue bad base64", sig(keyinfo=ki("<ds:KeyValue><ds:RSAKeyValue><ds:Modulus>A</ds:Modulus><ds:Exponent>AQAB</ds:Exponent></ds:RSAKeyValue></ds:KeyValue>"))),
        ("DSAKeyValue Y only", sig(keyinfo=ki("<ds:KeyValue><ds:DSAKeyValue><ds:Y>AQAB</ds:Y></ds:DSAKeyValue></ds:KeyValue>"))),
        ("DSAKeyValue full", sig(keyinfo=ki("<ds:KeyValue><ds:DSAKeyValue><ds:P>AQAB</ds:P><ds:Q>AQAB</ds:Q><ds:G>AQAB</ds:G><ds:Y>AQAB</ds:Y><ds:J>AQAB</ds:J><ds:Seed>AQAB</ds:Seed><ds:PgenCounter>AQAB</ds:PgenCounter></ds:DSAKeyValue></ds:KeyValue>"))),
        ("DSAKeyValue P without Q", sig(keyinfo=ki("<ds:KeyValue><ds:DSAKeyValue><ds:P>AQAB</ds:P><ds:Y>AQAB</ds:Y></ds:DSAKeyValue></ds:KeyValue>"))),
        ("DSAKeyValue Seed without PgenCounter", sig(keyinfo=ki("<ds:KeyValue><ds:DSAKeyValue><ds:Y>AQAB</ds:Y><ds:Seed>AQAB</ds:Seed></ds:DSAKeyValue></ds:KeyValue>"))),
        ("DSAKeyValue no Y", sig(keyinfo=ki("<ds:KeyValue><ds:DSAKeyValue><ds:G>AQAB</ds:G></ds:DSAKeyValue></ds:KeyValue>"))),
        ("RetrievalMethod", sig(keyinfo=ki('<ds:RetrievalMethod URI="#k" Type="urn:t"><ds:Transforms><ds:Transform Algorithm="u"/></ds:Transforms></ds:RetrievalMethod>'))),
        ("RetrievalMethod with text", sig(keyinfo=ki('<ds:RetrievalMethod URI="#k">t</ds:RetrievalMethod>'))),
        ("X509Data empty", sig(keyinfo=ki("<ds:X509Data/>"))),
        ("X509Data many kinds", sig(keyinfo=ki(f'<ds:X509Data><ds:X509SKI>AQAB</ds:X509SKI><ds:X509CRL>AQAB</ds:X509CRL><ds:X509Certificate>AQAB</ds:X509Certificate><ds:X509Certificate>AQAB</ds:X509Certificate><u:X xmlns:u="{UNKNOWN}"/></ds:X509Data>'))),
        ("X509IssuerSerial bad serial", sig(keyinfo=ki("<ds:X509Data><ds:X509IssuerSerial><ds:X509IssuerName>n</ds:X509IssuerName><ds:X509SerialNumber>abc</ds:X509SerialNumber></ds:X509IssuerSerial></ds:X509Data>"))),
        ("X509IssuerSerial reversed", sig(keyinfo=ki("<ds:X509Data><ds:X509IssuerSerial><ds:X509SerialNumber>1</ds:X509SerialNumber><ds:X509IssuerName>n</ds:X509IssuerName></ds:X509IssuerSerial></ds:X509Data>"))),
        ("X509Data with ds:KeyName", sig(keyinfo=ki("<ds:X509Data><ds:KeyName/></ds:X509Data>"))),
        ("PGPData KeyID", sig(keyinfo=ki("<ds:PGPData><ds:PGPKeyID>AQAB</ds:PGPKeyID></ds:PGPData>"))),
        ("PGPData KeyID+Packet+ext", sig(keyinfo=ki(f'<ds:PGPData><ds:PGPKeyID>AQAB</ds:PGPKeyID><ds:PGPKeyPacket>AQAB</ds:PGPKeyPacket><u:X xmlns:u="{UNKNOWN}"/></ds:PGPData>'))),
        ("PGPData Packet only", sig(keyinfo=ki("<ds:PGPData><ds:PGPKeyPacket>AQAB</ds:PGPKeyPacket></ds:PGPData>"))),
        ("PGPData Packet then KeyID", sig(keyinfo=ki("<ds:PGPData><ds:PGPKeyPacket>AQAB</ds:PGPKeyPacket><ds:PGPKeyID>AQAB</ds:PGPKeyID></ds:PGPData>"))),
        ("PGPData empty", sig(keyinfo=ki("<ds:PGPData/>"))),
        ("PGPData ext only", sig(keyinfo=ki(f'<ds:PGPData><u:X xmlns:u="{UNKNOWN}"/></ds:PGPData>'))),
        ("SPKIData", sig(keyinfo=ki(f'<ds:SPKIData><ds:SPKISexp>AQAB</ds:SPKISexp><u:X xmlns:u="{UNKNOWN}"/><ds:SPKISexp>AQAB</ds:SPKISexp></ds:SPKIData>'))),
        ("SPKIData two ext", sig(keyinfo=ki(f'<ds:SPKIData><ds:SPKISexp>AQAB</ds:SPKISexp><u:X xmlns:u="{UNKNOWN}"/><u:Y xmlns:u="{UNKNOWN}"/></ds:SPKIData>'))),
        ("SPKIData empty", sig(keyinfo=ki("<ds:SPKIData/>"))),
    ]


def object_and_id_variants():
    """ds:Object (Manifest, SignatureProperties), Id attributes, and misplaced Signatures."""
    P = SignatureParts
    d, ref, sig, si, ki = P.d, P.ref, P.sig, P.si, P.ki
    return [
        ("Object with anything", sig(objects=f'<ds:Object>text<u:X xmlns:u="{UNKNOWN}"/><ds:KeyName>k</ds:KeyName><mh:Patient xmlns:mh="{MH}"/></ds:Object>')),
        ("Object with invalid declared element (lax)", sig(objects=f'<ds:Object><mh:Patient xmlns:mh="{MH}"><mh:Nope/></mh:Patient></ds:Object>')),
        ("Object with Manifest", sig(objects=f"<ds:Object><ds:Manifest Id='m1'>{ref}</ds:Manifest></ds:Object>")),
        ("Manifest empty", sig(objects="<ds:Object><ds:Manifest/></ds:Object>")),
        ("SignatureProperty without Target", sig(objects=f'<ds:Object><ds:SignatureProperties><ds:SignatureProperty><u:X xmlns:u="{UNKNOWN}"/></ds:SignatureProperty></ds:SignatureProperties></ds:Object>')),
        ("SignatureProperty empty", sig(objects='<ds:Object><ds:SignatureProperties><ds:SignatureProperty Target="#s"/></ds:SignatureProperties></ds:Object>')),
        ("SignatureProperty with ds child", sig(objects='<ds:Object><ds:SignatureProperties><ds:SignatureProperty Target="#s"><ds:KeyName/></ds:SignatureProperty></ds:SignatureProperties></ds:Object>')),
        ("SignatureProperties empty", sig(objects="<ds:Object><ds:SignatureProperties/></ds:Object>")),
        ("two Objects", sig(objects="<ds:Object/><ds:Object Id='o2'/>")),
        ("Object before KeyInfo", sig(keyinfo="", objects="<ds:Object/>" + ki("<ds:KeyName/>"))),
        ("duplicate Id values", sig(attrs='Id="dup"', si=si(attrs='Id="dup"'))),
        ("Id not an NCName", sig(attrs='Id="1abc"')),
        ("Id with colon", sig(attrs='Id="a:b"')),
        ("Signature with unknown attribute", sig(attrs='Foo="x"')),
        ("Signature in unknown namespace", f'<s:Signature xmlns:s="{UNKNOWN}"/>'),
        ("Signature unqualified children", f'<ds:Signature {d}><SignedInfo xmlns=""/></ds:Signature>'),
    ]


def small_model_enumerations():
    """Exhaustive child sequences for the small, fiddly xmldsig content models."""
    import itertools
    out = []
    d = f'xmlns:ds="{DS}" xmlns:u="{UNKNOWN}"'
    # DSAKeyValue: every in-order subset of its seven children
    dsa = ["P", "Q", "G", "Y", "J", "Seed", "PgenCounter"]
    for mask in range(1 << len(dsa)):
        names = [n for i, n in enumerate(dsa) if mask & (1 << i)]
        body = "".join(f"<ds:{n}>AQAB</ds:{n}>" for n in names)
        out.append((f"DSAKeyValue children {names}",
                    f"<ds:KeyInfo {d}><ds:KeyValue><ds:DSAKeyValue>{body}</ds:DSAKeyValue></ds:KeyValue></ds:KeyInfo>"))
    # PGPData / SPKIData / X509IssuerSerial / RSAKeyValue: all sequences up to length 3 (4 for SPKI)
    tokens = {
        "PGPData": {"ID": "<ds:PGPKeyID>AQAB</ds:PGPKeyID>", "PK": "<ds:PGPKeyPacket>AQAB</ds:PGPKeyPacket>",
                    "EXT": "<u:E/>", "DS": "<ds:KeyName/>"},
        "SPKIData": {"SX": "<ds:SPKISexp>AQAB</ds:SPKISexp>", "EXT": "<u:E/>", "DS": "<ds:KeyName/>"},
        "RSAKeyValue": {"M": "<ds:Modulus>AQAB</ds:Modulus>", "E": "<ds:Exponent>AQAB</ds:Exponent>"},
    }
    for model, toks in tokens.items():
        maxlen = 4 if model == "SPKIData" else 3
        for n in range(0, maxlen + 1):
            for combo in itertools.product(sorted(toks), repeat=n):
                body = "".join(toks[t] for t in combo)
                inner = f"<ds:{model}>{body}</ds:{model}>"
                if model == "RSAKeyValue":
                    inner = f"<ds:KeyValue>{inner}</ds:KeyValue>"
                out.append((f"{model} children {list(combo)}", f"<ds:KeyInfo {d}>{inner}</ds:KeyInfo>"))
    # X509Data items
    x = {"IS": "<ds:X509IssuerSerial><ds:X509IssuerName>n</ds:X509IssuerName><ds:X509SerialNumber>1</ds:X509SerialNumber></ds:X509IssuerSerial>",
         "SKI": "<ds:X509SKI>AQAB</ds:X509SKI>", "SN": "<ds:X509SubjectName>s</ds:X509SubjectName>",
         "C": "<ds:X509Certificate>AQAB</ds:X509Certificate>", "CRL": "<ds:X509CRL>AQAB</ds:X509CRL>",
         "EXT": "<u:E/>", "DS": "<ds:KeyName/>"}
    for n in range(0, 3):
        for combo in itertools.product(sorted(x), repeat=n):
            out.append((f"X509Data children {list(combo)}",
                        f"<ds:KeyInfo {d}><ds:X509Data>{''.join(x[t] for t in combo)}</ds:X509Data></ds:KeyInfo>"))
    return out


def generated_documents(official_inventory):
    """(label, text, use_as_seed) for every generated document, in a fixed order."""
    return (seed_documents() + signature_documents() + apprec_documents() + kith_type_documents()
            + global_element_documents(official_inventory) + content_documents() + msghead_oddity_documents()
            + malformed_documents())


def seed_documents():
    """Rich MsgHead and AppRec documents: compared, and the bases of mutations."""
    docs = []
    full_info = msginfo(MSGINFO_EXTRAS, OTHER_RECEIVERS)
    docs.append(("gen: MsgHead full + dialog 1.0 Foresporsel + signature",
                 msghead(document(dialog10_foresporsel(), full=True) + document(B64_SMALL), SIG_FULL, full_info), True))
    docs.append(("gen: MsgHead dialog 1.0 Notat",
                 msghead(document(dialog_notat(DIA10))), True))
    docs.append(("gen: MsgHead dialog 1.1 Notat with TilknyttetEnhet",
                 msghead(document(dialog_notat(DIA11, with_tilknyttet=True)), "", full_info), True))
    docs.append(("gen: MsgHead dialog 1.1 Foresporsel",
                 msghead(document(dialog11_foresporsel(), full=True)), True))
    docs.append(("gen: MsgHead PatientReport",
                 msghead(f"<PatientReport><DocumentConnection V='H'/><CaseNo>42</CaseNo>{document(B64_SMALL)}{document('')}{PATIENT_MH_FULL}</PatientReport>"
                         "<PatientReport><CaseNo>43</CaseNo>" + document(B64_SMALL) + "</PatientReport>"), True))
    docs.append(("gen: MsgHead FileReference and empty RefDoc",
                 msghead("<Document><RefDoc><MsgType V='A'/><FileReference>cid:vedlegg-1</FileReference></RefDoc></Document>"
                         "<Document><RefDoc><MsgType V='A'/></RefDoc></Document>"
                         "<Document><RefDoc><MsgType V='A'/><Content/></RefDoc></Document>"), True))
    docs.append(("gen: MsgHead minimal (empty organisations, no patient)",
                 msghead(document(B64_SMALL), "", f"""<MsgInfo><Type/><MIGversion/><GenDate>2024-03-01T10:00:00Z</GenDate><MsgId/>
                    <Sender><Organisation/></Sender><Receiver><Organisation/></Receiver></MsgInfo>"""), True))
    docs.append(("gen: AppRec 1.0 full", apprec(AR10, errors='<Error V="E10" DN="Ugyldig" S="2.16.578.1.12.4.1.1.8221" OT="o"/><Error V="E20"/>'), True))
    docs.append(("gen: AppRec 1.1 full", apprec(AR11, errors='<Error V="E10" DN="Ugyldig" S="2.16.578.1.12.4.1.1.8221" OT="o"/><Error V="E20"/>'), True))
    return docs


def signature_documents():
    """Signature variants (not used as seeds; SIG_FULL already is), and signatures out of place."""
    docs = []
    for desc, sig in signature_variants():
        docs.append((f"gen: signature: {desc}", msghead(document(B64_SMALL), sig), False))
    sig_head = f'<ds:Signature xmlns:ds="{DS}"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="u"/><ds:SignatureMethod Algorithm="u"/><ds:Reference><ds:DigestMethod Algorithm="u"/><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference></ds:SignedInfo><ds:SignatureValue>AAAA</ds:SignatureValue>'
    for desc, keyinfo in small_model_enumerations():
        docs.append((f"gen: signature KeyInfo: {desc}", msghead(document(B64_SMALL), sig_head + keyinfo + "</ds:Signature>"), False))
    docs.append(("gen: signature before Document",
                 f'<MsgHead xmlns="{MH}">{msginfo()}{SIG_FULL}{document(B64_SMALL)}</MsgHead>', False))
    docs.append(("gen: two signatures", msghead(document(B64_SMALL), SIG_FULL + SIG_FULL.replace('Id="', 'Id="b'),), False))
    docs.append(("gen: signature inside Content", msghead(document(SIG_FULL)), False))
    docs.append(("gen: signature with PatientReport",
                 msghead("<PatientReport><CaseNo>1</CaseNo>" + document(B64_SMALL) + "</PatientReport>", SIG_FULL), False))
    return docs


def apprec_documents():
    """AppRec variants of both versions, and one mixing their namespaces."""
    docs = []
    for ns, tag in ((AR10, "1.0"), (AR11, "1.1")):
        docs += apprec_status_documents(ns, tag)
        docs += apprec_original_msgid_documents(ns, tag)
        docs += apprec_header_documents(ns, tag)

    # Cross-namespace AppRec pieces (AppRec 1.0 root with 1.1 children etc.)
    docs.append(("gen: AppRec 1.0 with ar11 Status",
                 apprec(AR10, status=f'<s:Status xmlns:s="{AR11}" V="1"/>'), False))
    return docs


def apprec_status_documents(ns, tag):
    """An AppRec's Status and Error elements, valid and not."""
    docs = []
    for v in ["1", "2", "3", "", " 1 ", "UKJENT", "1 2"]:
        docs.append((f"gen: AppRec {tag} Status V={v!r}", apprec(ns, status=f'<Status V="{v}" DN="x"/>'), False))
    docs.append((f"gen: AppRec {tag} Status without attributes", apprec(ns, status="<Status/>"), False))
    docs.append((f"gen: AppRec {tag} Status missing", apprec(ns, status=""), False))
    docs.append((f"gen: AppRec {tag} Status twice", apprec(ns, status='<Status V="1"/><Status V="2"/>'), False))
    docs.append((f"gen: AppRec {tag} Status with S attr", apprec(ns, status='<Status V="1" S="1.2"/>'), False))
    docs.append((f"gen: AppRec {tag} Status with text", apprec(ns, status='<Status V="1">OK</Status>'), False))
    docs.append((f"gen: AppRec {tag} no Error", apprec(ns), False))
    docs.append((f"gen: AppRec {tag} one Error", apprec(ns, status='<Status V="2"/>', errors='<Error V="E10" S="2.16.578.1.12.4.1.1.8221"/>'), False))
    docs.append((f"gen: AppRec {tag} five Errors", apprec(ns, status='<Status V="2"/>', errors='<Error V="E1"/>' * 5), False))
    docs.append((f"gen: AppRec {tag} Error bad S", apprec(ns, errors='<Error V="E1" S="x.y"/>'), False))
    docs.append((f"gen: AppRec {tag} Error before Status", apprec(ns, status="", errors='<Error V="E1"/><Status V="2"/>'), False))
    docs.append((f"gen: AppRec {tag} Error with OT", apprec(ns, errors='<Error V="E1" OT="original text"/>'), False))
    docs.append((f"gen: AppRec {tag} Error with unknown attr", apprec(ns, errors='<Error V="E1" X="1"/>'), False))
    return docs


def apprec_original_msgid_documents(ns, tag):
    """An AppRec's OriginalMsgId: its pieces missing, reordered, doubled or odd."""
    docs = []
    om = lambda body: f"<OriginalMsgId>{body}</OriginalMsgId>"
    mt = '<MsgType V="DIALOG_NOTAT"/>'
    idt = "<IssueDate>2024-03-01T10:00:00</IssueDate>"
    idd = "<Id>x</Id>"
    for desc, body in [
        ("all pieces", mt + idt + idd), ("no MsgType", idt + idd), ("no IssueDate", mt + idd),
        ("no Id", mt + idt), ("empty", ""), ("reordered Id first", idd + mt + idt),
        ("IssueDate swapped with MsgType", idt + mt + idd), ("IssueDate date only", mt + "<IssueDate>2024-03-01</IssueDate>" + idd),
        ("IssueDate bad", mt + "<IssueDate>2024-13-45T00:00:00</IssueDate>" + idd),
        ("IssueDate with zone", mt + "<IssueDate>2024-03-01T10:00:00.123+01:00</IssueDate>" + idd),
        ("empty Id", mt + idt + "<Id/>"), ("two Ids", mt + idt + idd + idd),
        ("extra element", mt + idt + idd + "<Extra/>"),
    ]:
        docs.append((f"gen: AppRec {tag} OriginalMsgId {desc}", apprec(ns, original=om(body)), False))
    docs.append((f"gen: AppRec {tag} OriginalMsgId missing", apprec(ns, original=""), False))
    return docs


def apprec_header_documents(ns, tag):
    """An AppRec without Role or software, with odd MIGversions, and inside a MsgHead's Content."""
    docs = []
    docs.append((f"gen: AppRec {tag} no Role, Inst receiver", apprec(ns, sender_role=False, receiver_hcprof=False), False))
    docs.append((f"gen: AppRec {tag} no software", apprec(ns, software=False), False))
    for mig in ["", "1.0 2004-11-21", "v1.1 2012-02-15", "anything"]:
        docs.append((f"gen: AppRec {tag} MIGversion {mig!r}", apprec(ns, mig=mig), False))
    docs.append((f"gen: AppRec {tag} inside Content", msghead(document(apprec(ns))), False))
    return docs


def kith_type_documents():
    """KITH datatypes via xsi:type in TekstNotatInnhold (dialog 1.0) and Sporsmal (1.1)."""
    docs = []
    for desc, tni in kith_type_payloads():
        for ns in (DIA10, DIA11):
            if ns == DIA10:
                notat = f'<Dialogmelding xmlns="{ns}" {NSDECL}><Notat><TemaKodet V="1"/>{tni}</Notat></Dialogmelding>'
            else:
                body = tni.replace("TekstNotatInnhold", "Sporsmal")
                notat = f'<Dialogmelding xmlns="{ns}" {NSDECL}><Foresporsel><TypeForesp V="1"/>{body}</Foresporsel></Dialogmelding>'
            docs.append((f"gen: xsi:type payload ({'1.0 TekstNotatInnhold' if ns == DIA10 else '1.1 Sporsmal'}): {desc}",
                         msghead(document(notat)), False))
    return docs


def global_element_documents(official_inventory):
    """Every global element of the official set as a document root and inside Content."""
    docs = []
    prefixes = {MH: "mh", DIA10: "dia10", DIA11: "dia11", B64: "b64", AR10: "ar10", AR11: "ar11",
                KITH: "kith", FK1: "fk1", DS: "ds"}
    globals_ = sorted((ns or "", name) for kind, ns, name, _x in official_inventory if kind == "element")
    names_by_ns = {}
    for ns, name in globals_:
        names_by_ns.setdefault(ns, []).append(name)
    probe = list(globals_)
    # same local names in other namespaces, and undeclared names
    for ns in list(names_by_ns):
        probe.append((ns, "DefinitelyNotDeclared"))
    for ns, name in globals_:
        for other in (MH, DIA10, DIA11, AR10, AR11, KITH, FK1, DS, B64):
            if other != ns and (other, name) not in probe:
                probe.append((other, name))
    probe.append(("", "AppRec"))
    probe.append(("", "MsgHead"))
    for ns, name in probe:
        el = f'<p:{name} xmlns:p="{ns}"/>' if ns else f"<{name}/>"
        docs.append((f"gen: root {{{ns}}}{name} (empty)", el, False))
        docs.append((f"gen: Content child {{{ns}}}{name} (empty)", msghead(document(el)), False))
    return docs


def content_documents():
    """Content oddities: text, comments, two payloads, unknown elements, Base64Container and
    FileReference variants."""
    docs = []
    docs.append(("gen: Content with text", msghead(document("some text")), False))
    docs.append(("gen: Content with whitespace only", msghead(document("\n   \n")), False))
    docs.append(("gen: Content with comment/PI", msghead(document("<!-- c --><?pi x?>" + B64_SMALL)), False))
    docs.append(("gen: Content with two payloads", msghead(document(B64_SMALL + dialog_notat(DIA10))), False))
    docs.append(("gen: Content with unknown element", msghead(document(f'<u:X xmlns:u="{UNKNOWN}"/>')), False))
    docs.append(("gen: Base64Container bad", msghead(document(f'<Base64Container xmlns="{B64}">not base64!</Base64Container>')), False))
    docs.append(("gen: Base64Container with attribute", msghead(document(f'<Base64Container xmlns="{B64}" Foo="1">QUJD</Base64Container>')), False))
    docs.append(("gen: Base64Container with child", msghead(document(f'<Base64Container xmlns="{B64}"><x/></Base64Container>')), False))
    docs.append(("gen: Base64Container wrapped lines", msghead(document(f'<Base64Container xmlns="{B64}">QUJD\nREVG\r\n  R0hJ</Base64Container>')), False))
    docs.append(("gen: Base64Container xsi:type base64Binary", msghead(document(f'<Base64Container xmlns="{B64}" xmlns:xs="{XS}" xsi:type="xs:base64Binary">QUJD</Base64Container>')), False))
    docs.append(("gen: FileReference and Content", msghead("<Document><RefDoc><MsgType V='A'/><FileReference>x</FileReference><Content/></RefDoc></Document>"), False))
    docs.append(("gen: FileReference bad URI", msghead("<Document><RefDoc><MsgType V='A'/><FileReference>a b</FileReference></RefDoc></Document>"), False))
    docs.append(("gen: Document and PatientReport mixed", msghead(document(B64_SMALL) + "<PatientReport><CaseNo>1</CaseNo>" + document(B64_SMALL) + "</PatientReport>"), False))
    return docs


def msghead_oddity_documents():
    """MsgHead oddities: no Document, OtherReceiver shapes, MIGversions, Dialogmelding variants."""
    docs = []
    docs.append(("gen: no Document", msghead(""), False))
    docs.append(("gen: OtherReceiver with two parties", msghead(document(B64_SMALL), "", msginfo(other_receivers="<OtherReceiver><RoleReceiver/><Patient/><Person/></OtherReceiver>")), False))
    docs.append(("gen: OtherReceiver org then patient", msghead(document(B64_SMALL), "", msginfo(other_receivers="<OtherReceiver><RoleReceiver/><Organisation/><Patient/></OtherReceiver>")), False))
    docs.append(("gen: OtherReceiver without RoleReceiver", msghead(document(B64_SMALL), "", msginfo(other_receivers="<OtherReceiver><Patient/></OtherReceiver>")), False))
    for mig in ["", "v1.2 2006-05-24 ", "v1.1 2006-02-15", " v1.2 2006-05-24"]:
        docs.append((f"gen: MsgHead MIGversion {mig!r}", msghead(document(B64_SMALL), "", msginfo(mig=mig)), False))
    docs.append(("gen: Organisation with text only", msghead(document(B64_SMALL), "", msginfo().replace("<Receiver>" + ORG_MH_FULL, "<Receiver><Organisation>x</Organisation>")), False))
    docs.append(("gen: Dialogmelding 1.0 Foresporsel and Notat mixed",
                 msghead(document(f'<Dialogmelding xmlns="{DIA10}"><Foresporsel><TypeForesp/></Foresporsel><Notat><TemaKodet/></Notat></Dialogmelding>')), False))
    docs.append(("gen: Dialogmelding 1.0 empty", msghead(document(f'<Dialogmelding xmlns="{DIA10}"/>')), False))
    docs.append(("gen: Dialogmelding 1.1 empty", msghead(document(f'<Dialogmelding xmlns="{DIA11}"/>')), False))
    docs.append(("gen: Dialogmelding 1.1 RollerRelatertNotat empty",
                 msghead(document(f'<Dialogmelding xmlns="{DIA11}"><Notat><TemaKodet/><RollerRelatertNotat/></Notat></Dialogmelding>')), False))
    docs.append(("gen: Dialogmelding 1.0 RollerRelatertNotat empty",
                 msghead(document(f'<Dialogmelding xmlns="{DIA10}"><Notat><TemaKodet/><RollerRelatertNotat/></Notat></Dialogmelding>')), False))
    docs.append(("gen: Dialogmelding 1.1 RollerRelatertNotat HCP+Person",
                 msghead(document(f'<Dialogmelding xmlns="{DIA11}"><Notat><TemaKodet/><RollerRelatertNotat><HealthcareProfessional/><Person/></RollerRelatertNotat></Notat></Dialogmelding>')), False))
    docs.append(("gen: Dialogmelding 1.0 Formaal misspelt",
                 msghead(document(f'<Dialogmelding xmlns="{DIA10}"><Foresporsel><TypeForesp/><Formal/></Foresporsel></Dialogmelding>')), False))
    docs.append(("gen: Dialogmelding 1.1 TilknyttetEnhet without Kontaktenhet",
                 msghead(document(f'<Dialogmelding xmlns="{DIA11}"><Notat><TemaKodet/><RollerRelatertNotat><TilknyttetEnhet/></RollerRelatertNotat></Notat></Dialogmelding>')), False))
    docs.append(("gen: Dialogmelding 1.1 Kontaktenhet in dia namespace",
                 msghead(document(f'<Dialogmelding xmlns="{DIA11}"><Notat><TemaKodet/><RollerRelatertNotat><TilknyttetEnhet><Kontaktenhet><OrganisationName>x</OrganisationName><Ident><Id>1</Id><TypeId/></Ident></Kontaktenhet></TilknyttetEnhet></RollerRelatertNotat></Notat></Dialogmelding>')), False))
    return docs


def malformed_documents():
    """Not well-formed documents (the parse-error verdict must agree too)."""
    docs = []
    docs.append(("gen: malformed truncated", msghead(document(B64_SMALL))[:-20], False))
    docs.append(("gen: malformed undeclared prefix", "<x:MsgHead/>", False))
    docs.append(("gen: malformed DOCTYPE with external entity",
                 '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e SYSTEM "http://example.invalid/x">]><a>&e;</a>', False))
    return docs


def mutation_kind(label):
    """Group a mutation label ('seed :: path :: description') by its kind."""
    desc = label.rsplit(" :: ", 1)[-1]
    desc = re.sub(r"@\{[^}]*\}\w+|@\w+", "@attr", desc)
    desc = re.sub(r"\[[^\]]*\]", "", desc)
    desc = re.sub(r"#\d+ to position \d+", "to another position", desc)
    desc = re.sub(r"xsi:type=\S+", "xsi:type=<type>", desc)
    desc = re.sub(r"@attr := .*", "@attr := <bad or odd value>", desc)
    desc = re.sub(r"move element into http\S+", "move element into another KITH/W3C namespace", desc)
    return desc.strip()


# --------------------------------------------------------------------------
# xmllint cross-check
# --------------------------------------------------------------------------

def xmllint_verdicts(schema_path, paths):
    verdicts = {}
    for i in range(0, len(paths), 400):
        chunk = paths[i:i + 400]
        proc = subprocess.run(["xmllint", "--noout", "--nonet", "--schema", schema_path] + chunk,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              errors="replace")
        for line in proc.stderr.splitlines():
            if line.endswith(" validates"):
                verdicts[line[: -len(" validates")]] = "valid"
            elif line.endswith(" fails to validate"):
                verdicts[line[: -len(" fails to validate")]] = "invalid"
            elif line.endswith(" validation generated an internal error"):
                verdicts[line[: -len(" validation generated an internal error")]] = "internal-error"
    return [verdicts.get(p, "parse-error") for p in paths]


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

def main():
    """Steps 1-4 of the module docstring; the exit status."""
    args = parse_args()
    t0 = time.time()
    failures = []
    checked = check_schemas(args, failures)
    if checked is None:
        return 1
    official, ours, inv_off = checked
    comparison = compare_corpus(args, official, ours, inv_off, failures)
    return report(args, comparison, failures, t0)


def parse_args():
    """The command line (see the module docstring)."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--official", default=DEFAULT_OFFICIAL)
    ap.add_argument("--ours", default=DEFAULT_OURS)
    ap.add_argument("--samples", default=DEFAULT_SAMPLES)
    ap.add_argument("--xmllint", action="store_true",
                    help="also validate the whole corpus with the system xmllint (both sets)")
    ap.add_argument("--seed", type=int, default=20240301, help="random seed for permutations")
    ap.add_argument("--verbose", "-v", action="store_true")
    ap.add_argument("--max-list", type=int, default=200, help="max disagreements to print")
    return ap.parse_args()


def check_schemas(args, failures):
    """Steps 1-3: both drivers compile, our files pass the static checks, and both sets declare
    the same global components. Returns (official schema, our schema, official inventory), or
    None (failures printed) when a driver does not compile."""
    print(f"official: {args.official}")
    print(f"ours:     {args.ours}")
    official = compile_schema(args.official, "official", failures)
    ours = compile_schema(args.ours, "ours", failures)
    our_files = static_checks(args.ours, failures)
    print(f"our schema files reached from the driver: {len(our_files)}")
    for f in our_files:
        print(f"  {os.path.relpath(f, REPO)}")
    if official is None or ours is None:
        for f in failures:
            print("FAIL:", f)
        return None
    inv_off = inventory(args.official)
    inv_our = inventory(args.ours)
    # the drivers themselves have different (empty) target namespaces
    inv_off = {x for x in inv_off if not (x[0] == "schema-form" and x[1] == "urn:local:driver")}
    inv_our = {x for x in inv_our if not (x[0] == "schema-form" and x[1] == "urn:pathway-gateway:schema-driver")}
    only_off = sorted(inv_off - inv_our, key=str)
    only_our = sorted(inv_our - inv_off, key=str)
    for x in only_off:
        failures.append(f"inventory: only in official: {x}")
    for x in only_our:
        failures.append(f"inventory: only in ours: {x}")
    print(f"global components: official {len(inv_off)}, ours {len(inv_our)}, "
          f"differences {len(only_off) + len(only_our)}")
    return official, ours, inv_off


def read_expected_verdicts(samples):
    """The official verdict index.tsv records for each sample file (empty without an index)."""
    expected = {}
    index = os.path.join(samples, "index.tsv")
    if os.path.exists(index):
        with open(index, encoding="utf-8") as fh:
            header = fh.readline().rstrip("\n").split("\t")
            for line in fh:
                row = dict(zip(header, line.rstrip("\n").split("\t")))
                expected[row.get("file")] = row.get("official_schema_verdict")
    return expected


class Corpus:
    """The documents of step 4 as (category, label, bytes): samples, then generated documents,
    then mutations of the seeds both of them contribute."""

    def __init__(self, args, official_inventory):
        self.args = args
        self.official_inventory = official_inventory
        self.seeds = []  # (label, root) used as mutation bases
        self.seen_struct = set()

    def __iter__(self):
        yield from self.samples()
        yield from self.generated()
        yield from self.mutations()

    def samples(self):
        """Every sample file; each well-formed one of a new structure (base64 shrunk) is a seed."""
        for name in sorted(f for f in os.listdir(self.args.samples) if f.endswith(".xml")):
            with open(os.path.join(self.args.samples, name), "rb") as fh:
                data = fh.read()
            yield "sample", f"sample {name}", data
            try:
                root = etree.fromstring(data, make_parser())
            except etree.XMLSyntaxError:
                continue  # malformed: its own verdict, nothing to mutate
            shrunk = shrink_base64(root)
            sig = structure_signature(root)
            if sig in self.seen_struct:
                continue  # structurally identical to an earlier sample
            self.seen_struct.add(sig)
            self.seeds.append((f"{name}{' (base64 shrunk)' if shrunk else ''}", root))

    def generated(self):
        """The generated documents; those marked so are seeds too."""
        for label, text, use_as_seed in generated_documents(self.official_inventory):
            data = text.encode("utf-8")
            yield "generated", label, data
            if use_as_seed:
                self.seeds.append((label, etree.fromstring(data, make_parser())))

    def mutations(self):
        """Every mutation of every seed (random permutations drawn from --seed)."""
        rng = random.Random(self.args.seed)
        for label, root in list(self.seeds):
            for mlabel, data in mutate_seed(label, root, rng):
                yield "mutation", mlabel, data


class Comparison:
    """The verdicts of both sets on each unique document, and what they add up to."""

    def __init__(self, args, official, ours, expected, xmllint_dir):
        self.args, self.official, self.ours, self.expected = args, official, ours, expected
        self.xmllint_dir = xmllint_dir
        self.xmllint_docs = []  # (category, label, path)
        self.seen_docs = set()
        self.compared = 0
        self.agreements = 0
        self.disagreements = []
        self.verdict_counts = Counter()
        self.category_counts = Counter()
        self.mutation_kinds = Counter()
        self.index_mismatch = []
        self.x_summary = None

    def add(self, cat, label, data):
        """Validates one document with both sets (once per unique content) and records the verdicts."""
        key = hashlib.sha1(data).digest()
        if key in self.seen_docs:
            return
        self.seen_docs.add(key)
        self.compared += 1
        self.category_counts[cat] += 1
        if cat == "mutation":
            self.mutation_kinds[mutation_kind(label)] += 1
        v_off, e_off = verdict(self.official, data)
        v_our, e_our = verdict(self.ours, data)
        self.verdict_counts[(cat, v_off)] += 1
        if v_off == v_our:
            self.agreements += 1
        else:
            self.disagreements.append((cat, label, v_off, e_off, v_our, e_our))
        if self.args.verbose:
            print(f"[{cat}] {v_off:11s} {v_our:11s} {label}")
        if cat == "sample":
            fname = label.split(" ", 1)[1]
            exp = self.expected.get(fname)
            if exp and exp != v_off:
                self.index_mismatch.append((fname, exp, v_off))
        if self.xmllint_dir:
            path = os.path.join(self.xmllint_dir, f"d{self.compared:06d}.xml")
            with open(path, "wb") as fh:
                fh.write(data)
            self.xmllint_docs.append((cat, label, path))

    def cross_check_with_xmllint(self, failures):
        """The corpus validated again by the system xmllint, both sets; its disagreements join ours."""
        if not shutil.which("xmllint"):
            failures.append("--xmllint given but xmllint is not installed (apt-get install libxml2-utils)")
            return
        paths = [p for _c, _l, p in self.xmllint_docs]
        lo = xmllint_verdicts(self.args.official, paths)
        lu = xmllint_verdicts(self.args.ours, paths)
        x_agree = 0
        for (cat, label, _p), a, b in zip(self.xmllint_docs, lo, lu):
            if a == b:
                x_agree += 1
            else:
                self.disagreements.append((cat + "/xmllint", label, a, "", b, ""))
        ver = subprocess.run(["xmllint", "--version"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True).stderr.splitlines()[0]
        self.x_summary = (ver, len(paths), x_agree)


def compare_corpus(args, official, ours, official_inventory, failures):
    """Step 4: every document of the corpus through both sets (and xmllint when asked)."""
    expected = read_expected_verdicts(args.samples)
    corpus = Corpus(args, official_inventory)
    xmllint_dir = tempfile.mkdtemp(prefix="schema-check-") if args.xmllint else None
    comparison = Comparison(args, official, ours, expected, xmllint_dir)
    try:
        for cat, label, data in corpus:
            comparison.add(cat, label, data)
        print(f"seeds for mutation: {len(corpus.seeds)}; unique documents: {comparison.compared} "
              f"({dict(comparison.category_counts)})")
        if xmllint_dir:
            comparison.cross_check_with_xmllint(failures)
    finally:
        if xmllint_dir:
            shutil.rmtree(xmllint_dir, ignore_errors=True)
    return comparison


def report(args, comparison, failures, t0):
    """Prints the counts, every disagreement (up to --max-list) and check failure; the exit status."""
    c = comparison
    print()
    print(f"lxml {'.'.join(map(str, etree.LXML_VERSION))}, libxml2 {'.'.join(map(str, etree.LIBXML_VERSION))}")
    print("official verdicts by category:")
    for (cat, v), n in sorted(c.verdict_counts.items()):
        print(f"  {cat:10s} {v:12s} {n}")
    print("mutations by kind:")
    for kind, n in sorted(c.mutation_kinds.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {n:7d}  {kind}")
    if c.index_mismatch:
        print("samples whose official verdict differs from index.tsv (informational):")
        for f, exp, got in c.index_mismatch:
            print(f"  {f}: index.tsv={exp} lxml={got}")
    if c.disagreements:
        print(f"\nDISAGREEMENTS ({len(c.disagreements)}):")
        for cat, label, a, ea, b, eb in c.disagreements[: args.max_list]:
            print(f"- [{cat}] {label}\n    official: {a} {ea[:200]}\n    ours:     {b} {eb[:200]}")
        if len(c.disagreements) > args.max_list:
            print(f"  ... {len(c.disagreements) - args.max_list} more")
    if failures:
        print("\nCHECK FAILURES:")
        for f in failures:
            print("- " + f)
    print()
    if c.x_summary:
        ver, n, agree = c.x_summary
        print(f"system xmllint ({ver}): documents {n}, agreements {agree}, disagreements {n - agree}")
    print(f"documents compared: {c.compared}")
    print(f"agreements:         {c.agreements}")
    print(f"disagreements:      {c.compared - c.agreements}")
    print(f"check failures:     {len(failures)}")
    print(f"time: {time.time() - t0:.1f}s")
    return 1 if (c.disagreements or failures) else 0


if __name__ == "__main__":
    sys.exit(main())
