// Mirrors android/app/shared/.../unlock/Unlock.kt: the same state fields and
// events (scripts/check-ios-parity), the same behaviour, the core's numbers.

import SwiftUI

enum UnlockMode: Sendable {
    case create, unlock, wiped
}

struct UnlockState: Equatable, Sendable {
    var mode: UnlockMode
    var pin: String
    var pinAgain: String
    var attemptsRemaining: Int?
    /// Seconds before the next try is allowed (the core's delay after a wrong PIN), counted down.
    var retryInSecs: Int64
    /// The core's reason, or the app's "PINs differ".
    var error: String?
    var busy: Bool
    var unlocked: Bool
    /// The last unlock was cut off (the phone switched off, the app closed) and counted as a try.
    var interrupted: Bool = false

    var canSubmit: Bool { !busy && retryInSecs == 0 && !pin.isEmpty && mode != .wiped }
}

enum UnlockEvent: Sendable {
    case pinChanged(pin: String)
    case pinAgainChanged(pin: String)
    case submit
    /// After a wipe: start again with a new vault.
    case startOver
}

/// Create the vault on first start, unlock it after; attempts, countdown and wipe come from the core.
@MainActor @Observable
final class UnlockViewModel {
    private(set) var state: UnlockState
    /// The countdown after a wrong PIN, while it runs (tests await it).
    private(set) var countdown: Task<Void, Never>?

    private let vault: VaultPort
    private let pinsDiffer: String
    private let wrongPin: String
    private let tick: @Sendable () async -> Void

    /// `tick` waits one second of the countdown; the default is the clock.
    init(vault: VaultPort, pinsDiffer: String, wrongPin: String = "Wrong PIN",
         tick: @escaping @Sendable () async -> Void = { try? await Task.sleep(for: .seconds(1)) }) {
        self.vault = vault
        self.pinsDiffer = pinsDiffer
        self.wrongPin = wrongPin
        self.tick = tick
        state = UnlockState(mode: vault.exists() ? .unlock : .create, pin: "", pinAgain: "", attemptsRemaining: nil,
                            retryInSecs: 0, error: nil, busy: false, unlocked: false)
    }

    /// Kotlin's LaunchedEffect(mode): the attempts left and any wait, without unlocking.
    func load() async {
        guard state.mode == .unlock else { return }
        do {
            let s = try await background { [vault] in try vault.status() }
            state.attemptsRemaining = s.attemptsRemaining
            state.unlocked = s.unlocked
            state.interrupted = s.lastAttemptInterrupted
            startCountdown(s.retryAfterSecs)
        } catch let e as CoreException where e.kind == .wiped {
            state.mode = .wiped
        } catch {
            // Shown at the first try instead (the same reason comes back).
        }
    }

    @discardableResult
    func send(_ event: UnlockEvent) -> Task<Void, Never> {
        switch event {
        case let .pinChanged(pin): state.pin = pin
        case let .pinAgainChanged(pin): state.pinAgain = pin
        case .submit: return submit()
        case .startOver:
            state.mode = .create
            state.error = nil
            state.attemptsRemaining = nil
        }
        return done()
    }

    private func submit() -> Task<Void, Never> {
        // The button is disabled meanwhile; a key press must not count a try either.
        if state.busy || state.retryInSecs > 0 || state.mode == .wiped { return done() }
        if state.mode == .create && state.pin != state.pinAgain {
            state.error = pinsDiffer
            return done()
        }
        state.busy = true
        state.error = nil
        let mode = state.mode
        let pin = state.pin
        return Task {
            do {
                if mode == .create {
                    try await background { [vault] in try vault.create(pin: pin) }
                } else {
                    try await vault.unlock(pin: pin)
                }
                state.unlocked = true
                state.interrupted = false
            } catch let e as CoreException {
                switch e.kind {
                // The core's numbers, shown in the screen's language below; not the sentence twice.
                case .wrongPin, .tooSoon:
                    state.attemptsRemaining = e.attemptsRemaining
                    startCountdown(e.retryAfterSecs ?? 0)
                    state.error = wrongPin
                case .wiped:
                    state.mode = .wiped
                    state.error = e.reason
                default:
                    state.error = e.reason
                }
            } catch {
                state.error = reason(of: error)
            }
            state.pin = ""
            state.pinAgain = ""
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

struct UnlockView: View {
    let state: UnlockState
    let send: (UnlockEvent) -> Void
    @Environment(\.strings) var s

    var body: some View {
        let title: String = {
            switch state.mode {
            case .create: return s.createTitle
            case .unlock: return s.unlockTitle
            case .wiped: return s.wipedTitle
            }
        }()
        Screen(title) {
            switch state.mode {
            case .wiped:
                Notice("✗", s.wipedBody, Tones.refused, tag: "wiped")
                BigButton(s.newVault, { send(.startOver) }, tag: "start-over")
            case .create, .unlock:
                if state.mode == .create { BodyText(s.createHint) }
                Field(s.pin, state.pin, { send(.pinChanged(pin: $0)) }, secret: true, numeric: true, tag: "pin")
                if state.mode == .create {
                    Field(s.pinAgain, state.pinAgain, { send(.pinAgainChanged(pin: $0)) }, secret: true, numeric: true, tag: "pin-again")
                }
                if let error = state.error { Notice("⚠", error, Tones.refused, tag: "error") }
                if state.interrupted { Notice("ℹ", s.unlockInterrupted, Tones.caution, tag: "interrupted") }
                if let n = state.attemptsRemaining {
                    Notice(n <= 3 ? "⚠" : "ℹ", s.attemptsLeft(n), n <= 3 ? Tones.refused : Tones.neutral, tag: "attempts")
                }
                if state.retryInSecs > 0 { Notice("◷", s.waitSeconds(state.retryInSecs), Tones.caution, tag: "countdown") }
                BigButton(state.busy ? s.working : (state.mode == .create ? s.create : s.unlock),
                          { send(.submit) }, enabled: state.canSubmit, tag: "submit")
            }
        }
    }
}
