package app.homeward.ui

import androidx.compose.runtime.Composable
import app.homeward.ui.checkin.UnlockCodeSamples
import app.homeward.ui.checkin.UnlockCodeView
import app.homeward.ui.core.Answer
import app.homeward.ui.core.BundleRefusal
import app.homeward.ui.forward.ForwardSamples
import app.homeward.ui.forward.ForwardStep
import app.homeward.ui.forward.ForwardView
import app.homeward.ui.core.AnswerType
import app.homeward.ui.core.CaseSummary
import app.homeward.ui.core.CoreException
import app.homeward.ui.core.DeviceSummary
import app.homeward.ui.core.IssuedCertificate
import app.homeward.ui.core.Lang
import app.homeward.ui.core.RequestForm
import app.homeward.ui.core.RustVault
import app.homeward.ui.core.ScreeningSessionPort
import app.homeward.ui.core.LostItem
import app.homeward.ui.core.SyncProgress
import app.homeward.ui.core.SyncReport
import app.homeward.ui.core.Verification
import app.homeward.ui.core.YesNo
import app.homeward.ui.home.HomeState
import app.homeward.ui.home.HomeView
import app.homeward.ui.request.CertificateView
import app.homeward.ui.request.RequestListState
import app.homeward.ui.request.RequestListView
import app.homeward.ui.request.RequestState
import app.homeward.ui.request.RequestView
import app.homeward.ui.screening.OutcomeState
import app.homeward.ui.screening.OutcomeView
import app.homeward.ui.screening.ScreeningPhase
import app.homeward.ui.screening.ScreeningState
import app.homeward.ui.screening.ScreeningView
import app.homeward.ui.settings.SettingsState
import app.homeward.ui.settings.SettingsView
import app.homeward.ui.sync.EnrolState
import app.homeward.ui.sync.EnrolView
import app.homeward.ui.sync.SyncState
import app.homeward.ui.sync.SyncView
import app.homeward.ui.unlock.UnlockSamples
import app.homeward.ui.unlock.UnlockView
import app.homeward.ui.verify.VerifyState
import app.homeward.ui.verify.VerifyView
import com.google.zxing.BarcodeFormat
import com.google.zxing.qrcode.QRCodeWriter
import java.io.File

/**
 * Every screen in the states that matter, with the words the core gives in
 * [lang] where the core has them (questions, outcome, reasons, refusals):
 * the states the screenshot and accessibility tests render.
 */
class Screens(private val lang: Lang) {
    private val vault: RustVault = newVault().also { it.setLanguage(lang) }

    val all: Map<String, @Composable () -> Unit> by lazy { build() }

    private fun build(): Map<String, @Composable () -> Unit> {
        val out = linkedMapOf<String, @Composable () -> Unit>()
        // Unlock: the core's reason for a wrong PIN, in its own words.
        val wrong = wrongPin()
        val strings = app.homeward.ui.design.Strings(lang)
        out["unlock-create"] = { UnlockView(UnlockSamples.create) }
        out["unlock-wrong-pin"] = { UnlockView(UnlockSamples.wrongPin(strings.wrongPin, wrong.attemptsRemaining!!, wrong.retryAfterSecs!!)) }
        out["unlock-wiped"] = { UnlockView(UnlockSamples.wiped) }

        val drafts = listOf(
            app.homeward.ui.core.ScreeningSummary("d1", "OSH-AIRPORT", "2026-11-29", false),
            app.homeward.ui.core.ScreeningSummary("d2", "OSH-AIRPORT", "2026-11-28", false),
        )
        out["home"] = {
            HomeView(HomeState(drafts, DeviceSummary(true, "OSH", "BORDER_GUARD", "https://hq", 7, 0), 5, null), {})
        }
        out["home-not-enrolled"] = { HomeView(HomeState(emptyList(), DeviceSummary(false, null, null, null, 7, null), null, null), {}) }

        // The screening from the core in this language, question by question.
        // A fixed date: the core's messages may name it, and the goldens must not change with the calendar.
        val session = vault.screenings().start("OSH-AIRPORT", lang, screeningDate = "2026-11-29")
        val states = walk(session)
        states.forEach { (name, state) -> out[name] = { ScreeningView(state, {}, {}) } }
        val outcome = session.outcome()
        val wording = session.consentWording(app.homeward.ui.screening.partnerName(lang))
        out["outcome-presumed-victim"] = { OutcomeView(OutcomeState(outcome, lang, false, null, false, wording) {}, {}) }
        out["outcome-consented"] = { OutcomeView(OutcomeState(outcome, lang, true, null, false, wording) {}, {}) }

        // Verification: a valid certificate and the core's refusals.
        val valid = Verification.Valid("IST-2026-000017", "Sadykov Bakyt", "1988-08-08", "IST", "2026-12-22", 0, emptyList(), 3)
        val garbled = vault.certificates().verify("HW1:garbled")
        out["verify-scan"] = { VerifyView(VerifyState("", null, false, null, false) {}, {}) }
        out["verify-valid"] = { VerifyView(VerifyState("", valid, false, null, false) {}, {}) }
        out["verify-entry-recorded"] = { VerifyView(VerifyState("", valid, true, null, false) {}, {}) }
        out["verify-refused"] = { VerifyView(VerifyState("", garbled, false, null, false) {}, {}) }

        // The request form with the core's messages under its fields.
        val problems = vault.certificates().validate(RequestForm(surname = "Sadykov", dateOfBirth = "08.08.1988"))
        out["request-empty"] = { RequestView(RequestState(RequestForm(), emptyMap(), null, null, false, false) {}, {}, camera = {}) }
        out["request-errors"] = {
            RequestView(RequestState(RequestForm(surname = "Sadykov", dateOfBirth = "08.08.1988"), problems.associate { it.field to it.message }, null, null, false, true) {}, {}, camera = {})
        }
        out["request-submitted"] = {
            RequestView(RequestState(RequestPresenterTest.goodForm().copy(travelDate = "2026-12-05"), emptyMap(), CaseSummary("c0ffee42-case", "SUBMITTED", null, false, true), null, false, true) {}, {})
        }
        out["requests"] = {
            RequestListView(
                RequestListState(
                    listOf(
                        CaseSummary("7f3a9c21-aaaa", "APPROVED", null, false, true),
                        CaseSummary("19bd04e7-bbbb", "SUBMITTED", null, true, true),
                        CaseSummary("a44c2f90-cccc", "ISSUED", "IST-2026-000016", false, true),
                    ),
                    null, null,
                ) {},
                {},
            )
        }
        out["certificate-qr"] = { CertificateView(sampleCertificate, {}) }

        out["sync-running"] = { SyncView(SyncState(true, SyncProgress(3, 0, 2048, 512), null, false, null, null) {}, {}) }
        out["sync-done"] = { SyncView(SyncState(false, SyncProgress(3, 2, 2048, 4096), SyncReport(3, 0, 2, false), false, null, null) {}, {}) }
        out["sync-restored"] = {
            val lost = listOf(
                LostItem(true, "c0ffee42-0000-4000-8000-000000000001", "2026-11-28", true),
                LostItem(false, "5c7e3a11-0000-4000-8000-000000000002", "2026-11-29", false),
            )
            SyncView(SyncState(false, SyncProgress(1, 4, 1024, 8192), SyncReport(1, 0, 4, true), false, null, lost) {}, {})
        }
        out["sync-cancelled"] = { SyncView(SyncState(false, SyncProgress(3, 0, 2048, 0), null, true, "cancelled", null) {}, {}) }
        out["enrol"] = { EnrolView(EnrolState("https://", "", "", "", null, null, false) {}, {}) }
        vault.setLanguage(lang)
        val posts = vault.settings().crossingPoints()
        out["settings"] = { SettingsView(SettingsState(lang, "OSH-AIRPORT", posts, "2", "${vault.settings().retentionDays()}", "", "", "", "", "", null, null) {}, {}) }
        out["settings-no-crossing-point"] = { SettingsView(SettingsState(lang, null, posts, "2", "30", "", "", "", "", "", null, null) {}, {}) }

        // Check-in overdue at a post with no link: the home screen's way out, and the code screen.
        out["home-check-in-overdue"] = {
            HomeView(HomeState(emptyList(), DeviceSummary(true, "OSH", "BORDER_GUARD", "https://hq", 14, 0, checkInLocked = true, deviceId = "osh-airport-03"), 0, null), {})
        }
        val (firstWrong, thirdWrong) = wrongUnlockCodes()
        out["unlock-code"] = { UnlockCodeView(UnlockCodeSamples.typed, {}) }
        out["unlock-code-refused"] = { UnlockCodeView(UnlockCodeSamples.refused(firstWrong.reason, 0), {}) }
        out["unlock-code-wait"] = { UnlockCodeView(UnlockCodeSamples.refused(thirdWrong.reason, thirdWrong.retryAfterSecs ?: 60), {}) }
        out["unlock-code-done"] = { UnlockCodeView(UnlockCodeSamples.done, {}) }

        // Store and forward: a real frame's QR from the core, and the core's refusals in this language.
        val forward = vault.forward()
        val frameQr = forward.qr("HWF1:" + "0".repeat(300))
        val malformed = refusal { forward.importFile("{ not a bundle") }
        val notAFrame = refusal { forward.reader().push("a certificate, not a frame") }
        val scan: app.homeward.ui.verify.Scanner = {}
        out["forward-outbox"] = { ForwardView(ForwardSamples.outbox, {}, scanner = scan, pickFile = {}) }
        out["forward-frames"] = { ForwardView(ForwardSamples.showing(frameQr, 96), {}) }
        out["forward-reading"] = { ForwardView(ForwardSamples.reading, {}, scanner = scan) }
        out["forward-taken"] = { ForwardView(ForwardSamples.taken, {}, scanner = scan, pickFile = {}) }
        out["forward-refused-read"] = { ForwardView(ForwardSamples.refused(notAFrame, ForwardStep.READING), {}, scanner = scan) }
        out["forward-refused-import"] = { ForwardView(ForwardSamples.refused(malformed, ForwardStep.IMPORTING), {}, scanner = scan, pickFile = {}) }
        return out
    }

    /** The core's refusals of the first and of the third wrong unlock code in a row, in [lang]. */
    private fun wrongUnlockCodes(): Pair<CoreException, CoreException> {
        val v = newVault().also { it.setLanguage(lang) }
        val refusals = (1..3).map { i ->
            try {
                v.sync().enterUnlockCode("WRONG${i}WRON")
                error("a made-up unlock code was taken")
            } catch (e: CoreException) {
                e
            }
        }
        return refusals.first() to refusals.last()
    }

    private fun refusal(block: () -> Unit): BundleRefusal {
        val e = try { block(); error("the core took it") } catch (e: CoreException) { e }
        check(e.kind == app.homeward.ui.core.ErrorKind.BundleRefused) { "${e.kind}: ${e.reason}" }
        return BundleRefusal(e.code!!, e.reason)
    }

    private fun wrongPin(): CoreException {
        val v = RustVault(File(tempDir("wrong"), "vault").path, null, lightSettings(maxAttempts = 5, unlockDelayMs = 1000L))
        v.create(LONG_PIN)
        v.lock()
        return try {
            v.unlock("not the passphrase")
            error("a wrong passphrase unlocked")
        } catch (e: CoreException) {
            e
        }
    }

    /** Walks the presumed-victim scenario and keeps the states worth a picture. */
    private fun walk(s: ScreeningSessionPort): List<Pair<String, ScreeningState>> {
        val shots = mutableListOf<Pair<String, ScreeningState>>()
        fun state(phase: ScreeningPhase, q: app.homeward.ui.core.Question?, typed: String = "", error: String? = null, ticked: Set<String> = emptySet()) =
            ScreeningState(phase, q, s.progress(), typed, ticked, error, lang, shots.isNotEmpty(), false) {}
        shots += "screening-first-question" to state(ScreeningPhase.ASKING, s.next())
        while (true) {
            val q = s.next()
            if (q == null) {
                if (s.progress().leftForPrivate > 0 && !s.progress().inPrivateInterview) {
                    shots += "screening-private-prompt" to state(ScreeningPhase.PRIVATE_PROMPT, null)
                    s.moveToPrivate()
                    continue
                }
                break
            }
            when (q.id) {
                "date_of_birth" -> {
                    val reason = try { s.answer(q.id, Answer.Date("2999-01-01")); null } catch (e: CoreException) { e.reason }
                    shots += "screening-date-refused" to state(ScreeningPhase.ASKING, q, "2999-01-01", reason)
                }
                "documents" -> shots += "screening-single-choice" to state(ScreeningPhase.ASKING, q)
                "recruited" -> shots += "screening-yes-no" to state(ScreeningPhase.ASKING, q)
                "promised_work" -> shots += "screening-multiple-choice" to state(ScreeningPhase.ASKING, q, ticked = setOf("construction"))
            }
            if (q.privateOnly && shots.none { it.first == "screening-private-question" }) {
                shots += "screening-private-question" to state(ScreeningPhase.ASKING, q)
            }
            val a = presumedVictimScenario[q.id]
            when {
                a != null -> s.answer(q.id, a)
                q.type == AnswerType.YesNo -> s.answer(q.id, Answer.Tri(YesNo.NO))
                else -> s.skip(q.id)
            }
        }
        shots += "screening-done" to state(ScreeningPhase.DONE, null)
        return shots
    }

    companion object {
        /** A QR code made by ZXing for the picture only; the flow test draws the core's own. */
        val sampleCertificate: IssuedCertificate by lazy {
            val text = "HW1:sample-for-the-screenshot-only"
            val m = QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, 0, 0, mapOf(com.google.zxing.EncodeHintType.MARGIN to 0))
            IssuedCertificate(
                "IST-2026-000017", "Sadykov Bakyt", "2026-12-22", text, m.width,
                (0 until m.height).flatMap { y -> (0 until m.width).map { x -> m.get(x, y) } },
            )
        }
    }
}
