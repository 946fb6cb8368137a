/// The Dialogmelding payload (1.0 or 1.1): a message-wide case type and either notes or requests.
public struct Dialogmelding: Sendable, Hashable, Codable {
    public enum Version: String, Sendable, Hashable, Codable {
        // The standard's version numbers, spelt as such.
        // swift-format-ignore: AlwaysUseLowerCamelCase
        case v1_0 = "1.0"
        // swift-format-ignore: AlwaysUseLowerCamelCase
        case v1_1 = "1.1"

        init?(namespace: String?) {
            switch namespace {
            case KITHNamespace.dialog10: self = .v1_0
            case KITHNamespace.dialog11: self = .v1_1
            default: return nil
            }
        }
    }

    var version: Version
    /// Classifies the whole message; the gateway reads pathway events from it (spec §5).
    var sakstypeKodet: CodedValue?
    var sakstype: String?
    var notater: [Notat]
    var foresporsler: [Foresporsel]

    /// Every coded value a pathway rule may match: SakstypeKodet, then TemaKodet and KodetOpplysning
    /// of every note and request (nested requests included).
    var codedValues: [CodedValue] {
        var values = sakstypeKodet.map { [$0] } ?? []
        for notat in notater {
            values.append(notat.temaKodet)
            if let f = notat.foresporsel { values += f.codedValues }
        }
        for f in foresporsler { values += f.codedValues }
        return values
    }

    init?(_ element: XMLElementView) {
        guard element.name == "Dialogmelding", let version = Version(namespace: element.namespaceURI) else {
            return nil
        }
        self.version = version
        sakstypeKodet = CodedValue(element.child("SakstypeKodet"))
        sakstype = element.childText("Sakstype")
        notater = element.children("Notat").map(Notat.init)
        foresporsler = element.children("Foresporsel").map(Foresporsel.init)
    }
}

/// A note (Notat): theme code, free text and the date it concerns.
struct Notat: Sendable, Hashable, Codable {
    var temaKodet: CodedValue
    var tema: String?
    var tekstNotatInnhold: String?
    var datoNotat: String?
    var foresporsel: Foresporsel?

    init(_ element: XMLElementView) {
        temaKodet = CodedValue(element.child("TemaKodet")) ?? CodedValue()
        tema = element.childText("Tema")
        tekstNotatInnhold = element.childText("TekstNotatInnhold")
        datoNotat = element.childText("DatoNotat")
        foresporsel = element.child("Foresporsel").map(Foresporsel.init)
    }
}

/// A request (Foresporsel); 1.1 adds EmneSporsmal and KodetOpplysning.
struct Foresporsel: Sendable, Hashable, Codable {
    var typeForesp: CodedValue
    var emneSporsmal: String?
    var sporsmal: String?
    var fraDato: String?
    var tilDato: String?
    var kodetOpplysning: CodedValue?

    var codedValues: [CodedValue] { [typeForesp] + (kodetOpplysning.map { [$0] } ?? []) }

    init(_ element: XMLElementView) {
        typeForesp = CodedValue(element.child("TypeForesp")) ?? CodedValue()
        emneSporsmal = element.childText("EmneSporsmal")
        sporsmal = element.childText("Sporsmal")
        fraDato = element.childText("FraDato")
        tilDato = element.childText("TilDato")
        kodetOpplysning = CodedValue(element.child("KodetOpplysning"))
    }
}
