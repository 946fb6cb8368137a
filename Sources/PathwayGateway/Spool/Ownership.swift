#if canImport(Glibc)
    import Glibc
#endif

/// Brings one path to an exact mode and group, through a descriptor opened without following
/// symbolic links, so a name swapped by a partner (who may write its own inbox and outbox) is never
/// followed to somewhere else. Exact regardless of the process umask (the systemd unit's is 0077):
/// `fchmod` is not filtered by it. Nothing is changed when the path is already right, so a start
/// on a laid-out spool costs one `fstat` per directory.
enum Ownership {
    /// `path`, a directory, gets `mode` and (unless nil) `group`. Only its owner (or root) may
    /// change it: another owner with the wrong mode is `notOwned`. `followingLink`: for the spool
    /// root, which the operator may make a symbolic link; everything below is never followed.
    static func directory(_ path: String, mode: mode_t, group: gid_t?, followingLink: Bool = false) throws(SpoolAccess
        .Failure)
    {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (followingLink ? 0 : O_NOFOLLOW))
        guard fd >= 0 else { throw .system(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .system(operation: "stat", path: path, errno: errno) }
        guard !isRight(info, mode: mode, group: group) else { return }
        let uid = geteuid()
        guard uid == 0 || info.st_uid == uid else { throw .notOwned(path: path, owner: info.st_uid, gateway: uid) }
        try apply(fd, info, mode: mode, group: group, path: path)
    }

    /// A regular file the caller opened (a staged output): `mode` and `group`.
    static func file(_ fd: Int32, path: String, mode: mode_t, group: gid_t?) throws(SpoolAccess.Failure) {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .system(operation: "stat", path: path, errno: errno) }
        guard !isRight(info, mode: mode, group: group) else { return }
        try apply(fd, info, mode: mode, group: group, path: path)
    }

    /// `path` (a staged output, in a directory only the gateway writes) opened and given `mode`
    /// and `group`; a path that is gone is left alone (published meanwhile).
    static func file(at path: String, mode: mode_t, group: gid_t?) throws(SpoolAccess.Failure) {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return }
            throw .system(operation: "open", path: path, errno: errno)
        }
        defer { close(fd) }
        try file(fd, path: path, mode: mode, group: group)
    }

    /// Every regular file the gateway wrote in `directory` (a partner's outbox, which the partner
    /// may also write): `mode` and `group`. What is not the gateway's — the partner's own files,
    /// links, anything with a second name — is skipped, so a partner cannot steer the change
    /// onto another file. Returns how many files were changed.
    @discardableResult
    static func files(in directory: String, mode: mode_t, group: gid_t) throws(SpoolAccess.Failure) -> Int {
        guard let stream = opendir(directory) else {
            throw .system(operation: "opendir", path: directory, errno: errno)
        }
        defer { closedir(stream) }
        let dirFD = dirfd(stream)
        let uid = geteuid()
        var changed = 0
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            guard name != [UInt8(ascii: ".")], name != [UInt8(ascii: "."), UInt8(ascii: ".")] else { continue }
            let cName = name.map(CChar.init(bitPattern:)) + [0]
            var info = stat()
            guard fstatat(dirFD, cName, &info, AT_SYMLINK_NOFOLLOW) == 0, isGatewayFile(info, uid: uid),
                !isRight(info, mode: mode, group: group)
            else { continue }
            let fd = openat(dirFD, cName, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
            guard fd >= 0 else { continue }  // gone or swapped meanwhile
            defer { close(fd) }
            var opened = stat()
            guard fstat(fd, &opened) == 0, opened.st_ino == info.st_ino, isGatewayFile(opened, uid: uid) else {
                continue
            }
            try apply(
                fd, opened, mode: mode, group: group, path: "\(directory)/\(String(decoding: name, as: UTF8.self))")
            changed += 1
        }
        return changed
    }

    private static func isGatewayFile(_ info: stat, uid: uid_t) -> Bool {
        info.st_mode & S_IFMT == S_IFREG && info.st_uid == uid && info.st_nlink == 1
    }

    private static func isRight(_ info: stat, mode: mode_t, group: gid_t?) -> Bool {
        info.st_mode & 0o7777 == mode && (group == nil || info.st_gid == group)
    }

    /// Group first: a `chown` may clear set-id bits, which the `fchmod` then sets as wanted.
    private static func apply(_ fd: Int32, _ info: stat, mode: mode_t, group: gid_t?, path: String) throws(SpoolAccess
        .Failure)
    {
        if let group, info.st_gid != group, fchown(fd, uid_t.max, group) != 0 {
            throw .system(operation: "chgrp", path: path, errno: errno)
        }
        guard fchmod(fd, mode) == 0 else { throw .system(operation: "chmod", path: path, errno: errno) }
    }
}
