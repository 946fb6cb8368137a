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
}()

enum LibXML2 {
    static func ensureInitialized() { _ = libxml2Initialized }
}
