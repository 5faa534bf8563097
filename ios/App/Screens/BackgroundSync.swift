// Mirrors android/app/shared/.../sync/BackgroundSync.kt: the background
// sync's rule, only while the vault is unlocked and never beside another
// sync. Nothing schedules it on iOS yet (no BGAppRefreshTask is registered):
// the desktop build's timer and Android's WorkManager worker run the Kotlin
// one; this keeps the rule in one shape for when iOS does.

import Foundation

/// What one background attempt did.
enum BackgroundOutcome: Equatable, Sendable {
    /// The vault is locked (or not made yet): its keys are never kept for a background sync.
    case locked
    /// A sync was already running (the officer's, or the previous attempt's): one at a time.
    case inFlight
    case synced(report: SyncReport)
    /// Offline, not enrolled, refused: nothing was lost; the next attempt tries again.
    case failed(kind: ErrorKind)
}

final class BackgroundSync: @unchecked Sendable {
    private let sync: @Sendable () throws -> SyncPort
    private let unlocked: @Sendable () -> Bool
    private let lock = NSLock()
    private var inFlight = false

    init(sync: @escaping @Sendable () throws -> SyncPort, unlocked: @escaping @Sendable () -> Bool) {
        self.sync = sync
        self.unlocked = unlocked
    }

    /// One attempt now, unless the vault is locked or a sync is running.
    func once() async -> BackgroundOutcome {
        guard unlocked() else { return .locked }
        let began: Bool = lock.withLock {
            if inFlight { return false }
            inFlight = true
            return true
        }
        guard began else { return .inFlight }
        defer { lock.withLock { inFlight = false } }
        do {
            return .synced(report: try await sync().sync { _ in })
        } catch let e as CoreException {
            // The officer's own sync running: the core refuses a second one as notAllowed.
            return e.kind == .notAllowed ? .inFlight : .failed(kind: e.kind)
        } catch {
            return .failed(kind: .other)
        }
    }
}
