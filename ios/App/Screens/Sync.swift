// Mirrors android/app/shared/.../sync/Sync.kt: one sync with headquarters,
// its progress as the core reports it, a Cancel that keeps what was done;
// and enrolment.

import SwiftUI

struct SyncState: Equatable, Sendable {
    var running: Bool
    var progress: SyncProgress?
    var report: SyncReport?
    var cancelled: Bool
    var error: String?
    /// Restored from an older copy: what it lacked, shown until the officer acknowledges it.
    var lost: [LostItem]? = nil
}

enum SyncEvent: Sendable {
    case start
    case cancel
    case acknowledgeRestore
}

/// The newest progress report, written on the library's syncing thread and read on the main actor.
private final class LatestProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var value: SyncProgress?
    func set(_ p: SyncProgress) { lock.lock(); value = p; lock.unlock() }
    func get() -> SyncProgress? { lock.lock(); defer { lock.unlock() }; return value }
}

@MainActor @Observable
final class SyncViewModel {
    private(set) var state = SyncState(running: false, progress: nil, report: nil, cancelled: false, error: nil)
    private let sync: SyncPort

    init(sync: SyncPort) {
        self.sync = sync
    }

    /// Kotlin's LaunchedEffect(report): read again after each sync, the one that finds the restore fills it.
    func loadRestoreReport() async {
        do {
            state.lost = try await background { [sync] in try sync.restoreReport() }
        } catch {
            state.error = reason(of: error)
        }
    }

    @discardableResult
    func send(_ event: SyncEvent) -> Task<Void, Never> {
        switch event {
        case .start:
            guard !state.running else { return done() }
            state.running = true
            state.cancelled = false
            state.error = nil
            state.report = nil
            let latest = LatestProgress()
            return Task { [self, sync] in
                do {
                    // Live updates hop to the main actor; the last one is read again at the end,
                    // so the screen never ends on an older report than the library's last.
                    let report = try await sync.sync { p in
                        latest.set(p)
                        Task { @MainActor [weak self] in
                            guard let self, self.state.running else { return }
                            self.state.progress = latest.get()
                        }
                    }
                    state.progress = latest.get() ?? state.progress
                    state.report = report
                    await loadRestoreReport()
                } catch let e as CoreException {
                    state.progress = latest.get() ?? state.progress
                    if e.kind == .cancelled { state.cancelled = true }
                    state.error = e.reason
                } catch {
                    state.error = reason(of: error)
                }
                state.running = false
            }
        case .cancel:
            sync.cancel()
            return done()
        case .acknowledgeRestore:
            return Task { [self, sync] in
                do {
                    try await background { try sync.acknowledgeRestore() }
                    state.lost = nil
                } catch {
                    state.error = reason(of: error)
                }
            }
        }
    }
}

struct SyncView: View {
    let state: SyncState
    let send: (SyncEvent) -> Void
    let onBack: () -> Void
    @Environment(\.strings) var s

    var body: some View {
        Screen(s.sync, onBack: onBack) {
            if state.running { ProgressView().progressViewStyle(.linear).accessibilityIdentifier("sync-progress") }
            if let p = state.progress {
                BodyText(s.sent(p.eventsSent, p.bytesSent))
                BodyText(s.received(p.eventsReceived, p.bytesReceived))
            }
            if let r = state.report {
                Notice("✓", s.syncDone, Tones.valid, tag: "sync-done")
                if r.rollbackDetected { Notice("⚠", s.rollback, Tones.refused) }
            }
            if let items = state.lost {
                Notice("⚠", s.restoreLost(items.count), Tones.refused, tag: "restore-report")
                ForEach(items, id: \.id) { i in
                    BodyText((i.isCase ? s.lostCase : s.lostScreening) + " " + String(i.id.prefix(8)) + " · " + i.madeDate + " · "
                        + (i.recovered ? s.lostRecovered : s.lostOnlyAtHq))
                        .accessibilityIdentifier("lost-" + i.id)
                }
                BigButton(s.restoreRead, { send(.acknowledgeRestore) }, primary: false, tag: "acknowledge-restore")
            }
            if state.cancelled {
                Notice("■", s.syncCancelled, Tones.caution, tag: "sync-cancelled")
            } else if let error = state.error {
                Notice("⚠", error, Tones.refused, tag: "error")
            }
            if state.running {
                BigButton(s.cancel, { send(.cancel) }, primary: false, tag: "cancel")
            } else {
                BigButton(s.syncNow, { send(.start) }, tag: "sync")
            }
        }
    }
}

struct EnrolState: Equatable, Sendable {
    var url: String
    var code: String
    var caPem: String
    var label: String
    var enrolledOffice: String?
    var error: String?
    var busy: Bool
}

enum EnrolEvent: Sendable {
    case edit(url: String, code: String, caPem: String, label: String)
    case enrol
}

/// Enrolment: headquarters' address, the one-time code and its TLS authority, pinned from then on.
@MainActor @Observable
final class EnrolViewModel {
    private(set) var state = EnrolState(url: "https://", code: "", caPem: "", label: "", enrolledOffice: nil, error: nil, busy: false)
    private let sync: SyncPort

    init(sync: SyncPort) {
        self.sync = sync
    }

    @discardableResult
    func send(_ event: EnrolEvent) -> Task<Void, Never> {
        switch event {
        case let .edit(url, code, caPem, label):
            state.url = url
            state.code = code
            state.caPem = caPem
            state.label = label
            return done()
        case .enrol:
            guard !state.busy else { return done() }
            state.busy = true
            state.error = nil
            let trim = { (s: String) in s.trimmingCharacters(in: .whitespacesAndNewlines) }
            let (url, code) = (trim(state.url), trim(state.code))
            let label = trim(state.label).isEmpty ? "phone" : state.label
            let pem: String? = trim(state.caPem).isEmpty ? nil : state.caPem
            return Task { [self, sync] in
                do {
                    state.enrolledOffice = try await sync.enrol(url: url, code: code, label: label, caPem: pem)
                } catch {
                    state.error = reason(of: error)
                }
                state.busy = false
            }
        }
    }
}

struct EnrolView: View {
    let state: EnrolState
    let send: (EnrolEvent) -> Void
    let onBack: () -> Void
    @Environment(\.strings) var s

    private func edit(url: String? = nil, code: String? = nil, pem: String? = nil, label: String? = nil) {
        send(.edit(url: url ?? state.url, code: code ?? state.code, caPem: pem ?? state.caPem, label: label ?? state.label))
    }

    var body: some View {
        Screen(s.enrol, onBack: onBack) {
            if let office = state.enrolledOffice { Notice("✓", s.enrolled(office), Tones.valid, tag: "enrolled") }
            Field(s.serverUrl, state.url, { edit(url: $0) }, tag: "url")
            Field(s.enrolmentCode, state.code, { edit(code: $0) }, tag: "code")
            Field(s.authority, state.caPem, { edit(pem: $0) }, singleLine: false, tag: "ca")
            Field(s.deviceLabel, state.label, { edit(label: $0) }, tag: "label")
            if let error = state.error { Notice("⚠", error, Tones.refused, tag: "error") }
            BigButton(state.busy ? s.working : s.enrol, { send(.enrol) },
                      enabled: !state.busy && !state.code.trimmingCharacters(in: .whitespaces).isEmpty, tag: "enrol")
        }
    }
}
