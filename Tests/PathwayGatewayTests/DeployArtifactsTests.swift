import Foundation
import Testing
@testable import PathwayGateway

/// The shipped Grafana dashboard and alert rules query only metrics (and grouping labels) the real
/// daemon writes: a renamed metric would otherwise leave an empty panel or a rule that never fires.
@Suite struct DeployArtifactsTests {
    /// Metric families and label names in the file `run --once` writes after the sample messages.
    private static func emitted() throws -> (families: Set<String>, labels: Set<String>) {
        let ws = try DaemonEndToEndTests.Workspace()
        for sample in SampleSet.all { try ws.drop(sample.bytes, as: sample.fileName) }
        let run = try ws.run()
        guard run.status == 0 else { throw POSIXError(.EIO) }
        let text = String(decoding: try ws.read("metrics/pathway_gateway.prom"), as: UTF8.self)
        let families = Set(text.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { String($0.split(separator: " ")[2]) })
        var labels: Set<String> = ["le", "instance", "job"]
        for match in text.matches(of: /([a-z_]+)="/) { labels.insert(String(match.1)) }
        return (families, labels)
    }

    /// `pathway_gateway_…` names in a query, histogram suffixes folded into their family.
    private static func metricNames(in text: String) -> Set<String> {
        Set(text.matches(of: /pathway_gateway_[a-z_]+/).map { match in
            var name = String(match.0)
            for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) && name != "pathway_gateway_messages_total" {
                name.removeLast(suffix.count)
            }
            return name
        })
    }

    /// Label names a query groups by (`by (a, b)`).
    private static func groupingLabels(in text: String) -> Set<String> {
        Set(text.matches(of: /by \(([a-z_, ]*)\)/).flatMap { $0.1.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            .filter { !$0.isEmpty })
    }

    @Test func dashboardQueriesWhatTheDaemonEmits() throws {
        let url = TestPaths.packageRoot.appendingPathComponent("deploy/grafana/pathway-gateway.json")
        let dashboard = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let panels = try #require(dashboard["panels"] as? [[String: Any]])
        let queries = panels.flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
        #expect(queries.count >= 9)
        let (families, labels) = try Self.emitted()
        let used = queries.reduce(into: Set<String>()) { $0.formUnion(Self.metricNames(in: $1)) }
        for name in ["pathway_gateway_messages_total", "pathway_gateway_processing_seconds", "pathway_gateway_inbound_files",
                     "pathway_gateway_apprec_pending_messages", "pathway_gateway_overdue_pathways"] {
            #expect(used.contains(name), "the dashboard shows \(name)")
        }
        for name in used { #expect(families.contains(name), "the dashboard queries \(name), which the daemon does not write") }
        for query in queries {
            for label in Self.groupingLabels(in: query) { #expect(labels.contains(label), "\(query) groups by \(label)") }
        }
    }

    @Test func alertRulesUseWhatTheDaemonEmits() throws {
        let rules = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("deploy/prometheus/pathway-gateway.rules.yml"),
                               encoding: .utf8)
        let expressions = rules.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("#") }
            .joined(separator: "\n")
        let (families, labels) = try Self.emitted()
        let used = Self.metricNames(in: expressions)
        #expect(used.count >= 8)
        for name in used { #expect(families.contains(name), "a rule uses \(name), which the daemon does not write") }
        for label in Self.groupingLabels(in: expressions) { #expect(labels.contains(label), "a rule groups by \(label)") }
    }
}
