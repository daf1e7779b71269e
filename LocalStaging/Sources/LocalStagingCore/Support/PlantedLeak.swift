/// The `leak-3-mib-a-minute` fault: memory kept and never freed, at a steady
/// rate, for ci/load's broken soak to find in the backend's resident set.
enum PlantedLeak {
    static func grow(bytesPerSecond: Int) async {
        var kept: [[UInt8]] = []
        while !Task.isCancelled {
            // Non-zero bytes: the pages are written, so they count in RSS.
            kept.append([UInt8](repeating: 0xA5, count: bytesPerSecond))
            try? await Task.sleep(for: .seconds(1))
        }
        _ = kept.count
    }
}
