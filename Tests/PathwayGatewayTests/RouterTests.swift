import Testing
@testable import PathwayGateway

@Suite struct RouterTests {
    let router = Router(config: DefaultConfig.load(currentDirectory: "/tmp"))
    static let gateway = SampleMessageFactory.Party(name: "Forløpsgateway Helse Vest", herId: "8150001")

    private func head(_ edit: (inout SampleMessageFactory.Message) -> Void) throws -> MsgHead {
        let bytes = MessageValidatorTests.message { $0.receiver = Self.gateway; edit(&$0) }
        guard case let .business(head) = try TestSchemas.validator.validate(bytes).get().content else {
            throw Rejection(.other, "not a business message")
        }
        return head
    }

    private func decide(_ head: MsgHead) throws(Rejection) -> Router.Decision {
        try router.decide(head, event: PathwayRules.bundled.event(for: head.dialogmelding), senderPartner: "helse-bergen")
    }

    @Test func sp1GoesToTheKommunesPathwayContactPoint() throws {
        let decision = try decide(try head { $0.pathwayEvent = "PFH-SP1"; $0.patient?.kommune = "4601" })
        guard case let .route(target) = decision else { Issue.record("not routed: \(decision)"); return }
        #expect(target.partnerId == "bergen-kommune")
        #expect(target.herId == "8150101")
        #expect(target.parent?.herId == "8150100")
        #expect(target.reason == "contact point for kommune 4601, pathway pakkeforlop-hjem")
    }

    @Test func otherPathwaysUseTheWildcardContactPoint() throws {
        let decision = try decide(try head { $0.pathwayEvent = "NPF-KOMMUNE"; $0.patient?.kommune = "0301" })
        #expect(decision == .route(RouteTarget(partnerId: "oslo-kommune", herId: "8150110", name: "Oslo kommune, koordinerende enhet",
                                               parent: nil,
                                               reason: "contact point for kommune 0301, pathway psykisk-helse-rus")))
    }

    @Test func retiredKommuneIsAliased() throws {
        guard case let .route(target) = try decide(try head { $0.pathwayEvent = "PFH-SP1"; $0.patient?.kommune = "1507" }) else {
            Issue.record("not routed"); return
        }
        #expect(target.partnerId == "alesund-kommune")
        #expect(target.reason.contains("kommune 1508"))
    }

    @Test func unknownKommuneIsE21WithTheReason() throws {
        let message = try head { $0.pathwayEvent = "PFH-SP1"; $0.patient?.kommune = "3201" }
        #expect(throws: Rejection.self) { try decide(message) }
        do { _ = try decide(message) } catch {
            #expect(error.code == .receiverNotFound)
            #expect(error.reason == "no contact point for kommune 3201, pathway pakkeforlop-hjem")
        }
    }

    @Test func recordedEventsAreNotRouted() throws {
        #expect(try decide(try head { $0.pathwayEvent = "PFH-SP2" }) == .recordOnly)
    }

    @Test func plainDialogFollowsAKnownReceiverOrIsRejected() throws {
        let bergen = SampleMessageFactory.Party(name: "Bergen kommune", herId: "8150100", unitName: "Kreftkoordinator", unitHerId: "8150101")
        guard case let .route(target) = try decide(try head { $0.pathwayEvent = nil; $0.receiver = bergen }) else {
            Issue.record("not routed"); return
        }
        #expect(target.herId == "8150101")
        #expect(target.reason == "Receiver 8150101")
        do {
            _ = try decide(try head { $0.pathwayEvent = nil })
            Issue.record("expected E21")
        } catch let error as Rejection {
            #expect(error.code == .receiverNotFound)
        }
    }

    @Test func pathwayEventWithoutPatientIdIsE30() throws {
        let message = try head { $0.pathwayEvent = "PFH-SP1"; $0.patient = nil }
        do { _ = try decide(message); Issue.record("expected E30") } catch { #expect(error.code == .patientIdMissing) }
    }
}
