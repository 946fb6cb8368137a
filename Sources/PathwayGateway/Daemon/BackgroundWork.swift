import Dispatch
import Synchronization

/// A value computed on another thread, waited for once: how the daemon prepares the next batch
/// while the current one is committed.
final class BackgroundWork<Value: Sendable>: Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let result = Mutex<Result<Value, any Error>?>(nil)

    init(_ work: @escaping @Sendable () throws -> Value) {
        DispatchQueue.global().async { [self] in
            let outcome = Result { try work() }
            result.withLock { $0 = outcome }
            done.signal()
        }
    }

    /// Blocks until the value is ready; throws what the work threw. Call at most once.
    func wait() throws -> Value {
        done.wait()
        return try result.withLock { $0! }.get()
    }
}
