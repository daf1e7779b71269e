import Evidence
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
        let configuration = Configuration(values: merged, envFile: source)
        try configuration.validate()
        return configuration
    }

    /// A value of the wrong type: the run stops before any case, naming it.
    public struct InvalidValue: Error, Sendable, CustomStringConvertible {
        public let key: ConfigurationKey
        public let value: String
        /// What a value must be: "a whole number", "one of hosted, cli, …".
        public let expected: String

        public init(key: ConfigurationKey, value: String, expected: String? = nil) {
            self.key = key
            self.value = value
            let byKind = switch key.kind {
            case .text: "text"
            case let .oneOf(words): "one of \(words.joined(separator: ", "))"
            case .integer: "a whole number"
            case .seconds: "a number of seconds"
            case .boolean: "true or false"
            }
            self.expected = expected ?? byKind
        }

        public var description: String { "\(key.name)=\(value) is not \(expected) (default: \(key.defaultValue ?? "unset"))" }
    }

    /// Every typed value parses and every declared capability exists, or the first that does not is thrown.
    public func validate() throws {
        for key in ConfigurationKey.all {
            guard let value = stated(key) else { continue }
            switch key.kind {
            case .text: continue
            case let .oneOf(words): if !words.contains(value) { throw InvalidValue(key: key, value: value) }
            default: if Self.parse(value, as: key.kind) == nil { throw InvalidValue(key: key, value: value) }
            }
        }
        _ = try dialect()
        for key in [ConfigurationKey.caBundle, .clientCertificate, .clientKey] {
            if let file = self[key], !FileManager.default.isReadableFile(atPath: file) {
                throw InvalidValue(key: key, value: file, expected: "a readable PEM file")
            }
        }
        if (self[.clientCertificate] == nil) != (self[.clientKey] == nil) {
            let missing: ConfigurationKey = self[.clientCertificate] == nil ? .clientCertificate : .clientKey
            throw InvalidValue(key: missing, value: "", expected: "a file: a client certificate needs both ANON_E2E_CLIENT_CERT and ANON_E2E_CLIENT_KEY")
        }
        if let cache = self[.identityCache], Self.isInside(cache, directory: text(.artifactsDirectory)) {
            throw InvalidValue(key: .identityCache, value: cache, expected: "a file outside \(text(.artifactsDirectory))/ (the artifacts are published; the kept sessions must not be)")
        }
        if let control = self[.lureControl], LureControl(control) == nil {
            throw InvalidValue(key: .lureControl, value: control, expected: "METHOD /path with {url} where the URL to fetch goes, e.g. GET /api/v1/link-preview?url={url}")
        }
        if let problem = MessageRequestBody(configuration: self).templateProblem {
            throw InvalidValue(key: .requestTemplate, value: self[.requestTemplate] ?? "", expected: problem)
        }
        for name in text(.capabilities).split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) })
        where !name.isEmpty && Capability(rawValue: name) == nil {
            throw InvalidValue(key: .capabilities, value: name,
                               expected: "a list of capabilities (\(Capability.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
    }

    /// Whether `path` lies inside `directory` (both taken from the working directory).
    static func isInside(_ path: String, directory: String) -> Bool {
        let file = URL(fileURLWithPath: path).standardizedFileURL.path, folder = URL(fileURLWithPath: directory).standardizedFileURL.path
        return file == folder || file.hasPrefix(folder.hasSuffix("/") ? folder : folder + "/")
    }

    /// The run's id (`ANON_E2E_RUN_ID`), or a fresh one when none is configured.
    public var runID: String { self[.runID] ?? EvidenceRecorder.newRunID() }

    /// The value that was given (environment or file), or the deployment's
    /// default for it; nil when neither.
    func given(_ key: ConfigurationKey) -> String? {
        if let value = stated(key) { return value }
        return key == .supabaseDeployment ? nil : deployment.defaults[key]
    }

    /// The value given in the environment or the file, nil when unset or empty.
    public func stated(_ key: ConfigurationKey) -> String? {
        values[key.name].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `SUPABASE_DEPLOYMENT` (hosted when unset or unknown: `validate` refuses an unknown one).
    public var deployment: SupabaseDeployment {
        stated(.supabaseDeployment).flatMap(SupabaseDeployment.init(rawValue:)) ?? .hosted
    }

    /// The pre-confirmed password account, when both halves are configured.
    public var registeredAccount: (email: String, password: String)? {
        guard let email = self[.registeredEmail], let password = self[.registeredPassword] else { return nil }
        return (email, password)
    }

    /// The deployment and the settings it decides, for the run's first lines.
    public var deploymentLines: [String] {
        ["SUPABASE_DEPLOYMENT=\(deployment.rawValue)"] + SupabaseDeployment.decided.map { key in
            "  \(key.name)=\(self[key] ?? (key == .jwtIssuer ? "(SUPABASE_URL/auth/v1)" : ""))\(stated(key) != nil ? " (set)" : deployment.defaults[key] != nil ? " (the deployment's)" : "")"
        }
    }

    enum Parsed { case integer(Int), seconds(Duration), boolean(Bool) }

    static func parse(_ text: String, as kind: ConfigurationKey.Kind) -> Parsed? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        switch kind {
        case .text, .oneOf: return nil
        case .integer: return Int(trimmed).map(Parsed.integer)
        case .seconds: return Double(trimmed).flatMap { $0 >= 0 ? Parsed.seconds(.milliseconds(Int64($0 * 1000))) : nil }
        case .boolean:
            switch trimmed.lowercased() {
            case "1", "true", "yes", "on": return .boolean(true)
            case "0", "false", "no", "off": return .boolean(false)
            default: return nil
            }
        }
    }

    /// The typed value, or the key's default: a configuration that was loaded
    /// holds no value that fails to parse (`validate`); one built in code falls
    /// back to the default.
    func parsed(_ key: ConfigurationKey) -> Parsed {
        if let value = given(key), let parsed = Self.parse(value, as: key.kind) { return parsed }
        guard let fallback = key.defaultValue.flatMap({ Self.parse($0, as: key.kind) }) else {
            preconditionFailure("\(key.name) is read as \(key.kind) but has no default of that type")
        }
        return fallback
    }

    /// The value, or the contract's default; nil when neither exists. An empty
    /// value counts as unset.
    public subscript(_ key: ConfigurationKey) -> String? {
        given(key) ?? key.defaultValue
    }

    /// The value, else the default, else empty (a key with no default read as text).
    public func text(_ key: ConfigurationKey) -> String { self[key] ?? "" }

    public func int(_ key: ConfigurationKey) -> Int {
        guard case let .integer(value) = parsed(key) else { preconditionFailure("\(key.name) is not an integer setting") }
        return value
    }

    public func bool(_ key: ConfigurationKey) -> Bool {
        guard case let .boolean(value) = parsed(key) else { preconditionFailure("\(key.name) is not a boolean setting") }
        return value
    }

    public func duration(_ key: ConfigurationKey) -> Duration {
        guard case let .seconds(value) = parsed(key) else { preconditionFailure("\(key.name) is not a seconds setting") }
        return value
    }

    /// The value, or an error that names the variable.
    public func required(_ key: ConfigurationKey) throws -> String {
        guard let value = self[key] else { throw MissingVariable(name: key.name) }
        return value
    }

    public func has(_ capability: Capability) -> Bool { missing(capability) == nil }


    /// The target in one line: its kind, its API host, and the capabilities it enables.
    public var targetDescription: String {
        let host = self[.apiBase].flatMap { URLComponents(string: $0)?.host.map { h in URLComponents(string: self[.apiBase]!)?.port.map { "\(h):\($0)" } ?? h } } ?? "no API_BASE"
        let enabled = Capability.allCases.filter(has).map(\.rawValue)
        return "\(text(.targetKind)) \(host), capabilities: \(enabled.isEmpty ? "none" : enabled.joined(separator: ", "))"
    }

    /// The capabilities the team says its backend has (`ANON_E2E_CAPABILITIES`):
    /// strict mode fails when one of them is missing.
    public var declaredCapabilities: [Capability] {
        text(.capabilities).split(separator: ",").compactMap { Capability(rawValue: $0.trimmingCharacters(in: .whitespaces)) }
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
