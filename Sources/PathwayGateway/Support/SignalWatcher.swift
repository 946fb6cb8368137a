import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// The one place signals become requests on a `StopToken`: SIGTERM and SIGINT ask to stop, SIGHUP
/// (when the owner reloads) asks for a reload. The signals are received through dispatch sources,
/// so the handling is ordinary code, not a signal handler with its async-signal-safety limits.
/// Create it before the work starts, so a signal that comes while starting up is not lost; the
/// signals return to their default handling when it goes.
public final class SignalWatcher {
    private let sources: [any DispatchSourceSignal]
    private let signals: [Int32]

    public init(token: StopToken, reloadOnHangUp: Bool = false) {
        signals = [SIGTERM, SIGINT] + (reloadOnHangUp ? [SIGHUP] : [])
        sources = signals.map { signalNumber in
            signal(signalNumber, SIG_IGN)  // the source sees it; the default action must not run
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { token.request(signalNumber == SIGHUP ? .reload : .stop) }
            source.resume()
            return source
        }
    }

    deinit {
        for source in sources { source.cancel() }
        for signalNumber in signals { signal(signalNumber, SIG_DFL) }
    }
}
