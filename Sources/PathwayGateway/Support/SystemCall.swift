#if canImport(Glibc)
    import Glibc
#endif

/// The one retry of a system call a signal interrupted.
///
/// Why: a call that blocks (read, write, rename on a slow filesystem) fails with EINTR when a
/// signal arrives meanwhile, and the daemon takes SIGTERM, SIGINT and SIGHUP. Such a failure means
/// "not done yet", never "failed"; every caller repeats the call, and they do it here rather than
/// each with a loop of its own.
enum SystemCall {
    /// Calls `body` until it returns a non-negative value or fails with something other than EINTR.
    /// The result is returned as it is: when negative, `errno` still holds the failure's code.
    @inline(__always)
    static func retryingInterrupts<Result: BinaryInteger>(_ body: () -> Result) -> Result {
        while true {
            let result = body()
            if result >= 0 || errno != EINTR { return result }
        }
    }
}
