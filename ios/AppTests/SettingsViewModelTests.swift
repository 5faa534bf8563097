// The settings view model (the Kotlin suite has no presenter test of its
// own for it: these cases are iOS's, on the same real core).

import XCTest
@testable import Homeward

@MainActor
final class SettingsViewModelTests: XCTestCase {
    func testRetentionGoesToTheCoreTheTimeoutIsClampedAndTheLanguageIsKept() async throws {
        let vault = try newVault()
        let prefs = InMemoryPrefs(language: .ru, lockTimeoutMinutes: 2)
        var told: [Lang] = []
        let vm = SettingsViewModel(settings: try vault.settings(), prefs: prefs, savedText: "saved", onLanguage: { told.append($0) })
        await vm.load()
        XCTAssertEqual(vm.state.retentionDays, String(try vault.settings().retentionDays()))
        vm.send(.lockTimeout(text: "9x99"))
        XCTAssertEqual(vm.state.lockTimeoutMinutes, "999", "digits only, at most three")
        vm.send(.retention(text: "45"))
        await vm.send(.save).value
        XCTAssertEqual(vm.state.message, "saved")
        XCTAssertNil(vm.state.error)
        XCTAssertEqual(prefs.lockTimeoutMinutes, 60)
        XCTAssertEqual(vm.state.lockTimeoutMinutes, "60")
        XCTAssertEqual(try vault.settings().retentionDays(), 45)
        vm.send(.language(language: .ky))
        XCTAssertEqual(prefs.language, .ky)
        XCTAssertEqual(told, [.ky])
    }

    func testADuressPinNeedsTheCurrentPinAndIsClearedFromTheScreenOnceSet() async throws {
        let vault = try newVault()
        let vm = SettingsViewModel(settings: try vault.settings(), prefs: InMemoryPrefs(), savedText: "saved")
        vm.send(.currentPin(text: "not the passphrase at all"))
        vm.send(.duressPin(text: "another long passphrase"))
        await vm.send(.setDuress).value
        XCTAssertNotNil(vm.state.error, "a wrong current passphrase is the core's refusal")
        XCTAssertNil(vm.state.message)
        vm.send(.currentPin(text: LONG_PIN))
        await vm.send(.setDuress).value
        XCTAssertNil(vm.state.error)
        XCTAssertEqual(vm.state.message, "saved")
        XCTAssertEqual(vm.state.currentPin, "")
        XCTAssertEqual(vm.state.duressPin, "")
    }
}
