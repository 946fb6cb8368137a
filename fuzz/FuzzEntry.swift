import Foundation

/// libFuzzer entry point (fuzz/fuzz.sh builds it with the library sources and
/// Tests/PathwayGatewayTests/PipelineOracle.swift in one module). A broken property of the oracle
/// is reported and turned into a crash, so libFuzzer saves the input as `crash-<sha1>`.
private let context: PipelineOracle.Context = {
    do {
        return PipelineOracle.Context(schemas: try SchemaLocator.load(explicit: ProcessInfo.processInfo.environment["PATHWAY_GATEWAY_SCHEMAS"]))
    } catch {
        fatalError("fuzz: \(error)")
    }
}()

private let stopOnKnownIssues = ProcessInfo.processInfo.environment["PATHWAY_GATEWAY_FUZZ_STRICT"] == "1"
nonisolated(unsafe) private var knownIssuesSeen: [String: Int] = [:]  // libFuzzer calls from one thread

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    var violations = PipelineOracle.violations(of: bytes, in: context)
    if !stopOnKnownIssues {
        violations.removeAll { violation in
            guard let name = PipelineOracle.knownIssue(violation) else { return false }
            knownIssuesSeen[name, default: 0] += 1
            let count = knownIssuesSeen[name]!
            if count & (count - 1) == 0 {  // 1, 2, 4, 8, ...: visible, not flooding
                FileHandle.standardError.write(Data("known issue \(name) seen \(count) time(s): \(violation.prefix(200))\n".utf8))
            }
            return true
        }
    }
    if !violations.isEmpty {
        FileHandle.standardError.write(Data(("oracle violated:\n" + violations.joined(separator: "\n") + "\n").utf8))
        abort()
    }
    return 0
}
