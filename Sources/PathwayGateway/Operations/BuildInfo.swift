/// The gateway's version, from one place: `--version`, the start log line, `status --json`, the
/// `pathway_gateway_build_info` metric and the Debian package (packaging/debian/build.sh asks the
/// binary) all read it here.
///
/// Why a constant in the source and not `git describe` at build time: SwiftPM has no way to pass a
/// string into a build without generating code or a plugin, and the container and package builds
/// start from a source tree that may not be a git checkout. Raise it with each release.
public enum BuildInfo {
    /// Semantic version of this source tree.
    public static let version = "1.0.0"

    /// What `pathway-gateway --version` prints.
    public static var versionLine: String { "pathway-gateway \(version)" }
}
