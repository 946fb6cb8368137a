#if canImport(Glibc)
    import Glibc
#endif

/// The shared layout of spec §8, applied to a new or existing spool at every start and reload.
extension Spool {
    /// Brings the spool to the layout its partners' groups ask for (`access`); call after the
    /// directories exist. Nothing is changed in the single-user layout. In the shared one:
    ///
    /// | path | owner:group | mode |
    /// |---|---|---|
    /// | spool root, `inbound/`, `outbound/` | gateway | 0711: traversable, not listable |
    /// | `inbound/<P>/`, `outbound/<P>/` (P has a group) | gateway:P | 2770 |
    /// | files the gateway wrote in `outbound/<P>/` | gateway:P | 0640 |
    /// | `inbound/<Q>/`, `outbound/<Q>/` (Q has none) | gateway:gateway's group | 0770, 0700 (as single-user) |
    /// | `inbound/pathway-gateway/`, `outbound/pathway-gateway/` (reminders) | gateway | 0700 |
    /// | `state/`, `audit/`, `archive/`, `quarantine/` | gateway | 0700 |
    ///
    /// An existing spool migrates here: modes and groups of the directories the gateway owns are
    /// set (a partner whose group was removed gets the single-user modes back), and the files
    /// already waiting in an outbox get its group, so the partner can read what was written before.
    public func applyLayout(for partners: [Partner]) throws(SpoolAccess.Failure) {
        guard access.isShared else { return }
        try Ownership.directory(root, mode: SpoolAccess.parentMode, group: nil, followingLink: true)
        for dir in ["\(root)/inbound", "\(root)/outbound"] {
            try Ownership.directory(dir, mode: SpoolAccess.parentMode, group: nil)
        }
        for dir in ["state", "audit", "archive", "quarantine"] {
            try Ownership.directory("\(root)/\(dir)", mode: SpoolAccess.privateDirectoryMode, group: nil)
        }
        let gatewayGroup = getegid()
        for partner in partners {
            if partner.isInternal {  // the gateway's own inbox for reminders: nobody else's
                try Ownership.directory(inbound(partner.id), mode: SpoolAccess.privateDirectoryMode, group: nil)
                try Ownership.directory(outbound(partner.id), mode: SpoolAccess.privateDirectoryMode, group: nil)
            } else if let group = access.groups[partner.id] {
                try Ownership.directory(inbound(partner.id), mode: SpoolAccess.partnerDirectoryMode, group: group)
                try Ownership.directory(outbound(partner.id), mode: SpoolAccess.partnerDirectoryMode, group: group)
                try Ownership.files(in: outbound(partner.id), mode: SpoolAccess.partnerFileMode, group: group)
            } else {
                try Ownership.directory(inbound(partner.id), mode: SpoolAccess.singleUserInboxMode, group: gatewayGroup)
                try Ownership.directory(
                    outbound(partner.id), mode: SpoolAccess.singleUserOutboxMode, group: gatewayGroup)
            }
        }
    }

    /// Directories above the spool root that others may not traverse (no `o+x`), in the shared
    /// layout: a partner not in their group reaches nothing in the spool through them (systemd's
    /// `StateDirectoryMode=0750` did that). Logged at start; the gateway does not change them.
    public func untraversableAncestors() -> [String] {
        guard access.isShared else { return [] }
        var found: [String] = []
        var path = root
        while true {
            let parent = DurableFile.parent(of: path)
            guard parent != path else { return found }
            var info = stat()
            if stat(parent, &info) == 0, info.st_mode & 0o001 == 0 { found.append(parent) }
            path = parent
        }
    }

    /// A staged output of an earlier pass (a crash, or a reload that changed groups since it was
    /// staged) gets the mode and group its destination now asks for. Only in the shared layout.
    func restamp(staged: String, for path: String) throws(SpoolAccess.Failure) {
        guard access.isShared else { return }
        let (mode, group) = access.output(at: path)
        try Ownership.file(at: absolute(staged), mode: mode, group: group ?? getegid())
    }
}
