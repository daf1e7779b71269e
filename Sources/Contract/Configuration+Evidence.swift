import Evidence
import Foundation

extension Redactor {
    /// The configuration's secrets, and the fingerprint file the secret scan
    /// reads after the run (`ANON_E2E_FINGERPRINTS`).
    public convenience init(configuration: Configuration) {
        self.init(secrets: configuration.secrets, fingerprintFile: configuration[.fingerprints].map { URL(fileURLWithPath: $0) })
    }
}

extension EvidenceRecorder {
    /// `artifacts/<ANON_E2E_RUN_ID>/`, every byte through the redactor.
    public convenience init(configuration: Configuration, redactor: Redactor) {
        self.init(root: URL(fileURLWithPath: configuration.text(.artifactsDirectory)), runID: configuration.runID, redactor: redactor)
    }
}
