import Foundation
import Testing
@testable import PathwayGateway

/// Pathway definitions as data: the bundled JSON, config overrides (a new pathway is a config
/// change the pipeline picks up), every mistake reported, and the dates read from messages.
@Suite struct PathwayCatalogTests {
    /// The default config with `pathways` set to `json` (a JSON array text).
    static func config(pathways json: String) throws -> GatewayConfig {
        var object = try JSONSerialization.jsonObject(with: Data(DefaultConfig.json.utf8)) as! [String: Any]
        object["pathways"] = try JSONSerialization.jsonObject(with: Data(json.utf8))
        return try GatewayConfig.parse(try JSONSerialization.data(withJSONObject: object), file: "t.json", baseDirectory: "/tmp")
    }

    static func problems(pathways json: String) -> [ConfigProblem] {
        do {
            _ = try config(pathways: json)
            return []
        } catch let error as ConfigError {
            guard case let .invalid(_, problems) = error else { return [] }
            return problems
        } catch {
            return [ConfigProblem(path: "?", message: "\(error)")]
        }
    }

    @Test func bundledDefinitionsParseWithoutProblems() throws {
        var reader = ConfigReader()
        let root = try JSONSerialization.jsonObject(with: Data(PathwayCatalog.bundledJSON.utf8))
        let catalog = PathwayCatalogParser.parse(root, at: "$.pathways", over: PathwayCatalog(definitions: []), reader: &reader)
        #expect(reader.problems.isEmpty, "\(reader.problems)")
        #expect(catalog == PathwayCatalog.bundled)
        let pfh = try #require(catalog.definition(id: "pakkeforlop-hjem"))
        #expect(pfh.events.map(\.code) == ["PFH-SP1", "PFH-SP2", "PFH-SP3", "PFH-AVSLUTTET"])
        #expect(pfh.event(code: "PFH-SP2")?.due == DueWindow(from: PathwayPeriod(months: 3), to: PathwayPeriod(months: 4),
                                                             lapsesWhenOpens: "PFH-SP3"))
        let closing = try #require(pfh.event(code: "PFH-AVSLUTTET"))
        #expect(closing.closes && !closing.routesToKommune && closing.due == nil)
        #expect(Set(closing.reasons.keys) == ["DOD", "ONSKER-IKKE", "FLYTTET", "ANNET"])
        #expect(pfh.event(code: "PFH-SP3")?.due == DueWindow(from: PathwayPeriod(months: 12), to: PathwayPeriod(months: 18)))
        #expect(pfh.closeAfter == PathwayPeriod(months: 24))
        let npf = try #require(catalog.definition(id: "psykisk-helse-rus"))
        #expect(Set(npf.types.keys) == ["D01", "D11", "D12"])
        #expect(npf.event(code: "NPF-KOMMUNE")?.matches.map(\.value) == ["D01CK", "D11CK", "D12CK"])
        // The rules of spec §5 as before: SP1 and NPF-KOMMUNE route, SP2 and SP3 are recorded.
        #expect(PathwayRules.bundled.events.filter(\.routesToKommune).map(\.code) == ["PFH-SP1", "NPF-KOMMUNE"])
    }

    /// A new pathway with its own code (and a partner's local code for it) in the config: the
    /// pipeline maps, routes and times it without a code change.
    @Test func aConfiguredPathwayIsRecognisedRoutedAndTimed() throws {
        let config = try Self.config(pathways: """
            [ { "id": "hjerneslag", "name": "Pasientforløp hjerneslag",
                "events": [
                  { "code": "HS-UTSKREVET", "meaning": "discharged; municipal follow-up", "routesToKommune": true, "starts": true,
                    "matches": [ { "value": "UT-KOMMUNE", "system": "2.16.578.1.12.4.1.1.9999" } ] },
                  { "code": "HS-3MND", "meaning": "follow-up at 3 months", "due": { "from": "P10W", "to": "P14W" } } ] } ]
            """)
        #expect(config.pathways.definitions.map(\.id) == ["pakkeforlop-hjem", "psykisk-helse-rus", "hjerneslag"])
        let processor = MessageProcessor(config: config, validator: TestSchemas.validator)
        let directory = try DatabaseTestDirectory()
        let store = try MessageStore(path: directory.path("s.sqlite"))
        let local = String(decoding: MessageProcessorTests.sp1 { $0.pathwayEvent = "UT-KOMMUNE" }, as: UTF8.self)
            .replacingOccurrences(of: "S=\"\(KITHCodeSystem.pathwayEvents)\"", with: "S=\"2.16.578.1.12.4.1.1.9999\"")
        let input = MessageProcessor.Input(partner: config.partner(forInbox: "helse-bergen")!, fileName: "m.xml", messageId: "x",
                                           bytes: Array(local.utf8), sha256: "", now: Date(), newId: { UUID().uuidString })
        let plan = try processor.plan(input, lookups: .init(firstMessage: store.findFirst, routedMessage: store.matchAppRec))
        #expect(plan.decision.outcome == .accepted)
        #expect(plan.facts.pathwayEvent == "HS-UTSKREVET")
        #expect(plan.decision.routed.first?.targetHerId == "8150100", "Bergen's * contact point serves the new pathway")
        let definition = try #require(config.pathways.definition(id: "hjerneslag"))
        let start = PatientTimelineTests.event("HS-UTSKREVET", "2026-03-02")
        let episode = try #require(PatientTimeline.episodes([start], definition: definition).first)
        let due = try #require(definition.event(code: "HS-3MND"))
        #expect(episode.state(of: due, on: CalendarDate(iso: "2026-05-11")!) == .open)     // 10 weeks
        #expect(episode.state(of: due, on: CalendarDate(iso: "2026-06-09")!) == .overdue)  // 14 weeks + 1 day
    }

    @Test func aConfiguredPathwayReplacesTheBundledOneWithTheSameId() throws {
        let config = try Self.config(pathways: """
            [ { "id": "pakkeforlop-hjem", "name": "Pakkeforløp hjem (lokal variant)", "closeAfter": "P24M",
                "events": [ { "code": "PFH-SP1", "meaning": "SP1", "routesToKommune": true, "starts": true },
                            { "code": "PFH-SP2", "meaning": "SP2", "due": { "from": "P2M", "to": "P4M" } } ] } ]
            """)
        #expect(config.pathways.definitions.count == 2)
        #expect(config.pathways.definition(id: "pakkeforlop-hjem")?.event(code: "PFH-SP2")?.due?.from == PathwayPeriod(months: 2))
        #expect(config.pathways.event(code: "PFH-SP3") == nil)
        #expect(PathwayRules(config.pathways).event(code: "NPF-KOMMUNE") != nil, "other bundled pathways stay")
    }

    @Test func everyMistakeInPathwaysIsReportedWithItsPath() {
        let problems = Self.problems(pathways: """
            [ { "id": "*", "name": "x", "events": [] },
              { "id": "ok-1", "name": "y", "extra": 1, "closeAfter": "24 months",
                "events": [ { "code": "PFH-SP1", "meaning": "clash" },
                            { "code": "A B", "meaning": "spaces", "starts": "yes" },
                            { "code": "E3", "meaning": "w", "due": { "from": "P4M", "to": "P3M" },
                              "matches": [ { "value": "D11CK" }, { "value": "Z", "type": "D99" } ] } ] } ]
            """)
        let text = problems.map { "\($0.path): \($0.message)" }.joined(separator: "\n")
        for expected in ["$.pathways[0].id: pathway id must look like", "$.pathways[0].events: a pathway needs at least one event",
                         "$.pathways[1].extra: unknown key", "$.pathways[1].closeAfter: expected an ISO 8601 period",
                         "$.pathways[1].events[1].code: event code must be non-empty without spaces",
                         "$.pathways[1].events[1].starts: expected true or false",
                         "$.pathways[1].events[2].due: window ends (P3M) before it opens (P4M)",
                         "event code PFH-SP1 is already defined by pathway pakkeforlop-hjem",
                         "code D11CK (system \(KITHCodeSystem.pathwayEvents)) already means NPF-KOMMUNE, not also E3",
                         "match Z names type D99, which pathway ok-1 does not list in types",
                         "pathway ok-1 has due windows or closeAfter but no event with \"starts\": true"] {
            #expect(text.contains(expected), "missing: \(expected)\nin:\n\(text)")
        }
    }

    // MARK: Dates read from messages

    private func detail(_ bytes: [UInt8], receivedAt: Date = Date(timeIntervalSince1970: 1_795_000_000)) throws -> PathwayDetail? {
        guard case let .business(head) = try TestSchemas.validator.validate(bytes).get().content else { return nil }
        return PathwayRules.bundled.detail(for: head, receivedAt: receivedAt)
    }

    @Test func eventDateComesFromDatoNotatThenGenDateThenReceipt() throws {
        let withNote = try #require(try detail(MessageValidatorTests.message { $0.noteDate = "2026-11-20" }))
        #expect(withNote.eventDate == CalendarDate(iso: "2026-11-20") && withNote.eventDateSource == .datoNotat)
        let withGenDate = try #require(try detail(MessageValidatorTests.message { $0.genDate = "2026-10-05T23:30:00" }))
        #expect(withGenDate.eventDate == CalendarDate(iso: "2026-10-05") && withGenDate.eventDateSource == .genDate)
        let utc = try #require(try detail(MessageValidatorTests.message { $0.genDate = "2026-10-05T23:30:00Z" }))
        #expect(utc.eventDate == CalendarDate(iso: "2026-10-06"), "23:30 UTC is the next day in Oslo")
        #expect(withNote.diagnosisDate == nil)
        #expect(try detail(MessageValidatorTests.message { $0.pathwayEvent = nil }) == nil)
    }

    @Test(arguments: ["Diagnosedato: 2026-09-14", "diagnosedato 14.09.2026.", "Kartlagt 20.11.\nDiagnosedato=14.9.2026"])
    func diagnosisDateFromALabelInTheText(text: String) throws {
        let d = try #require(try detail(MessageValidatorTests.message { $0.text = text; $0.noteDate = "2026-11-20" }))
        #expect(d.diagnosisDate == CalendarDate(iso: "2026-09-14"))
    }

    @Test func diagnosisDateFromKodetOpplysning() throws {
        let text = String(decoding: MessageValidatorTests.message(), as: UTF8.self).replacingOccurrences(of: "</Notat>", with: """
            <Foresporsel><TypeForesp V="1" S="2.16.578.1.12.4.1.1.7319" DN="Forespørsel"/>\
            <KodetOpplysning V="PFH-DIAGNOSEDATO" S="\(KITHCodeSystem.pathwayEvents)" DN="Diagnosedato" OT="2026-08-30"/></Foresporsel></Notat>
            """)
        let d = try #require(try detail(Array(text.utf8)))
        #expect(d.diagnosisDate == CalendarDate(iso: "2026-08-30"))
        #expect(d.event == "PFH-SP1", "the diagnosis-date code is not an event")
    }

    @Test func clinicalDecisionCodeTellsThePathwayType() throws {
        let d = try #require(try detail(MessageValidatorTests.message { $0.pathwayEvent = "D12CK" }))
        #expect(d.event == "NPF-KOMMUNE" && d.pathway == "psykisk-helse-rus" && d.type == "D12")
    }
}
