// Mirrors RequestPresenterTest.kt, case for case, against the test headquarters.

import XCTest
@testable import Homeward

/// Not enrolled here, so the office is named (an enrolled device fills its own).
func goodForm(surname: String = "Sadykov", office: String = "IST") -> RequestForm {
    let travel = Calendar(identifier: .gregorian).date(byAdding: .day, value: 3, to: Date())!
    let f = DateFormatter()
    f.calendar = Calendar(identifier: .gregorian)
    f.locale = Locale(identifier: "en_US_POSIX")
    f.dateFormat = "yyyy-MM-dd"
    return RequestForm(surname: surname, givenName: "Bakyt", dateOfBirth: "1988-08-08", placeOfBirth: "Talas", sex: "M",
                       oldPassport: "AN7000001", route: "Istanbul - Bishkek (Manas)", travelDate: f.string(from: travel),
                       assessment: "identity consistent with the interview", issuingOffice: office)
}

@MainActor
final class RequestViewModelTests: XCTestCase {
    func testARequestFromADeviceNotEnrolledSaysSoAndKeepsTheForm() async throws {
        let certs = try newVault().certificates()
        let vm = RequestViewModel(certificates: certs)
        await vm.send(.edit(form: goodForm())).value
        XCTAssertEqual(vm.state.form, goodForm())
        await vm.send(.submit).value
        XCTAssertFalse(vm.state.busy)
        let error = try XCTUnwrap(vm.state.error)
        XCTAssertTrue(error.contains("enrol"), error)
        XCTAssertEqual(vm.state.form, goodForm(), "nothing typed is lost")
    }

    func testAnEmptyRequestShowsTheCoresMessagesUnderTheirFieldsThenAFixedOneIsSubmitted() async throws {
        let hq = try headquarters()
        let vault = try newVault()
        let code = hq.enrollmentCode(office: "IST", role: "consular_officer")
        _ = try await vault.sync().enrol(url: hq.url, code: code, label: "consulate-phone", caPem: nil)
        let certs = try vault.certificates()
        let vm = RequestViewModel(certificates: certs)
        await vm.send(.submit).value
        XCTAssertFalse(vm.state.fieldErrors.isEmpty)
        XCTAssertNotNil(vm.state.fieldErrors["applicant.surname"], "\(vm.state.fieldErrors)")
        XCTAssertTrue(vm.state.fieldErrors.values.allSatisfy { !$0.trimmingCharacters(in: .whitespaces).isEmpty })
        XCTAssertNil(vm.state.saved)
        XCTAssertTrue(try certs.list().isEmpty, "nothing saved")
        // Fixing the surname clears its message as the officer types (validated again by the core).
        var fixed = vm.state.form
        fixed.surname = "Sadykov"
        await vm.send(.edit(form: fixed)).value
        XCTAssertNil(vm.state.fieldErrors["applicant.surname"])
        XCTAssertFalse(vm.state.fieldErrors.isEmpty)
        // A malformed date is a message under its field, not a crash.
        var soon = goodForm()
        soon.travelDate = "soon"
        await vm.send(.edit(form: soon)).value
        XCTAssertNotNil(vm.state.fieldErrors["travel_date"])
        // The enrolled device's office fills the office.
        await vm.send(.edit(form: goodForm(office: ""))).value
        XCTAssertEqual(vm.state.fieldErrors, [:])
        await vm.send(.submit).value
        XCTAssertEqual(vm.state.saved?.state, "SUBMITTED")
        XCTAssertEqual(try certs.list().count, 1)
    }
}
