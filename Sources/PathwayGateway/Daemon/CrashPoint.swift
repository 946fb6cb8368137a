import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Test-only crash injection: with `PATHWAY_GATEWAY_CRASH_AT=<step>` the process ends at once
/// (`_exit`, no cleanup) right after that step, as a SIGKILL would.
enum CrashPoint {
    static let target = ProcessInfo.processInfo.environment["PATHWAY_GATEWAY_CRASH_AT"]

    static func hit(_ step: String) {
        if let target, target == step { _exit(137) }
    }
}
