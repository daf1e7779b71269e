import Foundation

/// The suite's configuration: the process environment first, then
/// `.env.local` (or the file `ANON_E2E_ENV_FILE` names), then the contract's
/// defaults.
public struct Configuration: Sendable {
    public let values: [String: String]
    /// Where the file values came from, for `verify-setup`.
    public let envFile: String?

    public init(values: [String: String], envFile: String? = nil) {
        self.values = values
        self.envFile = envFile
    }

    /// The configuration of this process, read once.
    public static let current: Configuration = {
        do { return try load() } catch {
            FileHandle.standardError.write(Data("anon-e2e: \(error)\n".utf8))
            return Configuration(values: ProcessInfo.processInfo.environment)
        }
    }()

    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment,
                            directory: String = FileManager.default.currentDirectoryPath) throws -> Configuration {
        let path = environment["ANON_E2E_ENV_FILE"] ?? (directory as NSString).appendingPathComponent(".env.local")
        var merged: [String: String] = [:]
        var source: String?
        if let data = FileManager.default.contents(atPath: path) {
            merged = try DotEnv.parse(String(decoding: data, as: UTF8.self))
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

    /// Nil when the capability is there; otherwise what is missing.
    public func missing(_ capability: Capability) -> MissingCapability? {
        let gaps = capability.requirements.map { group in group.filter { self[$0] == nil }.map(\.name) }
        return gaps.contains(where: \.isEmpty) ? nil : MissingCapability(capability: capability, missing: gaps)
    }

    public func require(_ capability: Capability) throws {
        if let missing = missing(capability) { throw missing }
    }

    /// Every secret value configured, for the redactor.
    public var secrets: [String] {
        var secrets = ConfigurationKey.all.filter(\.isSecret).compactMap { self[$0] }
        if let conn = self[.dbConn], let password = ConnectionString(conn).password { secrets.append(password) }
        return secrets
    }
}
