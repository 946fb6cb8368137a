internal import CLibXML2

/// One-time, process-wide libxml2 set-up.
///
/// `xmlSchemaInitTypes` is not thread-safe before libxml2 2.15, so it runs here, once, before any
/// schema is compiled. The no-network entity loader makes sure that not even a schema import can
/// reach the network.
private let libxml2Initialized: Void = {
    xmlInitParser()
    xmlSchemaInitTypes()
    xmlSetExternalEntityLoader(xmlNoNetExternalEntityLoader)
    xmlThrDefSetStructuredErrorFunc(nil, ignoreStructuredError)
}()

/// Errors libxml2 raises outside any parser or schema context (an encoding conversion that fails,
/// "I/O error : encoder error") go to a per-thread handler that by default prints them on stderr,
/// with four raw bytes of the input in hex. The daemon's stderr is its structured log, and those
/// bytes can be a patient's digits: such errors are dropped here (the parse fails on its own, with
/// its context's diagnostics).
private let ignoreStructuredError: xmlStructuredErrorFunc = { _, _ in }

enum LibXML2 {
    static func ensureInitialized() { _ = libxml2Initialized }

    /// Installs the silent handler for context-free errors on the calling thread (the handler is
    /// per thread; the default set at initialisation only covers threads created after it).
    static func silenceContextFreeErrors() { xmlSetStructuredErrorFunc(nil, ignoreStructuredError) }
}
