/// Spool paths that only the operations side uses (kept out of `Spool` itself, which the daemon owns).
extension Spool {
    /// The daemon's `flock` file (see `SpoolLock`).
    public var lockFile: String { "\(root)/state/gateway.lock" }
    /// Where the metrics file goes when the config names no directory.
    var defaultMetricsDirectory: String { "\(root)/metrics" }
    func archive(_ partner: String) -> String { "\(root)/archive/\(partner)" }
    func quarantine(_ partner: String) -> String { "\(root)/quarantine/\(partner)" }
}
