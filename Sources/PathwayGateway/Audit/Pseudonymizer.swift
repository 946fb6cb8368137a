internal import CCrypto

#if canImport(Glibc)
    import Glibc
#endif

/// Turns a patient's identity number into a keyed pseudonym (HMAC-SHA256 under a secret key), so
/// the audit log can follow one patient without ever holding the fødselsnummer. The key is created
/// at first start (32 random bytes, file mode 0600) and never written anywhere else.
public struct Pseudonymizer: Sendable {
    private let key: [UInt8]

    init(key: [UInt8]) { self.key = key }

    public enum Failure: Error, Sendable, CustomStringConvertible {
        case keyFile(path: String, errno: Int32)
        case badKey(path: String, length: Int)
        public var description: String {
            switch self {
            case let .keyFile(path, code): "pseudonym key \(path): \(String(cString: strerror(code)))"
            case let .badKey(path, length): "pseudonym key \(path) has \(length) bytes, expected 32"
            }
        }
    }

    /// Loads the key at `path`, creating it when absent. Created like every other durable file
    /// (temp name, fsync, link, fsync the directory), so a crash during the very first start never
    /// leaves an empty or short key behind.
    static func loadOrCreate(keyAt path: String) throws(Failure) -> Pseudonymizer {
        if access(path, F_OK) != 0 {
            var key = [UInt8](repeating: 0, count: 32)
            guard RAND_bytes(&key, 32) == 1 else { throw .keyFile(path: path, errno: EIO) }
            do {
                _ = try DurableFile.write(key, to: path, mode: 0o600)
                return Pseudonymizer(key: key)
            } catch {
                // Another process created it first (existsWithDifferentContent): use theirs below.
                if access(path, F_OK) != 0 { throw .keyFile(path: path, errno: EIO) }
            }
        }
        // A key readable by group or others (copied in by hand) is tightened to owner-only.
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & 0o077 != 0, chmod(path, 0o600) != 0 {
            throw .keyFile(path: path, errno: errno)
        }
        return try load(keyAt: path)
    }

    /// Loads an existing key without ever creating one (`audit find`: a new key would match
    /// nothing) and without changing it.
    public static func load(keyAt path: String) throws(Failure) -> Pseudonymizer {
        var key = [UInt8](repeating: 0, count: 33)
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw .keyFile(path: path, errno: errno) }
        defer { close(fd) }
        let n = read(fd, &key, 33)
        guard n == 32 else { throw .badKey(path: path, length: max(n, 0)) }
        return Pseudonymizer(key: Array(key.prefix(32)))
    }

    /// What the state database keeps to tell this key from another (`StartupCheck`): the HMAC of
    /// a fixed label under the key, in hex. It reveals nothing of the key, and it cannot be used
    /// to make or test pseudonyms (no identity number goes into it).
    public var fingerprint: String {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let label = Array("pathway-gateway pseudonym key fingerprint v1".utf8)
        _ = HMAC(EVP_sha256(), key, Int32(key.count), label, label.count, &out, &length)
        return SHA256.hex(digest: out)
    }

    /// "p-" and the first 16 bytes of HMAC-SHA256(key, identity), in hex.
    public func pseudonym(for identity: String) -> String {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let data = Array(identity.utf8)
        _ = HMAC(EVP_sha256(), key, Int32(key.count), data, data.count, &out, &length)
        return "p-" + SHA256.hex(digest: Array(out.prefix(16)))
    }
}
