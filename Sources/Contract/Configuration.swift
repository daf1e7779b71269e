import Foundation
import Protocols
import Transport

/// The suite's configuration: the process environment first, then
/// `.env.local` (or the file `ANON_E2E_ENV_FILE` names), then the contract's
/// defaults.
public struct Configuration: Sendable {
    public let values: [String: String]
    /// Where the file values came from, for `verify-setup`.
    public let envFile: String?

    public init(values: [String: String], envFile: String? = nil) {
        self.init(values: values, envFile: envFile, loadError: nil)
    }

    /// The configuration of this process, read once. A file that cannot be
    /// read leaves only the contract's defaults, so every Staging case skips
    /// naming the file and line (`loadError`), and the verdict fails the run.
    public static let current: Configuration = {
        do { return try load() } catch {
            FileHandle.standardError.write(Data("anon-e2e: error: \(error)\n".utf8))
            return Configuration(values: [:], loadError: String(describing: error))
        }
    }()

    /// Why the configuration file could not be read, when it could not.
    public let loadError: String?

    public init(values: [String: String], envFile: String? = nil, loadError: String?) {
        self.values = values
        self.envFile = envFile
        self.loadError = loadError
    }

    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment,
                            directory: String = FileManager.default.currentDirectoryPath) throws -> Configuration {
        let path = environment["ANON_E2E_ENV_FILE"] ?? (directory as NSString).appendingPathComponent(".env.local")
        var merged: [String: String] = [:]
        var source: String?
        if let data = FileManager.default.contents(atPath: path) {
            do {
                merged = try DotEnv.parse(String(decoding: data, as: UTF8.self))
            } catch let error as DotEnv.SyntaxError {
                throw DotEnv.FileError(path: path, error: error)
            }
            source = path
        } else if environment["ANON_E2E_ENV_FILE"] != nil {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        merged.merge(environment) { _, process in process }
        return Configuration(values: merged, envFile: source)
    }

    /// The value, or the contract's default; nil when neither exists. An empty
    /// value counts as unset.
    public subscript(_ key: ConfigurationKey) -> String? {
        if let value = values[key.name], !value.isEmpty { return value }
        return key.defaultValue
    }

    public func int(_ key: ConfigurationKey) -> Int? { self[key].flatMap { Int($0) } }

    public func bool(_ key: ConfigurationKey) -> Bool {
        ["1", "true", "yes", "on"].contains(self[key]?.lowercased() ?? "")
    }

    /// The value, or an error that names the variable.
    public func required(_ key: ConfigurationKey) throws -> String {
        guard let value = self[key] else { throw MissingVariable(name: key.name) }
        return value
    }

    public func has(_ capability: Capability) -> Bool { missing(capability) == nil }

    /// A duration in seconds (fractions allowed); nil when unset or not a number.
    public func seconds(_ key: ConfigurationKey) -> Duration? {
        self[key].flatMap(Double.init).map { .milliseconds(Int64($0 * 1000)) }
    }

    /// The target in one line: its kind, its API host, and the capabilities it enables.
    public var targetDescription: String {
        let host = self[.apiBase].flatMap { URLComponents(string: $0)?.host.map { h in URLComponents(string: self[.apiBase]!)?.port.map { "\(h):\($0)" } ?? h } } ?? "no API_BASE"
        let enabled = Capability.allCases.filter(has).map(\.rawValue)
        return "\(self[.targetKind] ?? "staging") \(host), capabilities: \(enabled.isEmpty ? "none" : enabled.joined(separator: ", "))"
    }

    /// The capabilities the team says its backend has (`ANON_E2E_CAPABILITIES`):
    /// strict mode fails when one of them is missing.
    public var declaredCapabilities: [Capability] {
        (self[.capabilities] ?? "").split(separator: ",").compactMap { Capability(rawValue: $0.trimmingCharacters(in: .whitespaces)) }
    }


    /// Nil when the capability is there; otherwise what is missing.
    public func missing(_ capability: Capability) -> MissingCapability? {
        if let loadError { return MissingCapability(capability: capability, missing: [], loadError: loadError) }
        let gaps = capability.requirements.map { group in group.filter { self[$0] == nil }.map(\.name) }
        return gaps.contains(where: \.isEmpty) ? nil : MissingCapability(capability: capability, missing: gaps)
    }

    public func require(_ capability: Capability) throws {
        if let missing = missing(capability) { throw missing }
    }

    /// Every secret value configured, for the redactor.
    public var secrets: [String] { labeledSecrets.map(\.value) }

    /// Every secret value configured, named by where it comes from (never by its value): the secret scan's list.
    public var labeledSecrets: [(label: String, value: String)] {
        var secrets = ConfigurationKey.all.filter(\.isSecret).compactMap { key in self[key].map { (key.name, $0) } }
        if let conn = self[.dbConn], let password = ConnectionString(conn).password { secrets.append(("the password of DB_CONN", password)) }
        if let jwk = self[.signingJWK], let d = JSONValue.parse(jwk)?["d"]?.string { secrets.append(("the d of ANON_E2E_SIGNING_JWK", d)) }
        return secrets
    }
}
