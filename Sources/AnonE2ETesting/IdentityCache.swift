import Foundation
import Protocols

/// The run's anonymous users kept across runs (`ANON_E2E_IDENTITY_CACHE`), so a
/// nightly and a PR run reuse their users instead of signing in new ones: a JSON
/// file readable by its owner only, outside `artifacts/`, never printed. Each
/// user keeps its session (GoTrue's answer) and the messages it has left today
/// (UTC); on another day it has its whole allowance again. One run at a time
/// per file: two runs sharing users would share their rate limits.
struct IdentityCache: Sendable {
    struct Entry: Codable, Sendable {
        var session: JSONValue
        var messagesLeft: Int
        /// The UTC day `messagesLeft` counts for, `yyyy-MM-dd`.
        var day: String
    }

    let url: URL

    static func today(_ now: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: now)
    }

    /// Masks the kept sessions' tokens in every output, as fresh ones are.
    let secrets: any SecretKeeper

    /// The kept users with today's messages left; nothing when there is no file or it cannot be read.
    func load(allowance: Int, now: Date = Date()) -> [(session: GoTrueSession, messagesLeft: Int)] {
        guard let data = try? Data(contentsOf: url), let entries = try? JSONDecoder().decode([Entry].self, from: data) else { return [] }
        let today = Self.today(now)
        return entries.compactMap { entry in
            guard let session = try? GoTrueSession(entry.session) else { return nil }
            secrets.register(session.refreshToken, label: "a refresh token")
            secrets.fingerprint(session.accessToken, label: "an access token")
            return (session, entry.day == today ? min(entry.messagesLeft, allowance) : allowance)
        }
    }

    /// Writes the users, owner-only, replacing the file at once (a run killed mid-write keeps the old one).
    func save(_ users: [(session: GoTrueSession, messagesLeft: Int)], now: Date = Date()) {
        let today = Self.today(now)
        guard let data = try? JSONEncoder().encode(users.map { Entry(session: $0.session.body, messagesLeft: $0.messagesLeft, day: today) }) else { return }
        let partial = url.appendingPathExtension("partial")
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: partial.path, contents: data, attributes: [.posixPermissions: 0o600]) else { return }
        _ = rename(partial.path, url.path)
    }
}
