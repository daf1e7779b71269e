import Protocols

extension Configuration {
    /// The stream's dialect (`STREAM_DIALECT`); `custom` from `STREAM_DIALECT_MAPPING`.
    public func dialect() throws -> any StreamDialect {
        let name = text(.streamDialect)
        if name == "custom" {
            guard let mapping = self[.streamDialectMapping] else { throw MissingVariable(name: ConfigurationKey.streamDialectMapping.name) }
            do { return try CustomDialect(json: mapping) } catch {
                throw InvalidValue(key: .streamDialectMapping, value: mapping, expected: error.description)
            }
        }
        let native = NativeDialect(meta: text(.eventMeta), delta: text(.eventDelta), final: text(.eventFinal), error: text(.eventError))
        // Every name but custom is built in (`validate` checked it against the list).
        return StreamDialects.named(name, native: native) ?? native
    }
}
