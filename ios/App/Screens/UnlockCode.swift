// Mirrors android/app/shared/.../checkin/UnlockCode.kt: the check-in lock's
// way out at a post with no link. The core checks the code, counts wrong ones
// and makes the next try wait; the screen counts down.

import SwiftUI

struct UnlockCodeState: Equatable, Sendable {
    /// This device's id, read out to headquarters so it can compute the code.
    var deviceId: String?
    /// As typed, letters and digits only (a dash read out with it is dropped).
    var code: String
    /// Seconds before the core takes another code, counted down.
    var retryInSecs: Int64
    /// The core's reason for the last refusal.
    var error: String?
    var busy: Bool
    /// The lock is lifted (for the core's grace period).
    var done: Bool

    var canSubmit: Bool { !busy && !done && retryInSecs == 0 && code.count == 10 }
}

enum UnlockCodeEvent: Sendable {
    case codeChanged(code: String)
    case submit
}

@MainActor @Observable
final class UnlockCodeViewModel {
    private(set) var state = UnlockCodeState(deviceId: nil, code: "", retryInSecs: 0, error: nil, busy: false, done: false)
    private(set) var countdown: Task<Void, Never>?

    private let sync: SyncPort
    private let certificates: CertificatesPort
    private let tick: @Sendable () async -> Void

    init(sync: SyncPort, certificates: CertificatesPort,
         tick: @escaping @Sendable () async -> Void = { try? await Task.sleep(for: .seconds(1)) }) {
        self.sync = sync
        self.certificates = certificates
        self.tick = tick
    }

    /// Kotlin's LaunchedEffect(Unit): the device's id and a wait left from earlier wrong codes.
    func load() async {
        do {
            let (id, wait) = try await background { [sync, certificates] in
                (try certificates.device().deviceId, try sync.unlockCodeRetryAfterSecs())
            }
            state.deviceId = id
            startCountdown(wait)
        } catch {
            state.error = reason(of: error)
        }
    }

    @discardableResult
    func send(_ event: UnlockCodeEvent) -> Task<Void, Never> {
        switch event {
        // Letters and digits only, upper case, at most ten: the dash is the view's.
        case let .codeChanged(code):
            state.code = String(code.filter { $0.isASCII && ($0.isLetter || $0.isNumber) }.uppercased().prefix(10))
        case .submit: return submit()
        }
        return done()
    }

    private func submit() -> Task<Void, Never> {
        if state.busy || state.done || state.retryInSecs > 0 { return done() }
        state.busy = true
        state.error = nil
        let code = state.code
        return Task {
            do {
                try await background { [sync] in try sync.enterUnlockCode(code) }
                state.done = true
            } catch let e as CoreException {
                state.error = e.reason
                // A wrong code may start a wait; a try within one was not counted.
                if e.kind == .tooSoon {
                    startCountdown(e.retryAfterSecs ?? 0)
                } else {
                    startCountdown((try? await background { [sync] in try sync.unlockCodeRetryAfterSecs() }) ?? 0)
                }
                state.code = ""
            } catch {
                state.error = reason(of: error)
            }
            state.busy = false
        }
    }

    private func startCountdown(_ secs: Int64) {
        countdown?.cancel()
        state.retryInSecs = max(0, secs)
        guard secs > 0 else {
            countdown = nil
            return
        }
        countdown = Task { [self, tick] in
            while state.retryInSecs > 0 {
                await tick()
                if Task.isCancelled { return }
                state.retryInSecs -= 1
            }
        }
    }
}

struct UnlockCodeView: View {
    let state: UnlockCodeState
    let send: (UnlockCodeEvent) -> Void
    let onBack: () -> Void
    @Environment(\.strings) var s

    var body: some View {
        Screen(s.unlockCodeTitle, onBack: onBack) {
            if state.done {
                Notice("✓", s.unlockCodeDone, Tones.valid, tag: "unlocked")
                BigButton(s.back, onBack, tag: "done")
            } else {
                BodyText(s.unlockCodeExplain)
                if let id = state.deviceId { Notice("ℹ", s.thisDevice(id), Tones.neutral, tag: "device-id") }
                Field(s.unlockCode, state.code, { send(.codeChanged(code: $0)) }, error: state.error, tag: "unlock-code")
                if state.retryInSecs > 0 { Notice("◷", s.waitSeconds(state.retryInSecs), Tones.caution, tag: "countdown") }
                BigButton(state.busy ? s.working : s.unlockCodeSubmit, { send(.submit) }, enabled: state.canSubmit, tag: "submit")
            }
        }
    }
}
