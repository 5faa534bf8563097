// Mirrors UnlockPresenterTest.kt, case for case.

import XCTest
@testable import Homeward

@MainActor
final class UnlockViewModelTests: XCTestCase {
    func testFirstStartCreatesTheVaultAndThePinsMustMatch() async throws {
        let vault = RustVault(dir: tempDir("create").appendingPathComponent("vault").path, keyStore: nil, settings: lightSettings())
        let vm = UnlockViewModel(vault: vault, pinsDiffer: "differ")
        await vm.load()
        XCTAssertEqual(vm.state.mode, .create)
        vm.send(.pinChanged(pin: LONG_PIN))
        vm.send(.pinAgainChanged(pin: "other"))
        await vm.send(.submit).value
        XCTAssertEqual(vm.state.error, "differ")
        // A weak passphrase: the core's reason, shown as it is.
        vm.send(.pinChanged(pin: "1234"))
        vm.send(.pinAgainChanged(pin: "1234"))
        await vm.send(.submit).value
        XCTAssertFalse(vm.state.busy)
        XCTAssertFalse(vm.state.unlocked)
        let weak = try XCTUnwrap(vm.state.error)
        XCTAssertNotEqual(weak, "differ")
        XCTAssertFalse(weak.trimmingCharacters(in: .whitespaces).isEmpty)
        vm.send(.pinChanged(pin: LONG_PIN))
        vm.send(.pinAgainChanged(pin: LONG_PIN))
        await vm.send(.submit).value
        XCTAssertTrue(vm.state.unlocked)
        XCTAssertNil(vm.state.error)
        XCTAssertTrue(vault.exists())
    }

    func testAWrongPinShowsAttemptsLeftAndACountdownThenTheRightOneUnlocks() async throws {
        let vault = try newVault(settings: lightSettings(maxAttempts: 5, unlockDelayMs: 2000))
        try vault.lock()
        // The real clock, as in the Kotlin test: the countdown covers the core's own delay.
        let vm = UnlockViewModel(vault: vault, pinsDiffer: "differ")
        await vm.load()
        XCTAssertEqual(vm.state.mode, .unlock)
        XCTAssertEqual(vm.state.attemptsRemaining, 5)
        vm.send(.pinChanged(pin: "wrong wrong wrong"))
        await vm.send(.submit).value
        XCTAssertNotNil(vm.state.error)
        XCTAssertEqual(vm.state.attemptsRemaining, 4)
        XCTAssertGreaterThanOrEqual(vm.state.retryInSecs, 1, "retry in \(vm.state.retryInSecs)")
        XCTAssertFalse(vm.state.canSubmit, "the button waits for the countdown")
        // A try during the countdown is not sent (it would not count, but it would confuse).
        vm.send(.pinChanged(pin: LONG_PIN))
        XCTAssertFalse(vm.state.canSubmit)
        await vm.send(.submit).value
        XCTAssertEqual(vm.state.attemptsRemaining, 4)
        XCTAssertEqual(vm.state.pin, LONG_PIN, "the refused try left the PIN as typed")
        // The countdown reaches zero by itself.
        await vm.countdown?.value
        XCTAssertEqual(vm.state.retryInSecs, 0)
        XCTAssertTrue(vm.state.canSubmit)
        XCTAssertEqual(vm.state.attemptsRemaining, 4)
        await vm.send(.submit).value
        XCTAssertTrue(vm.state.unlocked, "error: \(vm.state.error ?? "none")")
    }

    func testTheLastWrongPinWipesTheVaultAndTheScreenSaysSo() async throws {
        let vault = try newVault(settings: lightSettings(maxAttempts: 2))
        try vault.lock()
        let vm = UnlockViewModel(vault: vault, pinsDiffer: "differ")
        await vm.load()
        XCTAssertNotNil(vm.state.attemptsRemaining)
        for i in 0..<2 {
            vm.send(.pinChanged(pin: "wrong wrong wrong \(i)"))
            await vm.send(.submit).value
            XCTAssertNotNil(vm.state.error)
            XCTAssertEqual(vm.state.pin, "")
        }
        XCTAssertEqual(vm.state.mode, .wiped)
        XCTAssertFalse(vm.state.canSubmit)
        vm.send(.startOver)
        XCTAssertEqual(vm.state.mode, .create)
    }
}
