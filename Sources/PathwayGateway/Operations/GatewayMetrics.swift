import Foundation
import Synchronization

/// The daemon's in-process counters: messages by outcome and partner, a processing-latency
/// histogram, and when the last message finished. Shared by every worker, so all state sits in one
/// `Mutex`; `observe` is a dictionary update and a few adds under it (no allocation once a
/// (partner, outcome) pair has been seen), cheap enough to call per message.
///
/// Counters start at zero with the process, as in any Prometheus exporter: `rate()` and
/// `increase()` treat a restart as a counter reset, and `pathway_gateway_start_time_seconds` makes
/// it visible. Every partner × `seededOutcomes` series is exposed at 0 from the start. Created once per process and kept across SIGHUP reloads.
public final class GatewayMetrics: Sendable {
    /// Upper bounds (seconds) of the latency buckets: 5 ms (a small rejected file) to 30 s (a
    /// 20 MB message on a slow disk); the benchmark's p99 is ~13 ms.
    static let latencyBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

    /// The outcomes every configured partner's `messages_total` series is written with from the first
    /// metrics file on, at 0 until a message reaches them. Without these, a series is born at its
    /// first message, and `increase()` cannot see that first step (it needs two samples): after a
    /// restart the first message per partner and outcome would be invisible to the alerts.
    static let seededOutcomes = ["accepted", "rejected", "duplicate", "apprec-received"]

    struct Snapshot: Sendable, Equatable {
        struct Key: Sendable, Hashable, Comparable {
            var partner: String
            var outcome: String
            static func < (l: Key, r: Key) -> Bool { (l.partner, l.outcome) < (r.partner, r.outcome) }
        }
        var messages: [Key: Int]
        /// Cumulative counts per bucket of `latencyBuckets` (le), then +Inf.
        var latencyBucketCounts: [Int]
        var latencySum: Double
        var latencyCount: Int
        var lastSuccess: Date?
        var startTime: Date
    }

    private let state: Mutex<Snapshot>

    /// `lastSuccess` seeds the last-success gauge (e.g. from the database), so a restart does not
    /// look like a gateway that has never worked.
    public init(startTime: Date = Date(), lastSuccess: Date? = nil) {
        state = Mutex(
            Snapshot(
                messages: [:], latencyBucketCounts: Array(repeating: 0, count: Self.latencyBuckets.count + 1),
                latencySum: 0, latencyCount: 0, lastSuccess: lastSuccess, startTime: startTime))
    }

    /// Records one inbound file carried to its outcome (`accepted`, `rejected`, `duplicate`,
    /// `apprec-received`, …) for `partner` (the inbox it came from), `latencySeconds` after it was
    /// claimed. Thread-safe. Any outcome counts as success for the last-success gauge: the gateway
    /// did its work; whether the partner's message was good is what the outcome label says.
    func observe(outcome: String, partner: String, latencySeconds: Double, at now: Date = Date()) {
        let latency = max(0, latencySeconds.isFinite ? latencySeconds : 0)
        let firstBucket = Self.latencyBuckets.firstIndex { latency <= $0 } ?? Self.latencyBuckets.count
        state.withLock { s in
            s.messages[Snapshot.Key(partner: partner, outcome: outcome), default: 0] += 1
            for index in firstBucket..<s.latencyBucketCounts.count { s.latencyBucketCounts[index] += 1 }
            s.latencySum += latency
            s.latencyCount += 1
            s.lastSuccess = max(s.lastSuccess ?? now, now)
        }
    }

    /// Raises the last-success time to `date` (e.g. the database's last done message at start-up).
    func noteLastSuccess(_ date: Date?) {
        guard let date else { return }
        state.withLock { $0.lastSuccess = max($0.lastSuccess ?? date, date) }
    }

    func snapshot() -> Snapshot { state.withLock { $0 } }
}

extension GatewayMetrics.Snapshot {
    /// Every observed (partner, outcome) pair plus every partner in `partners` with each seeded
    /// outcome, so those series exist at 0 before their first message (`GatewayMetrics.seededOutcomes`).
    public func messageKeys(seeding partners: [String]) -> [Key] {
        var keys = Set(messages.keys)
        for partner in partners {
            for outcome in GatewayMetrics.seededOutcomes { keys.insert(Key(partner: partner, outcome: outcome)) }
        }
        return keys.sorted()
    }
}
