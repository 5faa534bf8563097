// The app's entry: one vault in a protected folder (VaultLocation.swift),
// bound to the Secure Enclave (KeychainKeyStore.swift), the shared screens
// (RootView), and the platform's parts only, as MainActivity.kt on Android:
// a privacy cover whenever the app is not in front or the screen is being
// recorded or mirrored, and a lock after the set time in the background.
// Nothing here logs or posts a notification, with or without data.

import Combine
import SwiftUI
import UIKit
import HomewardFFI

@main @MainActor
struct HomewardApp: App {
    @Environment(\.scenePhase) private var scenePhase
    @State private var shell = Shell()

    var body: some Scene {
        WindowGroup {
            ZStack {
                if let vault = shell.vault {
                    RootView(vault: vault, prefs: shell.prefs, scanner: CameraScanner())
                        // A new identity drops the whole stack: the unlock screen again.
                        .id(shell.lockSignal)
                } else {
                    Text(shell.startupFailure ?? "").padding()
                }
                if shell.covered(scenePhase) { PrivacyCover() }
            }
            .onReceive(NotificationCenter.default.publisher(for: UIScreen.capturedDidChangeNotification)) { _ in
                shell.captureChanged()
            }
            .onAppear { shell.captureChanged() }
        }
        .onChange(of: scenePhase) { _, phase in shell.phaseChanged(phase) }
    }
}

/// The process-wide parts: the vault, the preferences, the background clock.
@MainActor @Observable
final class Shell {
    let prefs = UserDefaultsPrefs()
    private(set) var vault: RustVault?
    private(set) var startupFailure: String?
    private(set) var lockSignal = 0
    private(set) var captured = false
    /// When the app left the foreground, on a clock that does not jump with the wall clock and
    /// goes on while the phone sleeps (ContinuousClock; the suspending one would stop).
    @ObservationIgnored private var backgroundedAt: ContinuousClock.Instant?

    init() {
        #if DEBUG
        // The UI tests' launch: a fresh vault in a temporary folder bound to the core's software
        // key store (the Simulator's biometrics are not enrolled; a digits-only PIN, which the
        // number pad can type, needs a key store), light key derivation, English, a fixed crossing point.
        if ProcessInfo.processInfo.arguments.contains("-ui-testing") {
            let root = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
            vault = RustVault(dir: root.appendingPathComponent("vault").path,
                              keyStore: softwareKeyStore(dir: root.appendingPathComponent("keystore").path),
                              settings: VaultSettings(kdfMemoryMib: 19, kdfPasses: 2))
            prefs.language = .en
            prefs.crossingPoint = "OSH-AIRPORT"
            return
        }
        #endif
        do {
            let dir = try VaultLocation.prepare()
            vault = RustVault(dir: dir.path, keyStore: KeychainKeyStore())
        } catch {
            // Only the kind of failure: the path holds nothing personal, but it is not shown either.
            startupFailure = "The app's storage cannot be prepared (\(type(of: error)))."
        }
    }

    func covered(_ phase: ScenePhase) -> Bool { phase != .active || captured }

    /// Recorded, mirrored or AirPlayed: the screens are hidden while it lasts.
    func captureChanged() {
        captured = UIApplication.shared.connectedScenes
            .compactMap { ($0 as? UIWindowScene)?.screen.isCaptured }
            .contains(true)
    }

    func phaseChanged(_ phase: ScenePhase) {
        switch phase {
        case .background:
            backgroundedAt = ContinuousClock.now
        case .active:
            guard let since = backgroundedAt else { return }
            backgroundedAt = nil
            // Back after longer than the set timeout: lock (fast, no key derivation) and show unlock.
            if ContinuousClock.now - since > .seconds(60 * prefs.lockTimeoutMinutes) {
                try? vault?.lock()
                lockSignal += 1
            }
        default:
            break
        }
    }
}

/// Covers every screen: the app switcher's snapshot and a recording show only this.
struct PrivacyCover: View {
    var body: some View {
        ZStack {
            Color(red: 11 / 255, green: 61 / 255, blue: 145 / 255).ignoresSafeArea()
            Text("Homeward").font(.largeTitle.bold()).foregroundStyle(.white)
        }
        .accessibilityIdentifier("privacy-cover")
    }
}

/// Preferences that are not secrets (language, lock timeout, crossing point), as AndroidPrefs.
final class UserDefaultsPrefs: AppPrefs {
    private let d = UserDefaults.standard

    var language: Lang {
        get { d.string(forKey: "language").flatMap(Lang.init(rawValue:)) ?? .ru }
        set { d.set(newValue.code, forKey: "language") }
    }

    var lockTimeoutMinutes: Int {
        get { d.object(forKey: "lockTimeoutMinutes") as? Int ?? 2 }
        set { d.set(newValue, forKey: "lockTimeoutMinutes") }
    }

    var crossingPoint: String? {
        get { d.string(forKey: "crossingPoint") }
        set { d.set(newValue, forKey: "crossingPoint") }
    }
}
