// Mirrors android/app/shared/.../settings/Settings.kt.

import SwiftUI

/// App-side preferences (not secrets): the platform keeps them (UserDefaults here, SharedPreferences on Android).
protocol AppPrefs: AnyObject {
    var language: Lang { get set }
    var lockTimeoutMinutes: Int { get set }
    /// Where this device screens and records entries, from headquarters' list; nil until the officer picks one.
    var crossingPoint: String? { get set }
}

final class InMemoryPrefs: AppPrefs {
    var language: Lang
    var lockTimeoutMinutes: Int
    var crossingPoint: String?
    init(language: Lang = .ru, lockTimeoutMinutes: Int = 2, crossingPoint: String? = nil) {
        self.language = language
        self.lockTimeoutMinutes = lockTimeoutMinutes
        self.crossingPoint = crossingPoint
    }
}

struct SettingsState: Equatable, Sendable {
    var language: Lang
    /// The post picked (its id), and headquarters' list to pick from.
    var crossingPoint: String?
    var crossingPoints: [CrossingPointItem]
    var lockTimeoutMinutes: String
    var retentionDays: String
    var currentPin: String
    var duressPin: String
    /// Change PIN: its own current-PIN field, so the two sections never share a typed PIN.
    var changeCurrent: String
    var newPin: String
    var newPinAgain: String
    var message: String?
    var error: String?
}

enum SettingsEvent: Sendable {
    case crossingPoint(id: String)
    case language(language: Lang)
    case lockTimeout(text: String)
    case retention(text: String)
    case currentPin(text: String)
    case duressPin(text: String)
    case changeCurrent(text: String)
    case newPin(text: String)
    case newPinAgain(text: String)
    case changePin
    case save
    case setDuress
}

private func digits(_ text: String, max: Int) -> String {
    String(text.filter { ("0"..."9").contains($0) }.prefix(max))
}

@MainActor @Observable
final class SettingsViewModel {
    private(set) var state: SettingsState
    private let settings: SettingsPort
    private let prefs: AppPrefs
    private let savedText: String
    private let pinsDiffer: String
    private let onLanguage: (Lang) -> Void

    init(settings: SettingsPort, prefs: AppPrefs, savedText: String, pinsDiffer: String = "The PINs do not match",
         onLanguage: @escaping (Lang) -> Void = { _ in }) {
        self.settings = settings
        self.prefs = prefs
        self.savedText = savedText
        self.pinsDiffer = pinsDiffer
        self.onLanguage = onLanguage
        state = SettingsState(language: prefs.language, crossingPoint: prefs.crossingPoint, crossingPoints: [], lockTimeoutMinutes: String(prefs.lockTimeoutMinutes), retentionDays: "",
                              currentPin: "", duressPin: "", changeCurrent: "", newPin: "", newPinAgain: "", message: nil, error: nil)
    }

    func load() async {
        do {
            state.retentionDays = String(try await background { [settings] in try settings.retentionDays() })
        } catch {
            state.error = reason(of: error)
        }
        await loadCrossingPoints()
    }

    /// Named in the vault's language: read again when the officer switches it.
    func loadCrossingPoints() async {
        do {
            state.crossingPoints = try await background { [settings] in try settings.crossingPoints() }
        } catch {
            state.error = reason(of: error)
        }
    }

    private func run(_ block: @escaping @MainActor () async throws -> Void) -> Task<Void, Never> {
        Task { [self] in
            state.error = nil
            state.message = nil
            do {
                try await block()
                state.message = savedText
            } catch {
                state.error = reason(of: error)
            }
        }
    }

    @discardableResult
    func send(_ event: SettingsEvent) -> Task<Void, Never> {
        switch event {
        case let .crossingPoint(id):
            if state.crossingPoints.contains(where: { $0.id == id }) {
                state.crossingPoint = id
                prefs.crossingPoint = id
            }
        case let .language(language):
            state.language = language
            prefs.language = language
            onLanguage(language)
            return Task { await loadCrossingPoints() }
        case let .lockTimeout(text): state.lockTimeoutMinutes = digits(text, max: 3)
        case let .retention(text): state.retentionDays = digits(text, max: 5)
        case let .currentPin(text): state.currentPin = text
        case let .duressPin(text): state.duressPin = text
        case let .changeCurrent(text): state.changeCurrent = text
        case let .newPin(text): state.newPin = text
        case let .newPinAgain(text): state.newPinAgain = text
        case .changePin:
            if state.newPin != state.newPinAgain {
                state.message = nil
                state.error = pinsDiffer
                return done()
            }
            let (current, new) = (state.changeCurrent, state.newPin)
            // The typed PINs are cleared whatever the answer: a PIN never stays on screen.
            state.changeCurrent = ""
            state.newPin = ""
            state.newPinAgain = ""
            return run { [settings] in
                try await background { try settings.changePin(currentPin: current, newPin: new) }
            }
        case .save:
            return run { [self, settings] in
                if let minutes = Int(state.lockTimeoutMinutes) { prefs.lockTimeoutMinutes = min(max(minutes, 1), 60) }
                state.lockTimeoutMinutes = String(prefs.lockTimeoutMinutes)
                if let days = Int(state.retentionDays) {
                    try await background { try settings.setRetentionDays(days) }
                }
            }
        case .setDuress:
            return run { [self, settings] in
                let (current, duress) = (state.currentPin, state.duressPin)
                try await background { try settings.setDuress(currentPin: current, duress: duress) }
                state.currentPin = ""
                state.duressPin = ""
            }
        }
        return done()
    }
}

struct SettingsView: View {
    let state: SettingsState
    let send: (SettingsEvent) -> Void
    let onBack: () -> Void
    @Environment(\.strings) var s

    var body: some View {
        Screen(s.settings, onBack: onBack, actions: { LanguageSwitch(state.language) { send(.language(language: $0)) } }) {
            if let m = state.message { Notice("✓", m, Tones.valid, tag: "saved") }
            if let error = state.error { Notice("⚠", error, Tones.refused, tag: "error") }
            SectionTitle(s.crossingPointTitle)
            if state.crossingPoint == nil { Notice("⚠", s.chooseCrossingPoint, Tones.caution, tag: "no-crossing-point") }
            ForEach(state.crossingPoints, id: \.id) { p in
                let picked = p.id == state.crossingPoint
                // Selection said in words and by the mark, not by colour alone.
                BigButton((picked ? "✓ " : "") + p.name + " · " + p.region, { send(.crossingPoint(id: p.id)) },
                          primary: picked, tag: "cp-\(p.id)")
            }
            Field(s.lockTimeout, state.lockTimeoutMinutes, { send(.lockTimeout(text: $0)) }, numeric: true, tag: "lock-timeout")
            Field(s.retention, state.retentionDays, { send(.retention(text: $0)) }, numeric: true, tag: "retention")
            BigButton(s.save, { send(.save) }, tag: "save")
            SectionTitle(s.changePinTitle)
            Field(s.currentPin, state.changeCurrent, { send(.changeCurrent(text: $0)) }, secret: true, numeric: true, tag: "change-current-pin")
            Field(s.newPin, state.newPin, { send(.newPin(text: $0)) }, secret: true, numeric: true, tag: "new-pin")
            Field(s.newPinAgain, state.newPinAgain, { send(.newPinAgain(text: $0)) }, secret: true, numeric: true, tag: "new-pin-again")
            BigButton(s.changePin, { send(.changePin) },
                      enabled: !state.changeCurrent.isEmpty && !state.newPin.isEmpty && !state.newPinAgain.isEmpty,
                      primary: false, tag: "change-pin")
            SectionTitle(s.duress)
            BodyText(s.duressExplain)
            Field(s.currentPin, state.currentPin, { send(.currentPin(text: $0)) }, secret: true, numeric: true, tag: "current-pin")
            Field(s.duress, state.duressPin, { send(.duressPin(text: $0)) }, secret: true, numeric: true, tag: "duress-pin")
            BigButton(s.setDuress, { send(.setDuress) }, enabled: !state.currentPin.isEmpty && !state.duressPin.isEmpty,
                      primary: false, tag: "set-duress")
        }
    }
}
