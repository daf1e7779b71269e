import Evidence
import Foundation

extension Redactor {
    /// The process's redactor: the configuration's secrets, and the fingerprint
    /// file the secret scan reads after the run (`ANON_E2E_FINGERPRINTS`).
    public static let shared = Redactor(configuration: .current)

    public convenience init(configuration: Configuration) {
        self.init(secrets: configuration.secrets, fingerprintFile: configuration[.fingerprints].map { URL(fileURLWithPath: $0) })
    }
}

extension EvidenceRecorder {
    /// The process's recorder: `artifacts/<ANON_E2E_RUN_ID>/`.
    public static let shared = EvidenceRecorder(configuration: .current)

    public convenience init(configuration: Configuration, redactor: Redactor = .shared) {
        let root = URL(fileURLWithPath: configuration.text(.artifactsDirectory))
        self.init(root: root, runID: configuration.runID, redactor: redactor)
    }
}
