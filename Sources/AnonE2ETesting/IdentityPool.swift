import Foundation
import Protocols

/// The run's anonymous users (CONTRACT S1.18): at most `budget` sign-ins, a
/// user leased to one holder at a time (a suite, shared by its cases, or one
/// case), handed out refreshed when its token is near its end, and never given
/// more messages than `allowance` (the daily quota less two). Hosted Supabase
/// allows 30 anonymous sign-ins an hour per IP and keeps every user, so a run
/// reuses users instead of signing in one per case.
actor IdentityPool {
    /// Who holds a user: a lease scope (a suite's or a case's).
    typealias Holder = ObjectIdentifier

    /// How long a holder keeps its users: a suite's may be held to the run's end.
    enum Tenure: Sendable { case suite, testCase }

    struct User {
        var session: GoTrueSession
        var messagesLeft: Int
        var holder: Holder?
        var tenure: Tenure = .testCase
        /// When it may be leased again: a released user waits out the per-second
        /// rate window and the release of its stream slots (S4.4, S4.6).
        var freeAt: ContinuousClock.Instant
        /// Kept from an earlier run: its session may have ended since.
        var kept = false
    }

    /// Why no user could be had.
    enum Refusal: SkipsTheCase, CustomStringConvertible {
        /// The request can never be met within the budget: the case is skipped with this.
        case beyondBudget(String)
        /// GoTrue's sign-in limit (429): no more sign-ins this run.
        case signInRefused(String)
        case timedOut(String)

        var description: String {
            switch self {
            case let .beyondBudget(reason), let .signInRefused(reason), let .timedOut(reason): reason
            }
        }

        var skipReason: String? {
            if case let .beyondBudget(reason) = self { reason } else { nil }
        }
    }

    let budget: Int
    /// Sign-ins kept for requests of new users (the daily quota's case counts from zero).
    let freshReserve: Int
    let allowance: Int
    /// Sign-ins kept for requests no user of the run can meet (two users with ten
    /// messages left, say), while a user a case holds or one cooling down could meet it.
    let spare: Int
    let cooldown: Duration
    let wait: Duration
    private let signIn: @Sendable () async throws -> GoTrueSession
    private let refresh: @Sendable (String) async throws -> GoTrueSession
    private var users: [User] = []
    private var pendingSignIns = 0
    private(set) var signIns = 0
    private var freshSignIns = 0
    private var refused: Refusal?
    /// Where the users are kept across runs, if anywhere.
    private let cache: IdentityCache?

    /// - Parameters:
    ///   - budget: `ANON_E2E_SIGNIN_BUDGET`.
    ///   - allowance: messages one user may be given (`ANON_DAILY_QUOTA − 2`).
    ///   - wait: how long a request waits for a user before it fails.
    ///   - cache: users kept from earlier runs, and where this run's are kept.
    init(budget: Int, freshReserve: Int = 1, spare: Int = 2, allowance: Int, cooldown: Duration = .milliseconds(1200), wait: Duration,
         cache: IdentityCache? = nil,
         signIn: @escaping @Sendable () async throws -> GoTrueSession, refresh: @escaping @Sendable (String) async throws -> GoTrueSession) {
        self.budget = budget
        self.freshReserve = min(freshReserve, max(budget - 1, 0))
        self.allowance = allowance
        self.spare = spare
        self.cooldown = cooldown
        self.wait = wait
        self.signIn = signIn
        self.refresh = refresh
        self.cache = cache
        users = (cache?.load(allowance: allowance) ?? []).map { User(session: $0.session, messagesLeft: $0.messagesLeft, freeAt: .now, kept: true) }
    }

    /// The users the run kept from earlier runs (cached), for the run's last line.
    var keptUsers: Int { users.filter(\.kept).count }

    private func saveCache() {
        cache?.save(users.map { ($0.session, $0.messagesLeft) })
    }

    /// `count` users at once for `holder`, each with `messages` messages of its allowance.
    /// - Parameter fresh: new sign-ins only.
    /// - Parameter spending: the user never comes back, so one about to be free is waited for before any sign-in.
    func lease(_ count: Int, messages: Int, fresh: Bool = false, spending: Bool = false, for holder: Holder, lasting tenure: Tenure = .testCase,
               purpose: String) async throws -> [GoTrueSession] {
        guard count <= budget else {
            throw Refusal.beyondBudget("\(purpose) needs \(count) anonymous users; the run may sign in \(budget) (ANON_E2E_SIGNIN_BUDGET)")
        }
        guard messages <= allowance else {
            throw Refusal.beyondBudget("\(purpose) sends \(messages) messages; one user may send \(allowance) (ANON_DAILY_QUOTA less two)")
        }
        let deadline = ContinuousClock.now + wait
        while true {
            let now = ContinuousClock.now
            // Leases that may sign in leave the fresh reserve alone.
            let signInsLeft = refused == nil ? budget - signIns - pendingSignIns - (fresh ? 0 : max(freshReserve - freshSignIns, 0)) : 0
            let free = fresh ? [] : users.indices.filter { users[$0].holder == nil && users[$0].freeAt <= now && users[$0].messagesLeft >= messages }
            let missing = count - free.count
            // Users a case holds or that cool down are back soon; suites may keep theirs to the end.
            let soonFree = fresh ? 0 : users.filter { user in
                user.messagesLeft >= messages && (user.holder == nil ? user.freeAt > now : user.tenure == .testCase)
            }.count
            let sparesSignIns = missing > 0 && (spending || signInsLeft - missing < spare) && free.count + soonFree >= count && now < deadline
            if missing <= signInsLeft && !sparesSignIns {
                // The users with the fewest messages left first, so fuller ones stay for larger requests.
                let taken = free.sorted { users[$0].messagesLeft < users[$1].messagesLeft }.prefix(count).map { index in
                    users[index].holder = holder
                    users[index].tenure = tenure
                    users[index].messagesLeft -= messages
                    return users[index].session
                }
                var sessions: [GoTrueSession] = []
                var ended = false
                for session in taken {
                    do { sessions.append(try await refreshedIfDue(session)) } catch is GoTrueError where isKept(session) {
                        // A kept user whose session ended since: dropped, and the request tried again.
                        retire(session)
                        ended = true
                    }
                }
                if ended {
                    for session in sessions { if let index = users.firstIndex(where: { $0.session.refreshToken == session.refreshToken }) {
                        users[index].holder = nil
                        users[index].messagesLeft += messages
                    } }
                    continue
                }
                if missing > 0 {
                    if fresh { freshSignIns += missing }
                    sessions += try await signInUsers(missing, messages: messages, for: holder, lasting: tenure)
                }
                saveCache()
                return sessions
            }
            // Users being signed in now may serve this request once their holders are done.
            if (fresh ? 0 : users.filter({ $0.messagesLeft >= messages }).count + pendingSignIns) + max(signInsLeft, 0) < count {
                throw Refusal.beyondBudget("\(purpose) needs \(count) users with \(messages) messages left; the run's \(signIns) sign-ins are spent "
                    + (refused.map { "(\($0))" } ?? "(ANON_E2E_SIGNIN_BUDGET=\(budget))")
                    + "; messages left to its \(users.count) users in play: \(users.map { String($0.messagesLeft) }.joined(separator: ", "))")
            }
            guard now < deadline else {
                throw Refusal.timedOut("\(purpose) waited \(wait) for \(count) anonymous users: all \(signIns) the run signed in are in use")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// A user the holder spends (signs out, ends the session, uses up the quota):
    /// an idle one if there is one, else a new sign-in; it never comes back.
    func spend(messages: Int = 0, for holder: Holder, fresh: Bool, purpose: String) async throws -> GoTrueSession {
        let session = try await lease(1, messages: fresh ? allowance : messages, fresh: fresh, spending: true, for: holder, purpose: purpose)[0]
        retire(session)
        return session
    }

    /// A user that is spent, or that its case left in a bad state (slots still held): never handed on.
    func retire(_ session: GoTrueSession) {
        users.removeAll { $0.session.accessToken == session.accessToken || $0.session.refreshToken == session.refreshToken }
        saveCache()
    }

    private func isKept(_ session: GoTrueSession) -> Bool {
        users.first { $0.session.refreshToken == session.refreshToken }?.kept ?? false
    }

    /// The holder's users come back, free again after the cooldown.
    func release(_ holder: Holder) {
        let freeAt = ContinuousClock.now + cooldown
        for index in users.indices where users[index].holder == holder {
            users[index].holder = nil
            users[index].freeAt = freeAt
        }
    }

    private func signInUsers(_ count: Int, messages: Int, for holder: Holder, lasting tenure: Tenure) async throws -> [GoTrueSession] {
        pendingSignIns += count
        defer { pendingSignIns -= count }
        var sessions: [GoTrueSession] = []
        for _ in 0..<count {
            let session: GoTrueSession
            do { session = try await signIn() } catch let error as GoTrueError where error.status == 429 {
                let refusal = Refusal.signInRefused(
                    "the project refused an anonymous sign-in: \(error). Its anonymous sign-in limit is spent (hosted: 30 an hour per IP, " +
                    "one back every 120 s; this run signed in \(signIns)); run again once it refills, or lower ANON_E2E_SIGNIN_BUDGET")
                // Reported once, to the case that met it; later requests make do with the users there are.
                refused = refusal
                throw refusal
            }
            signIns += 1
            users.append(User(session: session, messagesLeft: allowance - messages, holder: holder, tenure: tenure, freeAt: .now))
            sessions.append(session)
        }
        return sessions
    }

    /// The user's session, refreshed first when its access token has under a minute left.
    private func refreshedIfDue(_ session: GoTrueSession) async throws -> GoTrueSession {
        guard let expiresAt = session.expiresAt, Double(expiresAt) - Date().timeIntervalSince1970 < 60 else { return session }
        // The pool keeps the new session for the user's next holder.
        let refreshed = try await refresh(session.refreshToken)
        if let current = users.firstIndex(where: { $0.session.refreshToken == session.refreshToken }) { users[current].session = refreshed }
        return refreshed
    }
}
