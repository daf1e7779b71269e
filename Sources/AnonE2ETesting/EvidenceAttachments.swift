import Testing
import Evidence

extension EvidenceRecorder {
    /// The run's recorder, with every artifact also recorded as a Swift
    /// Testing attachment of the test that wrote it.
    public static let forTests: EvidenceRecorder = {
        let recorder = EvidenceRecorder.shared
        recorder.addSink { name, bytes in
            // Outside a running test there is nothing to attach to.
            guard Test.current != nil else { return }
            Attachment.record(bytes, named: name)
        }
        return recorder
    }()
}
