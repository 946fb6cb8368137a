/// Namespaces of the KITH standards the gateway reads and writes.
public enum KITHNamespace {
    public static let msgHead = "http://www.kith.no/xmlstds/msghead/2006-05-24"
    public static let dialog10 = "http://www.kith.no/xmlstds/dialog/2006-10-11"
    public static let dialog11 = "http://www.kith.no/xmlstds/dialog/2013-01-23"
    public static let appRec10 = "http://www.kith.no/xmlstds/apprec/2004-11-21"
    public static let appRec11 = "http://www.kith.no/xmlstds/apprec/2012-02-15"
    public static let base64Container = "http://www.kith.no/xmlstds/base64container"
    public static let felleskomponent1 = "http://www.kith.no/xmlstds/felleskomponent1"
    public static let xmldsig = "http://www.w3.org/2000/09/xmldsig#"
}

/// Object identifiers of the code lists (kodeverk) the gateway relies on.
public enum KITHCodeSystem {
    /// 9051 Identifikatortyper for organisasjoner (HER, ENH, ...).
    public static let organisationIdType = "2.16.578.1.12.4.1.1.9051"
    /// 8116 Identifikatortyper for personer (FNR, DNR, HNR, HPR, ...).
    public static let personIdType = "2.16.578.1.12.4.1.1.8116"
    /// 8221 AppRec error codes.
    public static let appRecError = "2.16.578.1.12.4.1.1.8221"
    /// 8258 AppRec status.
    public static let appRecStatus = "2.16.578.1.12.4.1.1.8258"
    /// 8279 Message function (MsgInfo/Type, AppRec/MsgType).
    public static let messageFunction = "2.16.578.1.12.4.1.1.8279"
    /// 3402 Kommunenummer.
    public static let kommune = "2.16.578.1.12.4.1.1.3402"
    /// The gateway's own code system for pathway events (a UUID-based OID, no registration needed).
    public static let pathwayEvents = "2.25.269393356597861454415382194176408491624"
}
