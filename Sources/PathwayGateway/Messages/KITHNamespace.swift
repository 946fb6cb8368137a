/// Namespaces of the KITH standards the gateway reads and writes.
enum KITHNamespace {
    static let msgHead = "http://www.kith.no/xmlstds/msghead/2006-05-24"
    static let dialog10 = "http://www.kith.no/xmlstds/dialog/2006-10-11"
    static let dialog11 = "http://www.kith.no/xmlstds/dialog/2013-01-23"
    static let appRec10 = "http://www.kith.no/xmlstds/apprec/2004-11-21"
    static let appRec11 = "http://www.kith.no/xmlstds/apprec/2012-02-15"
    static let base64Container = "http://www.kith.no/xmlstds/base64container"
    static let felleskomponent1 = "http://www.kith.no/xmlstds/felleskomponent1"
    static let xmldsig = "http://www.w3.org/2000/09/xmldsig#"
}

/// Object identifiers of the code lists (kodeverk) the gateway relies on.
enum KITHCodeSystem {
    /// 9051 Identifikatortyper for organisasjoner (HER, ENH, ...).
    static let organisationIdType = "2.16.578.1.12.4.1.1.9051"
    /// 8116 Identifikatortyper for personer (FNR, DNR, HNR, HPR, ...).
    static let personIdType = "2.16.578.1.12.4.1.1.8116"
    /// 8221 AppRec error codes.
    static let appRecError = "2.16.578.1.12.4.1.1.8221"
    /// 8258 AppRec status.
    static let appRecStatus = "2.16.578.1.12.4.1.1.8258"
    /// 8279 Message function (MsgInfo/Type, AppRec/MsgType).
    static let messageFunction = "2.16.578.1.12.4.1.1.8279"
    /// 3402 Kommunenummer.
    static let kommune = "2.16.578.1.12.4.1.1.3402"
    /// The gateway's own code system for pathway events (a UUID-based OID, no registration needed).
    static let pathwayEvents = "2.25.269393356597861454415382194176408491624"
}
