// Mirrors ScreeningPresenterTest.kt, case for case: the screening, outcome and
// home view models over a real vault.

import XCTest
@testable import Homeward

@MainActor
final class ScreeningViewModelTests: XCTestCase {
    /// Sends the scenario's answer (or "no" / skip) through the view model's events, as the buttons do.
    private func answer(_ vm: ScreeningViewModel) async throws {
        let q = try XCTUnwrap(vm.state.question)
        switch presumedVictimScenario[q.id] {
        case let .tri(value)?: await vm.send(.answerYesNo(value: value)).value
        case let .choice(id)?: await vm.send(.choose(optionId: id)).value
        case let .choices(ids)?:
            for id in ids { vm.send(.toggle(optionId: id)) }
            await vm.send(.confirm).value
        case let .date(iso)?:
            vm.send(.type(text: iso))
            await vm.send(.confirm).value
        case nil:
            if q.type == .yesNo {
                await vm.send(.answerYesNo(value: .no)).value
            } else if !q.required {
                await vm.send(.skip).value
            } else {
                XCTFail("required question \(q.id) has no answer in the scenario")
            }
        default:
            XCTFail("unexpected \(q.id)")
        }
    }

    func testAFullScreeningThroughTheViewModelEndsInPresumedVictim() async throws {
        let vault = try newVault()
        let session = try vault.screenings().start(crossingPoint: "OSH-AIRPORT", language: .en, screeningDate: nil)
        var asked: [String] = []
        let vm = ScreeningViewModel(session: session)
        await vm.load()
        XCTAssertEqual(vm.state.phase, .asking)
        XCTAssertFalse(vm.state.canGoBack, "nothing to go back to")
        while vm.state.phase != .done {
            if vm.state.phase == .privatePrompt {
                await vm.send(.startPrivateInterview).value
                XCTAssertEqual(vm.state.phase, .asking)
                XCTAssertTrue(try XCTUnwrap(vm.state.progress).inPrivateInterview)
                continue
            }
            let q = try XCTUnwrap(vm.state.question)
            XCTAssertFalse(asked.contains(q.id), "\(q.id) asked twice")
            asked.append(q.id)
            XCTAssertFalse(q.text.trimmingCharacters(in: .whitespaces).isEmpty)
            XCTAssertTrue((1...q.total).contains(q.position), "position \(q.position) of \(q.total)")
            try await answer(vm)
            XCTAssertFalse(vm.state.busy)
            XCTAssertNil(vm.state.error, "no error after \(q.id)")
            XCTAssertTrue(vm.state.question?.id != q.id || vm.state.phase != .asking, "\(q.id) asked again at once")
            XCTAssertTrue(vm.state.canGoBack)
        }
        XCTAssertGreaterThan(asked.count, 25, "asked \(asked.count)")
        XCTAssertTrue(asked.contains("sexual"), "the sensitive questions in private")
        XCTAssertFalse(asked.contains("unaccompanied"), "no child section for an adult")

        let outcome = OutcomeViewModel(session: session)
        await outcome.load()
        let o = try XCTUnwrap(outcome.state.outcome)
        XCTAssertEqual(o.verdict, .presumedVictim)
        XCTAssertFalse(o.isFinal)
        XCTAssertTrue(Set(o.why.map(\.element)).isSuperset(of: ["Act", "Means"]))
        XCTAssertTrue(o.actions.allSatisfy { !$0.basis.trimmingCharacters(in: .whitespaces).isEmpty })
        await outcome.send(.consentToReferral).value
        XCTAssertTrue(outcome.state.consentRecorded)
        await outcome.send(.finalise).value
        XCTAssertEqual(outcome.state.outcome?.isFinal, true)
        XCTAssertEqual(outcome.state.outcome?.verdict, .presumedVictim)
        XCTAssertNil(outcome.state.error)
        XCTAssertEqual(try session.consents(), ["IOM"])
    }

    func testHomeListsADraftAndResumingItGoesOnWhereItStopped() async throws {
        let vault = try newVault()
        let session = try vault.screenings().start(crossingPoint: "OSH-AIRPORT", language: .en, screeningDate: nil)
        let first = try XCTUnwrap(try session.next())
        _ = try session.answer(questionId: first.id, answer: .tri(value: .no))
        let home = HomeViewModel(vault: vault)
        await home.load()
        XCTAssertEqual(home.state.drafts.map(\.id), [session.id])
        XCTAssertEqual(home.state.device?.enrolled, false)
        let resumed = try vault.screenings().resume(id: session.id)
        let vm = ScreeningViewModel(session: resumed)
        await vm.load()
        XCTAssertEqual(vm.state.phase, .asking)
        XCTAssertNotEqual(vm.state.question?.id, first.id, "not asked again")
        XCTAssertEqual(vm.state.progress?.answered, 1)
    }

    func testBackReopensThePreviousQuestionTheLanguageSwitchesAndABadAnswerShowsTheCoresReason() async throws {
        let vault = try newVault()
        let session = try vault.screenings().start(crossingPoint: "OSH-AIRPORT", language: .en, screeningDate: nil)
        let vm = ScreeningViewModel(session: session)
        await vm.load()
        let q1 = try XCTUnwrap(vm.state.question)
        try await answer(vm)
        let q2 = try XCTUnwrap(vm.state.question)
        XCTAssertNotEqual(q2.id, q1.id)
        // Switch to Kyrgyz: the same question, in the core's Kyrgyz.
        await vm.send(.switchLanguage(language: .ky)).value
        XCTAssertEqual(vm.state.language, .ky)
        XCTAssertEqual(vm.state.question?.id, q2.id)
        XCTAssertNotEqual(vm.state.question?.text, q2.text)
        XCTAssertEqual(session.language(), .ky)
        // Back: the first question again, to change its answer.
        await vm.send(.back).value
        XCTAssertEqual(vm.state.question?.id, q1.id)
        XCTAssertFalse(vm.state.canGoBack)
        try await answer(vm)
        XCTAssertEqual(vm.state.question?.id, q2.id)
        // A date after the screening date is refused by the core, with its reason under the question.
        if vm.state.question?.type == .date {
            vm.send(.type(text: "2999-01-01"))
            await vm.send(.confirm).value
            XCTAssertEqual(vm.state.question?.id, q2.id)
            let error = try XCTUnwrap(vm.state.error)
            XCTAssertFalse(error.trimmingCharacters(in: .whitespaces).isEmpty)
        }
    }
}
