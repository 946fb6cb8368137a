#!/usr/bin/env bash
# Re-makes Tests/Fixtures/spool-v7-e86d0d3.tar.gz: a small spool written by the gateway of commit
# e86d0d3 (state schema v7), the last version whose routed copies carried a NEW gateway MsgId with
# the gateway as Sender and whose hospitals got the gateway's own AppRec OK at once. The migration
# test (Tests/PathwayGatewayTests/MigrationV7EndToEndTests.swift) runs the current binary on it.
#
#   scripts/make-v7-fixture.sh [--binary PATH] [--out FILE]
#
# Without --binary it checks e86d0d3 out in a temporary worktree and builds it (swift build, debug).
# Contents: 2 hospitals, 2 municipalities, the pseudonym key the old daemon made; see
# Tests/Fixtures/README.md. Two `run --once` rounds of the old daemon:
#   1. helse-bergen: SP1 hb-sp1-1 (kommune 4601), hb-sp1-2 (0301), hb-sp1-3 (4601), hb-bad-fnr (E31);
#      haraldsplass: SP1 hp-sp1-1 (4601), hp-sp1-2 (0301)          -> copies with gateway MsgIds
#   2. bergen-kommune answers hb-sp1-3's copy (AppRec OK) and takes it; oslo-kommune rejects
#      hp-sp1-2's copy (AppRec Avvist E35) and takes it. Still awaiting an AppRec: the copies of
#      hb-sp1-1 and hp-sp1-1 (bergen-kommune) and hb-sp1-2 (oslo-kommune).
# Paths are relative: the config sits at the archive's top with "spool": "spool".
set -euo pipefail

commit=e86d0d3
repo=$(cd "$(dirname "$0")/.." && pwd)
out="$repo/Tests/Fixtures/spool-v7-$commit.tar.gz"
binary=""
while [ $# -gt 0 ]; do
    case "$1" in
        --binary) binary=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        *) echo "usage: $0 [--binary PATH] [--out FILE]" >&2; exit 2 ;;
    esac
done

work=$(mktemp -d /tmp/v7-fixture.XXXXXX)
cleanup() {
    if [ -d "$work/src" ]; then git -C "$repo" worktree remove --force "$work/src" || true; fi
    rm -rf "$work"
}
[ -n "${KEEP:-}" ] || trap cleanup EXIT

if [ -z "$binary" ]; then
    git -C "$repo" worktree add --detach "$work/src" "$commit" >/dev/null
    (cd "$work/src" && swift build --product pathway-gateway >&2)
    binary="$work/src/.build/debug/pathway-gateway"
fi
"$binary" --version >&2

site="$work/site"
mkdir -p "$site"
cat >"$site/pathway-gateway.json" <<'JSON'
{
  "spool": "spool",
  "gateway": { "herId": "8150001", "name": "Forløpsgateway Helse Vest" },
  "partners": [
    { "id": "helse-bergen", "name": "Helse Bergen HF", "herIds": ["8150010", "8150011"], "schemaPolicy": "strict" },
    { "id": "haraldsplass", "name": "Haraldsplass Diakonale Sykehus", "herIds": ["8150020", "8150021"],
      "schemaPolicy": "lenient" },
    { "id": "bergen-kommune", "name": "Bergen kommune", "herIds": ["8150100", "8150101"] },
    { "id": "oslo-kommune", "name": "Oslo kommune", "herIds": ["8150110", "8150111"] }
  ],
  "contactPoints": [
    { "kommune": "4601", "pathway": "pakkeforlop-hjem", "partner": "bergen-kommune",
      "herId": "8150101", "name": "Bergen kommune, kreftkoordinator" },
    { "kommune": "4601", "pathway": "*", "partner": "bergen-kommune",
      "herId": "8150100", "name": "Bergen kommune, koordinerende enhet" },
    { "kommune": "0301", "pathway": "pakkeforlop-hjem", "partner": "oslo-kommune",
      "herId": "8150111", "name": "Oslo kommune, kreftkoordinator" },
    { "kommune": "0301", "pathway": "*", "partner": "oslo-kommune",
      "herId": "8150110", "name": "Oslo kommune, koordinerende enhet" }
  ]
}
JSON

her() { echo "<Ident><Id>$1</Id><TypeId V=\"HER\" S=\"2.16.578.1.12.4.1.1.9051\" DN=\"HER-id\"/></Ident>"; }

# sp1 MSGID ORG ORG_HER UNIT UNIT_HER KOMMUNE FNR
sp1() {
    cat <<XML
<?xml version="1.0" encoding="UTF-8"?>
<MsgHead xmlns="http://www.kith.no/xmlstds/msghead/2006-05-24">
  <MsgInfo>
    <Type V="DIALOG_HELSEFAGLIG" DN="Helsefaglig dialog"/>
    <MIGversion>v1.2 2006-05-24</MIGversion>
    <GenDate>2026-11-23T10:15:00</GenDate>
    <MsgId>$1</MsgId>
    <Ack V="J" DN="Ja"/>
    <Sender><Organisation><OrganisationName>$2</OrganisationName>$(her "$3")<Organisation><OrganisationName>$4</OrganisationName>$(her "$5")</Organisation></Organisation></Sender>
    <Receiver><Organisation><OrganisationName>Forløpsgateway Helse Vest</OrganisationName>$(her 8150001)</Organisation></Receiver>
    <Patient>
      <FamilyName>Testesen</FamilyName>
      <GivenName>Synt</GivenName>
      <Ident><Id>$7</Id><TypeId V="FNR" S="2.16.578.1.12.4.1.1.8116" DN="Fødselsnummer"/></Ident>
      <Address><Type V="H" DN="Bostedsadresse"/><County V="$6" DN="Kommune"/></Address>
    </Patient>
  </MsgInfo>
  <Document>
    <RefDoc>
      <MsgType V="XML" DN="XML-instans"/>
      <Content>
        <Dialogmelding xmlns="http://www.kith.no/xmlstds/dialog/2013-01-23">
          <SakstypeKodet V="PFH-SP1" S="2.25.269393356597861454415382194176408491624" DN="PFH-SP1"/>
          <Notat>
            <TemaKodet V="6" S="2.16.578.1.12.4.1.1.7322" DN="Henvendelse om pasient"/>
            <Tema>Pakkeforløp hjem</Tema>
            <TekstNotatInnhold>Behovskartlegging gjennomført.</TekstNotatInnhold>
            <DatoNotat>2026-11-20</DatoNotat>
          </Notat>
        </Dialogmelding>
      </Content>
    </RefDoc>
  </Document>
</MsgHead>
XML
}

# apprec COPY_FILE ID FROM_NAME FROM_HER STATUS [ERROR_CODE ERROR_TEXT]: the receiver's AppRec for
# a routed copy, as a municipal system writes it (Receiver = the copy's Sender: the gateway).
apprec() {
    local copy=$1 msgid gendate type
    msgid=$(grep -o '<MsgId>[^<]*</MsgId>' "$copy" | head -1 | sed 's/<[^>]*>//g')
    gendate=$(grep -o '<GenDate>[^<]*</GenDate>' "$copy" | head -1 | sed 's/<[^>]*>//g')
    type=$(grep -o '<Type V="[^"]*"' "$copy" | head -1 | sed 's/.*V="//; s/"//')
    local dn="OK" error=""
    if [ "$5" = 2 ]; then
        dn="Avvist"
        error="
  <Error V=\"$6\" S=\"2.16.578.1.12.4.1.1.8221\" DN=\"$7\"/>"
    fi
    cat <<XML
<?xml version="1.0" encoding="UTF-8"?>
<AppRec xmlns="http://www.kith.no/xmlstds/apprec/2004-11-21">
  <MsgType V="APPREC" DN="Applikasjonskvittering"/>
  <MIGversion>v1.0 2004-11-21</MIGversion>
  <GenDate>2026-11-23T12:00:00</GenDate>
  <Id>$2</Id>
  <Sender><HCP><Inst><Name>$3</Name><Id>$4</Id><TypeId V="HER" DN="HER-id"/></Inst></HCP></Sender>
  <Receiver><HCP><Inst><Name>Forløpsgateway Helse Vest</Name><Id>8150001</Id><TypeId V="HER" DN="HER-id"/></Inst></HCP></Receiver>
  <Status V="$5" DN="$dn"/>$error
  <OriginalMsgId><MsgType V="$type" DN="Helsefaglig dialog"/><IssueDate>$gendate</IssueDate><Id>$msgid</Id></OriginalMsgId>
</AppRec>
XML
}

# drop PARTNER NAME: stdin into inbound/PARTNER/NAME, written under a temporary name and renamed.
drop() {
    mkdir -p "$site/spool/inbound/$1"
    cat >"$site/spool/inbound/$1/.$2.tmp"
    mv "$site/spool/inbound/$1/.$2.tmp" "$site/spool/inbound/$1/$2"
}
run_once() { (cd "$site" && PATHWAY_GATEWAY_CONFIG="" "$binary" run --once >>"$work/run.log" 2>&1) || {
    cat "$work/run.log" >&2; exit 1; }; }

fnr=03851598730
sp1 hb-sp1-1 "Helse Bergen HF" 8150010 Kreftavdelingen 8150011 4601 $fnr | drop helse-bergen hb-sp1-1.xml
sp1 hb-sp1-2 "Helse Bergen HF" 8150010 Kreftavdelingen 8150011 0301 $fnr | drop helse-bergen hb-sp1-2.xml
sp1 hb-sp1-3 "Helse Bergen HF" 8150010 Kreftavdelingen 8150011 4601 $fnr | drop helse-bergen hb-sp1-3.xml
sp1 hb-bad-fnr "Helse Bergen HF" 8150010 Kreftavdelingen 8150011 4601 03851598731 | drop helse-bergen hb-bad-fnr.xml
sp1 hp-sp1-1 "Haraldsplass Diakonale Sykehus" 8150020 "Medisinsk avdeling" 8150021 4601 $fnr | drop haraldsplass hp-sp1-1.xml
sp1 hp-sp1-2 "Haraldsplass Diakonale Sykehus" 8150020 "Medisinsk avdeling" 8150021 0301 $fnr | drop haraldsplass hp-sp1-2.xml
run_once

# The old copies carry the gateway's MsgId and Sender, not the hospital's: the audit log's `routed`
# record names the original's MsgId (refMsgId) and the copy's file.
copy_path() {
    python3 - "$site/spool/audit/audit.jsonl" "$1" <<'PY'
import json, sys
records = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
for r in records:
    if r.get("event") == "routed" and r.get("refMsgId") == sys.argv[2]:
        print(r["file"]); break
else:
    sys.exit("no routed record for " + sys.argv[2])
PY
}
answered=$site/spool/$(copy_path hb-sp1-3)
rejected=$site/spool/$(copy_path hp-sp1-2)
apprec "$answered" bk-apprec-1 "Bergen kommune" 8150101 1 | drop bergen-kommune bk-apprec-1.xml
apprec "$rejected" ok-apprec-1 "Oslo kommune" 8150111 2 E35 "Pasienten er ikke bosatt i kommunen" \
    | drop oslo-kommune ok-apprec-1.xml
rm "$answered" "$rejected"   # the municipalities took the copies they answered
run_once

"$binary" --version >"$site/MADE-BY"
echo "commit $(git -C "$repo" rev-parse "$commit")" >>"$site/MADE-BY"
rm -f "$site/spool/gateway.lock" "$site/spool/state/gateway.lock"
mkdir -p "$(dirname "$out")"
tar -C "$site" --sort=name --owner=0 --group=0 --numeric-owner -czf "$out" .
echo "wrote $out ($(stat -c %s "$out") bytes)" >&2
tar -tzvf "$out" >&2
