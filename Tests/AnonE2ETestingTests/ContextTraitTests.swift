import Contract
import Testing
import AnonE2ETesting

/// The cases reach their configuration, redactor, recorder and backend through
/// the task's context, which a suite trait can set: no static builds another.
@Suite(.staging(Configuration(values: ["API_BASE": "http://context.test:1", "SUPABASE_ANON_KEY": "sb_publishable_context_key"])))
struct ContextTraitTests {
    @Test("a suite's .staging(_:) trait gives its cases that configuration, and everything built from it")
    func suiteContext() {
        #expect(Staging.configuration[.apiBase] == "http://context.test:1")
        #expect(Staging.backend.apiBase == "http://context.test:1")
        #expect(Staging.redactor.redact("key sb_publishable_context_key") == "key <redacted>")
        #expect(Staging.context !== StagingContext.process)
    }
}
