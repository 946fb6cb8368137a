import Foundation
import Testing
@testable import PathwayGateway

/// Loading and checking `pathway-gateway.json`: the embedded default, every reported mistake,
/// routing lookups, path resolution, the lookup order and `check-config` through the real binary.
@Suite struct ConfigTests {
    static let tmp: URL = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pg-config-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }()

    static let samplePath = TestPaths.packageRoot.appendingPathComponent("samples/pathway-gateway.json").path

    /// Writes `text` to a fresh directory under `tmp` and returns the file's path.
    private func write(_ text: String, name: String = "pathway-gateway.json", in sub: String = UUID().uuidString) throws -> String {
        let dir = Self.tmp.appendingPathComponent(sub)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// The problems `text` has (empty when it loads).
    private func problems(_ text: String) -> [ConfigProblem] {
        do {
            _ = try GatewayConfig.parse(Data(text.utf8), file: "t.json", baseDirectory: "/base")
            return []
        } catch {
            guard case let .invalid(_, problems) = error else { return [] }
            return problems
        }
    }

    private func messages(_ problems: [ConfigProblem], at path: String) -> [String] {
        problems.filter { $0.path == path }.map(\.message)
    }

    static let minimal = """
        { "spool": "spool", "gateway": { "herId": "1", "name": "G" }, "partners": [], "contactPoints": [] }
        """

    // MARK: The embedded default and the sample

    /// A config the user may not reach is reported as such, not as a missing file (needs root to
    /// drop to `nobody`; root itself ignores permissions).
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"),
                   "needs root and setpriv to run the binary as another user"))
    func unreachableConfigSaysPermissionDenied() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pg-cfg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: dir) }
        try DefaultConfig.json.write(to: dir.appendingPathComponent("c.json"), atomically: false, encoding: .utf8)
        let result = try GatewayProcess.run(["check-config", "--config", dir.appendingPathComponent("c.json").path],
                                            wrapper: ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("cannot read config: Permission denied"), "\(result.stderr)")
    }

    @Test func defaultLoadsWithoutProblems() throws {
        let config = try GatewayConfig.parse(Data(DefaultConfig.json.utf8), file: "default", baseDirectory: "/srv/pg")
        #expect(config.spool == "/srv/pg/spool")
        #expect(config.gateway == GatewayConfig.Identity(herId: "8150001", name: "Forløpsgateway Helse Vest"))
        #expect(config.partners.count == 9, "8 configured, and the gateway's own for reminders")
        #expect(config.internalPartner == Partner(id: "pathway-gateway", name: "Forløpsgateway Helse Vest", herIds: ["8150001"]))
        #expect(config.contactPoints.filter(\.reminders).map(\.herId) == ["8150101"])
        #expect(config.contactPoints.count == 12)
        #expect(config.kommuner == ["4601", "0301", "5001", "1103", "1508", "5501"])
        #expect(config.kommuneAliases == ["1507": "1508"])
        #expect(config.partners.filter { $0.schemaPolicy == .lenient }.map(\.id) == ["haraldsplass"])
        #expect(DefaultConfig.load(currentDirectory: "/x") == ConfigTests.relocated(config, spool: "/x/spool"))
    }

    @Test func sampleFileEqualsEmbeddedDefault() throws {
        let sample = try ConfigLoader.load(.commandLine(Self.samplePath))
        #expect(sample.spool == TestPaths.packageRoot.appendingPathComponent("samples/spool").path)
        let embedded = DefaultConfig.load(currentDirectory: "/anywhere")
        #expect(Self.relocated(sample, spool: embedded.spool) == embedded)
    }

    @Test(.enabled(if: TestPaths.hasShared, TestPaths.sharedMissing))
    func defaultKommunerAreRealWithTheirNames() throws {
        let csv = try String(contentsOf: TestPaths.shared.appendingPathComponent("kommuner/kommuner_2024.csv"), encoding: .utf8)
        var names: [String: String] = [:]
        for line in csv.split(whereSeparator: \.isNewline).dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            names[fields[0]] = fields[1]
        }
        let config = DefaultConfig.load(currentDirectory: "/")
        #expect(config.kommuner.count >= 6)
        for point in config.contactPoints {
            let name = try #require(names[point.kommune], "kommune \(point.kommune) is not in kommuner_2024.csv")
            #expect(point.name.hasPrefix(name + " kommune"))
            #expect(config.partner(forInbox: point.partner)?.name == name + " kommune")
        }
        for target in config.kommuneAliases.values { #expect(names[target] != nil) }
        for retired in config.kommuneAliases.keys { #expect(names[retired] == nil) }
    }

    static func relocated(_ config: GatewayConfig, spool: String) -> GatewayConfig {
        var copy = config
        copy.spool = spool
        return copy
    }

    // MARK: Lookups

    @Test func aliasesApplyBeforeContactPointLookup() {
        let config = DefaultConfig.load(currentDirectory: "/")
        #expect(config.resolvedKommune("1507") == "1508")
        #expect(config.resolvedKommune("4601") == "4601")
        #expect(config.contactPoint(kommune: "1507", pathway: "pakkeforlop-hjem")?.herId == "8150141")
        #expect(config.contactPoint(kommune: "1507", pathway: "psykisk-helse-rus")?.herId == "8150140")
        #expect(config.contactPoint(kommune: "9999", pathway: "pakkeforlop-hjem") == nil)
    }

    @Test func specificPathwayWinsOverStarWhateverTheOrder() throws {
        let text = """
            { "spool": "s", "gateway": { "herId": "1", "name": "G" },
              "partners": [ { "id": "k", "name": "K", "herIds": ["10", "11"] } ],
              "contactPoints": [
                { "kommune": "4601", "pathway": "*", "partner": "k", "herId": "10", "name": "any" },
                { "kommune": "4601", "pathway": "pakkeforlop-hjem", "partner": "k", "herId": "11", "name": "pfh" } ] }
            """
        let config = try GatewayConfig.parse(Data(text.utf8), file: "t", baseDirectory: "/")
        #expect(config.contactPoint(kommune: "4601", pathway: "pakkeforlop-hjem")?.name == "pfh")
        #expect(config.contactPoint(kommune: "4601", pathway: "psykisk-helse-rus")?.name == "any")
        #expect(config.contactPoint(kommune: "0301", pathway: "pakkeforlop-hjem") == nil)
    }

    @Test func partnerAndHerIdLookups() {
        let config = DefaultConfig.load(currentDirectory: "/")
        #expect(config.partner(forInbox: "helse-bergen")?.herIds == ["8150010", "8150011"])
        #expect(config.partner(forInbox: "nobody") == nil)
        #expect(config.partner(owningHerId: "8150011")?.id == "helse-bergen")
        #expect(config.partner(owningHerId: "8150141")?.id == "alesund-kommune")
        #expect(config.partner(owningHerId: "8150001") == nil)
        #expect(config.isKnownHerId("8150001"))
        #expect(config.isKnownHerId("8150020"))
        #expect(!config.isKnownHerId("8150999"))
        #expect(config.partner(forInbox: "helse-bergen")?.schemaPolicy == .strict)
        #expect(config.partner(forInbox: "haraldsplass")?.schemaPolicy == .lenient)
    }

    // MARK: Optional keys and paths

    @Test func optionalKeysHaveDefaults() throws {
        let config = try GatewayConfig.parse(Data(Self.minimal.utf8), file: "t", baseDirectory: "/b")
        #expect(config.limits == XMLLimits(maxBytes: 20_971_520, maxDepth: 100))
        #expect(config.workers == 2)
        #expect(config.scanIntervalSeconds == 30)
        #expect(config.schemas == nil)
        #expect(config.kommuneAliases.isEmpty)
    }

    @Test func optionalKeysAreRead() throws {
        let text = """
            { "spool": "/var/spool/pg", "gateway": { "herId": "1", "name": "G" }, "partners": [], "contactPoints": [],
              "limits": { "maxBytes": 1000, "maxDepth": 20 }, "schemas": "../Schemas", "workers": 4,
              "scanIntervalSeconds": 0.5 }
            """
        let config = try GatewayConfig.parse(Data(text.utf8), file: "t", baseDirectory: "/etc/pg")
        #expect(config.spool == "/var/spool/pg")
        #expect(config.limits == XMLLimits(maxBytes: 1000, maxDepth: 20))
        #expect(config.schemas == "/etc/Schemas")
        #expect(config.workers == 4)
        #expect(config.scanIntervalSeconds == 0.5)
    }

    @Test func spoolResolvesAgainstTheConfigFilesDirectory() throws {
        let sub = "resolve-\(UUID().uuidString)/etc"
        _ = try write(Self.minimal.replacingOccurrences(of: #""spool": "spool""#, with: #""spool": "../data/spool""#),
                      name: "gw.json", in: sub)
        // Loaded by a path relative to the current directory: spool follows the file, not the cwd.
        let config = try ConfigLoader.load(.commandLine("\(sub)/gw.json"), currentDirectory: Self.tmp.path)
        let expected = Self.tmp.appendingPathComponent(sub).deletingLastPathComponent().appendingPathComponent("data/spool")
        #expect(config.spool == expected.standardizedFileURL.path)
    }

    // MARK: Problems

    static let broken = """
        {
          "spool": "/var/spool/pg",
          "gateway": { "herId": "81500O1", "name": "Gateway" },
          "partners": [
            { "id": "helse-bergen", "name": "Helse Bergen HF", "herIds": ["8150010", 8150011] },
            { "id": "helse-bergen", "name": "Again", "herIds": ["8150012"] },
            { "id": "Bergen/Kommune", "name": "Bergen", "herIds": ["8150100"] },
            { "id": "oslo", "name": "Oslo", "herIds": ["8150010"], "schemaPolicey": "lenient" },
            { "id": "trondheim", "herIds": [], "schemaPolicy": "relaxed" }
          ],
          "contactPoints": [
            { "kommune": "4601", "pathway": "*", "partner": "bergen-kommune", "herId": "8150100", "name": "B" },
            { "kommune": "301", "pathway": "*", "partner": "oslo", "herId": "8150999", "name": "O" },
            { "kommune": "0301", "pathway": "*", "partner": "oslo", "herId": "8150010", "name": "O2" },
            { "kommune": "0301", "pathway": "*", "partner": "oslo", "herId": "8150010", "name": "O3" },
            { "kommune": "1507", "pathway": "pakkeforlop-hjem", "partner": "oslo", "herId": "8150010", "name": "Å" },
            { "kommune": "5001", "partner": "trondheim", "herId": "8150300", "name": "T", "phone": "73" }
          ],
          "kommuneAliases": { "1507": "1508", "1508": "1580", "12": "1201", "1600": "16OO" },
          "workers": "two",
          "limits": { "maxBytes": 0, "maxDepht": 50 },
          "archiveDays": 30
        }
        """

    @Test func everyMistakeIsReportedWithItsPath() {
        let found = problems(Self.broken)
        let expected: [(String, String)] = [
            ("$.gateway.herId", "HER-id must be a string of digits, found \"81500O1\""),
            ("$.partners[0].herIds[1]", "expected a string, found a number (8150011)"),
            ("$.partners[1].id", "duplicate partner id \"helse-bergen\" (first at $.partners[0])"),
            ("$.partners[2].id", "partner id \"Bergen/Kommune\" is not safe as a spool directory name"),
            ("$.partners[3].schemaPolicey", "unknown key \"schemaPolicey\""),
            ("$.partners[3].herIds[0]", "HER-id 8150010 is already claimed by partner \"helse-bergen\" (at $.partners[0].herIds[0])"),
            ("$.partners[4].name", "missing required key \"name\""),
            ("$.partners[4].herIds", "a partner needs at least one HER-id"),
            ("$.partners[4].schemaPolicy", "schemaPolicy must be strict or lenient, found \"relaxed\""),
            ("$.contactPoints[0].partner", "unknown partner \"bergen-kommune\""),
            ("$.contactPoints[1].kommune", "kommune must be 4 digits, found \"301\""),
            ("$.contactPoints[1].herId", "HER-id 8150999 is not one of partner \"oslo\"'s herIds (8150010)"),
            ("$.contactPoints[3]", "duplicate contact point for kommune 0301, pathway * (first at $.contactPoints[2])"),
            ("$.contactPoints[4].kommune", "kommune 1507 is retired (aliased to 1508)"),
            ("$.contactPoints[5].pathway", "missing required key \"pathway\""),
            ("$.contactPoints[5].phone", "unknown key \"phone\""),
            ("$.kommuneAliases.1507", "alias 1507 → 1508 chains on (1508 → 1580)"),
            ("$.kommuneAliases.12", "retired kommune must be 4 digits, found \"12\""),
            ("$.kommuneAliases.1600", "alias target must be 4 digits, found \"16OO\""),
            ("$.workers", "expected a whole number, found a string (\"two\")"),
            ("$.limits.maxBytes", "must be at least 1, found 0"),
            ("$.limits.maxDepht", "unknown key \"maxDepht\""),
            ("$.archiveDays", "unknown key \"archiveDays\""),
        ]
        for (path, message) in expected {
            #expect(messages(found, at: path).contains { $0.hasPrefix(message) }, "\(path): \(message)")
        }
        #expect(found.count == expected.count, "\(found.map(\.description).joined(separator: "\n"))")
    }

    @Test func aliasLoopsAndSelfAliasesAreReported() {
        let text = Self.minimal.replacingOccurrences(of: "\"contactPoints\": []",
            with: #""contactPoints": [], "kommuneAliases": { "1111": "2222", "2222": "1111", "3333": "3333" }"#)
        let found = problems(text)
        #expect(found.map(\.path) == ["$.kommuneAliases.1111", "$.kommuneAliases.2222", "$.kommuneAliases.3333"])
        #expect(found[0].message.contains("loops back"))
        #expect(found[2].message.contains("points at itself"))
    }

    @Test func wrongShapesAreReportedNotCrashed() {
        #expect(problems("[1, 2]").map(\.description) == ["$: expected an object, found an array"])
        let found = problems(#"{ "spool": 3, "gateway": "gw", "partners": {}, "contactPoints": [7], "kommuneAliases": [] }"#)
        #expect(found.map(\.description) == [
            "$.spool: expected a string, found a number (3)",
            "$.gateway: expected an object, found a string (\"gw\")",
            "$.partners: expected an array, found an object",
            "$.contactPoints[0]: expected an object, found a number (7)",
            "$.kommuneAliases: expected an object, found an array",
        ])
        #expect(problems("{}").map(\.path) == ["$.spool", "$.gateway", "$.partners", "$.contactPoints"])
        #expect(messages(problems(Self.minimal.replacingOccurrences(of: "\"1\"", with: "true")), at: "$.gateway.herId")
                == ["expected a string, found a boolean"])
    }

    @Test func invalidJSONNamesTheLine() {
        let found = problems("{\n  \"spool\": \"s\",\n  \"gateway\": oops\n}\n")
        #expect(found.count == 1)
        #expect(found.first?.path == "$")
        #expect(found.first?.line == 3)
        #expect(found.first?.message.hasPrefix("invalid JSON") == true)
    }

    // MARK: check-config through the real binary

    @Test func checkConfigListsEveryProblemAndExitsOne() throws {
        let file = try write(Self.broken, name: "broken.json")
        let result = try GatewayProcess.run(["check-config", "--config", file])
        #expect(result.status == 1)
        #expect(result.lines.first == "config: \(file) (--config)")
        #expect(result.lines.count == 1 + problems(Self.broken).count)
        #expect(result.lines.contains("\(file): $.partners[1].id: duplicate partner id \"helse-bergen\" (first at $.partners[0])"))
        #expect(result.lines.contains("\(file): $.contactPoints[0].partner: unknown partner \"bergen-kommune\""))
        // Listed in document order (shape and cross-reference problems interleaved), not by kind of check.
        let paths = result.lines.dropFirst().map { $0.dropFirst(file.count + 2).prefix { $0 != ":" } }
        #expect(paths.prefix(3) == ["$.gateway.herId", "$.partners[0].herIds[1]", "$.partners[1].id"])
        #expect(paths.last == "$.archiveDays")
        #expect(result.lines.contains("\(file): $.archiveDays: unknown key \"archiveDays\" (known here: spool, gateway, partners, "
                                      + "contactPoints, kommuneAliases, limits, schemas, workers, batchSize, scanIntervalSeconds, pathways, pathwayCodeSystems, "
                                      + "metrics, retention, log)"))
    }

    /// Spec §2: a key given twice is an error, never "the last one wins" (issue 15, defect 9:
    /// `"spool"` twice made the daemon run on the second, `/etc`).
    @Test func aKeyGivenTwiceIsAnErrorAndTheDaemonRefusesToStart() throws {
        let sample = try String(contentsOfFile: Self.samplePath, encoding: .utf8)
        let text = sample.replacingOccurrences(of: "\"spool\": ", with: "\"spool\": \"/etc\",\n  \"spool\": ")
            .replacingOccurrences(of: "\"schemaPolicy\": \"strict\" }", with: "\"schemaPolicy\": \"strict\", \"name\": \"X\" }")
        let file = try write(text, name: "twice.json")
        let check = try GatewayProcess.run(["check-config", "--config", file])
        #expect(check.status == 1)
        let twice = check.lines.filter { $0.contains("key given twice") }
        #expect(twice.count == 2, "\(check.lines)")
        #expect(twice.contains { $0.hasPrefix("\(file):3: $.spool:") })
        #expect(twice.contains { $0.contains("$.partners[0].name:") })
        let run = try GatewayProcess.run(["run", "--once", "--config", file])
        #expect(run.status == 2)
        #expect(run.stderr.contains("key given twice"))
    }

    static let remindersLine = "reminders (spec §9): Bergen kommune, kreftkoordinator (4601, pakkeforlop-hjem); written by the gateway into inbound/pathway-gateway/"

    @Test func checkConfigSourcesAndExitCodes() throws {
        let sample = try GatewayProcess.run(["check-config", "--config", Self.samplePath])
        #expect(sample.status == 0)
        #expect(sample.lines == ["config: \(Self.samplePath) (--config)", "ok: 8 partners, 12 contact points, 6 kommuner", Self.remindersLine])
        let empty = Self.tmp.appendingPathComponent("cwd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let embedded = try GatewayProcess.run(["check-config"], environment: [ConfigLoader.environmentVariable: ""], cwd: empty)
        #expect(embedded.status == 0)
        #expect(embedded.lines.first?.hasPrefix("config: <embedded default>") == true)
        let viaEnv = try GatewayProcess.run(["check-config"], environment: [ConfigLoader.environmentVariable: Self.samplePath], cwd: empty)
        #expect(viaEnv.lines == ["config: \(Self.samplePath) ($PATHWAY_GATEWAY_CONFIG)", "ok: 8 partners, 12 contact points, 6 kommuner", Self.remindersLine])
        let syntax = try write("{\n\"spool\": \n", name: "syntax.json")
        let syntaxResult = try GatewayProcess.run(["check-config", "--config", syntax])
        #expect(syntaxResult.status == 1)
        #expect(syntaxResult.lines.last?.hasPrefix("\(syntax):3: $: invalid JSON") == true)
        let missing = try GatewayProcess.run(["check-config", "--config", empty.appendingPathComponent("nope.json").path])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("nope.json: cannot read config: no such file"))
        #expect(try GatewayProcess.run(["check-config", "--bogus"]).status == 2)
        #expect(try GatewayProcess.run(["check-config", "--help"]).status == 0)
    }

    // MARK: Lookup order (spec §1)

    @Test func lookupOrderFlagThenEnvironmentThenWorkingDirectoryThenDefault() throws {
        let cwd = Self.tmp.appendingPathComponent("order-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: cwd, withIntermediateDirectories: true)
        let env = [ConfigLoader.environmentVariable: "/etc/pg/env.json"]
        #expect(ConfigLoader.locate(explicit: "flag.json", environment: env, currentDirectory: cwd.path) == .commandLine("flag.json"))
        #expect(ConfigLoader.locate(explicit: nil, environment: env, currentDirectory: cwd.path) == .environment("/etc/pg/env.json"))
        #expect(ConfigLoader.locate(explicit: nil, environment: [:], currentDirectory: cwd.path) == .embedded)
        #expect(ConfigLoader.locate(explicit: nil, environment: [ConfigLoader.environmentVariable: ""],
                                    currentDirectory: cwd.path) == .embedded)
        let local = cwd.appendingPathComponent("pathway-gateway.json")
        try Data(Self.minimal.utf8).write(to: local)
        #expect(ConfigLoader.locate(explicit: nil, environment: [:], currentDirectory: cwd.path) == .workingDirectory(local.path))
        #expect(ConfigLoader.locate(explicit: nil, environment: env, currentDirectory: cwd.path) == .environment("/etc/pg/env.json"))
        #expect(try ConfigLoader.load(.workingDirectory(local.path)).spool == cwd.appendingPathComponent("spool").path)
        #expect(try ConfigLoader.load(.embedded, currentDirectory: cwd.path).spool == cwd.appendingPathComponent("spool").path)
    }

    @Test func namedFilesThatCannotBeReadAreErrorsNotFallbacks() {
        let missing = Self.tmp.appendingPathComponent("nope.json").path
        #expect(throws: ConfigError.unreadable(file: missing, reason: "no such file")) {
            try ConfigLoader.load(.environment(missing))
        }
        #expect(throws: ConfigError.unreadable(file: Self.tmp.path, reason: "is a directory")) {
            try ConfigLoader.load(.commandLine(Self.tmp.path))
        }
    }
}
