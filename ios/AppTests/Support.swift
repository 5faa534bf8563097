// Mirrors android/app/shared/src/test/.../Support.kt: real vaults on real
// files (the XCFramework's core, nothing faked), light key derivation, the
// presumed-victim scenario, and the test headquarters.
//
// A view model's send(_:) returns the task it started: a test awaits it, so
// each step is finished before the next assertion, with no polling and no
// timing (the Kotlin tests wait for states with Turbine instead).

import Foundation
import HomewardFFI
import XCTest
@testable import Homeward

let PIN = "482915"

/// No platform key store in these tests, so the core asks for a passphrase of 12+ characters.
let LONG_PIN = "correct horse battery"

/// Light key derivation: tests open many vaults. `unlockDelayMs` is the core's wait after a wrong PIN.
func lightSettings(maxAttempts: UInt32 = 10, unlockDelayMs: UInt64 = 0) -> VaultSettings {
    VaultSettings(kdfMemoryMib: 19, kdfPasses: 2, maxAttempts: maxAttempts, unlockDelayMs: unlockDelayMs)
}

func tempDir(_ prefix: String) -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("homeward-app-\(prefix)-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A real vault on a real file, behind the app's ports, created and unlocked.
func newVault(settings: VaultSettings = lightSettings(), pin: String = LONG_PIN) throws -> RustVault {
    let v = RustVault(dir: tempDir("vault").appendingPathComponent("vault").path, keyStore: nil, settings: settings)
    try v.create(pin: pin)
    return v
}

/// The default checklist's "adult with act, means and purpose" scenario
/// (core/tests/screening.rs): recruited, deceived, forced labour; every other
/// yes/no answered "no", the rest skipped.
let presumedVictimScenario: [String: Answer] = [
    "appears_minor": .tri(value: .no),
    "date_of_birth": .date(isoDate: "1990-04-02"),
    "documents": .choice(id: "another_persons"),
    "recruited": .tri(value: .yes),
    "deceived": .tri(value: .yes),
    "forced_labour": .tri(value: .yes),
    "promised_work": .choices(ids: ["construction"]),
]

/// The headquarters ios/scripts/test-hq started on the Mac (the scheme's test pre-action):
/// its address and single-use enrolment codes. It approves every submitted case by itself.
final class Headquarters {
    let url: String
    private var consular: [String]
    private var border: [String]

    init() throws {
        guard let path = ProcessInfo.processInfo.environment["HOMEWARD_TEST_HQ"] else {
            throw XCTSkip("no test headquarters: run the tests from the Homeward scheme (its pre-action starts ios/scripts/test-hq)")
        }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        url = json["url"] as! String
        consular = json["consular"] as! [String]
        border = json["border"] as! [String]
    }

    func enrollmentCode(office: String, role: String) -> String {
        precondition((office, role) == ("IST", "consular_officer") || (office, role) == ("OSH", "border_guard"),
                     "test-hq makes codes for IST consular officers and OSH border guards only")
        return role == "border_guard" ? border.removeFirst() : consular.removeFirst()
    }
}

/// Shared by the tests of one run: each takes fresh codes from it.
let sharedHeadquarters: Result<Headquarters, Error> = Result { try Headquarters() }

func headquarters() throws -> Headquarters { try sharedHeadquarters.get() }

/// Runs a core call off the main actor, as the view models do.
func off<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await background(work)
}
