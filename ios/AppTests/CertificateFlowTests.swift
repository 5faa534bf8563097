// Mirrors CertificateFlowTest.kt: a consulate and a border post enrolled with
// the test headquarters; enrolment and sync through their view models,
// issuance, the QR code as the certificate screen draws it read back by a
// QR reader (CoreImage's detector here, ZXing in Kotlin), and verification
// at entry of the valid and of a tampered certificate.

import CoreImage
import XCTest
@testable import Homeward

@MainActor
final class CertificateFlowTests: XCTestCase {
    func testRequestSyncIssueQrReadBackVerifyValidAndTamperedAtEntry() async throws {
        let hq = try headquarters()
        let consulate = try newVault()
        let border = try newVault()

        let enrol = EnrolViewModel(sync: try consulate.sync())
        enrol.send(.edit(url: hq.url, code: hq.enrollmentCode(office: "IST", role: "consular_officer"), caPem: "", label: "consulate-phone"))
        await enrol.send(.enrol).value
        XCTAssertEqual(enrol.state.enrolledOffice, "IST", enrol.state.error ?? "")

        // A wrong code: headquarters' refusal, in words, on the screen.
        let refused = EnrolViewModel(sync: try newVault().sync())
        refused.send(.edit(url: hq.url, code: "not-a-code", caPem: "", label: "x"))
        await refused.send(.enrol).value
        XCTAssertNotNil(refused.state.error)
        XCTAssertNil(refused.state.enrolledOffice)

        _ = try await border.sync().enrol(url: hq.url, code: hq.enrollmentCode(office: "OSH", role: "border_guard"),
                                          label: "border-phone", caPem: nil)
        let created = try consulate.certificates().create(form: goodForm(office: ""), submit: true)
        XCTAssertEqual(created.state, "SUBMITTED")

        // Sync through the view model, with progress.
        let sync = SyncViewModel(sync: try consulate.sync())
        await sync.send(.start).value
        XCTAssertNotNil(sync.state.report, sync.state.error ?? "")
        XCTAssertFalse(sync.state.running)
        XCTAssertGreaterThanOrEqual(sync.state.progress?.eventsSent ?? 0, 2, "progress shown")
        XCTAssertNil(sync.state.error)

        // The test headquarters approves submitted cases by itself (ios/scripts/test-hq);
        // sync until the decision has come back, as an officer would.
        let list = RequestListViewModel(certificates: try consulate.certificates())
        for _ in 0..<30 {
            _ = try await consulate.sync().sync { _ in }
            await list.load()
            if list.state.cases.contains(where: { $0.caseId == created.caseId && $0.state == "APPROVED" }) { break }
            try await Task.sleep(for: .seconds(1))
        }
        XCTAssertTrue(list.state.cases.contains { $0.caseId == created.caseId && $0.state == "APPROVED" }, "\(list.state.cases)")
        await list.send(.issue(caseId: created.caseId)).value
        let issued = try XCTUnwrap(list.state.issued, list.state.error ?? "")
        XCTAssertEqual(issued.qrWidth * issued.qrWidth, issued.qrModules.count)
        _ = try await consulate.sync().sync { _ in }

        // The QR code as the certificate screen draws it, read by a QR reader.
        let drawn = try XCTUnwrap(QrImage.make(issued))
        let decoded = try XCTUnwrap(readQr(drawn), "the drawn QR code reads")
        XCTAssertEqual(decoded, issued.barcode, "the drawn QR code reads back as the core's barcode")

        _ = try await border.sync().sync { _ in }
        var chars = Array(issued.barcode)
        let i = chars.count - 10
        chars[i] = chars[i] == "0" ? "1" : "0"
        let tampered = String(chars)

        let verify = VerifyViewModel(certificates: try border.certificates(), crossingPoint: "MANAS")
        await verify.send(.scanned(barcode: decoded)).value
        guard case let .valid(_, holder, _, _, _, _, _, _)? = verify.state.result else {
            return XCTFail("not valid: \(String(describing: verify.state.result)) \(verify.state.error ?? "")")
        }
        XCTAssertTrue(holder.hasPrefix("Sadykov"), holder)
        await verify.send(.recordEntry).value
        XCTAssertTrue(verify.state.entryRecorded)
        // The tampered one, typed by hand.
        verify.send(.reset)
        XCTAssertNil(verify.state.result)
        verify.send(.manualChanged(text: tampered))
        await verify.send(.checkManual).value
        guard case let .refused(reason, explanation)? = verify.state.result else {
            return XCTFail("not refused: \(String(describing: verify.state.result))")
        }
        XCTAssertTrue(reason == .badSignature || reason == .unreadable, "\(reason)")
        XCTAssertFalse(explanation.trimmingCharacters(in: .whitespaces).isEmpty)
        // Used once: the same certificate is refused now.
        guard case let .refused(again, _) = try border.certificates().verify(barcode: issued.barcode) else {
            return XCTFail("a used certificate verified again")
        }
        XCTAssertEqual(again, .alreadyUsed)
        XCTAssertNotNil(try border.certificates().device().lastCheckInUnixMs)
    }

    func testAFrameWithNoCodeInItReadsAsNothing() throws {
        let blank = CIImage(color: .white).cropped(to: CGRect(x: 0, y: 0, width: 100, height: 100))
        let cg = try XCTUnwrap(CIContext().createCGImage(blank, from: blank.extent))
        XCTAssertNil(readQr(cg))
    }

    /// CoreImage's QR detector over the bitmap scaled up 8 times without smoothing, as a screen shows it.
    private func readQr(_ image: CGImage) -> String? {
        let scaled = CIImage(cgImage: image).samplingNearest().transformed(by: CGAffineTransform(scaleX: 8, y: 8))
        let detector = CIDetector(ofType: CIDetectorTypeQRCode, context: nil, options: [CIDetectorAccuracy: CIDetectorAccuracyHigh])
        return detector?.features(in: scaled).compactMap { ($0 as? CIQRCodeFeature)?.messageString }.first
    }
}
