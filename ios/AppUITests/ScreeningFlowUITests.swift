// The screening flow through the app's own UI, on the real core: create the
// vault, start a screening at the fixed crossing point, answer every
// question the core asks with the buttons an officer would press, take the
// private interview when the core asks for it, see the outcome with its
// verdict, and finalise. The app runs with -ui-testing (HomewardApp.swift:
// a fresh vault in a temporary folder on the core's software key store, English).
//
// What is answered: "No" to every yes/no question, the first option of a
// choice, a plausible value where something must be typed, Skip where
// allowed. The verdict then depends on the checklist; the test asserts
// that there is one, with its words, and that finalising makes it final.

import XCTest

final class ScreeningFlowUITests: XCTestCase {
    private var app: XCUIApplication!

    override func setUp() {
        continueAfterFailure = false
        app = XCUIApplication()
        app.launchArguments = ["-ui-testing"]
        app.launch()
    }

    private func element(_ id: String) -> XCUIElement { app.descendants(matching: .any)[id] }

    func testAScreeningFromTheFirstQuestionToAFinalOutcome() {
        // Create: a PIN, twice, on the number pad (this launch binds the vault to the core's
        // software key store, so digits are enough).
        let pin = app.secureTextFields["pin"]
        XCTAssertTrue(pin.waitForExistence(timeout: 30))
        pin.tap()
        pin.typeText("482915")
        let again = app.secureTextFields["pin-again"]
        again.tap()
        again.typeText("482915")
        app.buttons["submit"].tap()

        let start = app.buttons["home-screening"]
        XCTAssertTrue(start.waitForExistence(timeout: 30), "home after the vault is made")
        start.tap()

        var steps = 0
        while !app.buttons["outcome"].exists || app.buttons["start-private"].exists {
            steps += 1
            XCTAssertLessThan(steps, 120, "the screening ends")
            if app.buttons["start-private"].exists {
                app.buttons["start-private"].tap()
                continue
            }
            XCTAssertTrue(element("question").waitForExistence(timeout: 30), "a question after \(steps) steps")
            answerShownQuestion()
        }
        app.buttons["outcome"].tap()

        let verdict = element("verdict")
        XCTAssertTrue(verdict.waitForExistence(timeout: 30))
        XCTAssertTrue(element("finality").label.contains("Provisional"))
        app.buttons["finalise"].tap()
        let final = NSPredicate { _, _ in self.element("finality").label == "Final" }
        expectation(for: final, evaluatedWith: nil)
        waitForExpectations(timeout: 30)
        XCTAssertFalse(app.buttons["finalise"].exists, "nothing left to finalise")
    }

    /// One question, answered as described at the top.
    private func answerShownQuestion() {
        let position = element("position").label
        if app.buttons["no"].exists {
            app.buttons["no"].tap()
        } else if element("answer").exists {
            // A text field, or a text view for a free-text answer (several lines).
            let field = element("answer")
            let hint = field.placeholderValue ?? ""
            field.tap()
            field.typeText(hint.contains("YYYY") ? "1990-04-02" : (hint.contains("0") || hint.contains("1") ? "1" : "x"))
            app.buttons["confirm"].tap()
        } else if app.buttons["skip"].exists {
            app.buttons["skip"].tap()
        } else {
            let option = app.descendants(matching: .any).matching(NSPredicate(format: "identifier BEGINSWITH 'option-'")).firstMatch
            XCTAssertTrue(option.exists, "something to answer at \(position)")
            option.tap()
            if app.buttons["confirm"].exists { app.buttons["confirm"].tap() }
        }
        // The next question (or the end) replaces this one.
        let moved = NSPredicate { _, _ in
            self.element("position").label != position || !self.element("question").exists
        }
        expectation(for: moved, evaluatedWith: nil)
        waitForExpectations(timeout: 30)
    }
}
