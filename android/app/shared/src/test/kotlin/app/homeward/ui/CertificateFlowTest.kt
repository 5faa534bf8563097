package app.homeward.ui

import app.homeward.ui.core.Refusal
import app.homeward.ui.core.Verification
import app.homeward.ui.core.Lang
import app.homeward.ui.request.CertificateView
import app.homeward.ui.request.RequestListEvent
import app.homeward.ui.request.RequestListPresenter
import app.homeward.ui.sync.EnrolEvent
import app.homeward.ui.sync.EnrolPresenter
import app.homeward.ui.sync.SyncEvent
import app.homeward.ui.sync.SyncPresenter
import app.homeward.ui.verify.QrDecoder
import app.homeward.ui.verify.VerifyEvent
import app.homeward.ui.verify.VerifyPresenter
import org.junit.AfterClass
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.BeforeClass
import org.junit.Test

/**
 * A consulate and a border post enrolled with a real homeward-hq: enrolment
 * and sync through their presenters, issuance, the QR code as the screen
 * draws it read back by the camera's decoder (ZXing), and verification at
 * entry of the valid and of a tampered certificate.
 */
class CertificateFlowTest {
    companion object {
        private lateinit var hq: Headquarters

        @BeforeClass @JvmStatic
        fun start() { hq = Headquarters() }

        @AfterClass @JvmStatic
        fun stop() { hq.close() }
    }

    @Test
    fun `request, sync, issue, QR on screen read by the decoder, verify valid and tampered at entry`() {
        val consulate = newVault()
        val border = newVault()

        testPresenter({ EnrolPresenter(consulate.sync()).present() }) {
            val s = awaitItem()
            s.eventSink(EnrolEvent.Edit(hq.url, hq.enrollmentCode("IST", "consular_officer"), "", "consulate-pc"))
            awaitUntil { it.code.isNotBlank() }.eventSink(EnrolEvent.Enrol)
            assertEquals("IST", awaitUntil("enrolled") { it.enrolledOffice != null }.enrolledOffice)
            cancelAndIgnoreRemainingEvents()
        }
        // A used code: headquarters' refusal, in words, on the screen.
        testPresenter({ EnrolPresenter(newVault().sync()).present() }) {
            val s = awaitItem()
            s.eventSink(EnrolEvent.Edit(hq.url, "not-a-code", "", "x"))
            awaitUntil { it.code.isNotBlank() }.eventSink(EnrolEvent.Enrol)
            val refused = awaitUntil("refusal") { it.error != null && !it.busy }
            assertNull(refused.enrolledOffice)
            cancelAndIgnoreRemainingEvents()
        }
        border.sync().enrol(hq.url, hq.enrollmentCode("OSH", "border_guard"), "border-phone", null)

        val case = consulate.certificates().create(RequestPresenterTest.goodForm(office = ""), submit = true)
        assertEquals("SUBMITTED", case.state)

        // Sync through the presenter, with progress.
        testPresenter({ SyncPresenter(consulate.sync()).present() }) {
            awaitItem().eventSink(SyncEvent.Start)
            val done = awaitUntil("the report") { it.report != null && !it.running }
            assertTrue("progress shown", done.progress != null && done.progress!!.eventsSent >= 2)
            assertEquals(null, done.error)
            cancelAndIgnoreRemainingEvents()
        }
        hq.admin("decide", case.caseId, "verify-identity")
        hq.admin("decide", case.caseId, "approve", "--days", "20")
        consulate.sync().sync {}

        val issued = run {
            var cert: app.homeward.ui.core.IssuedCertificate? = null
            testPresenter({ RequestListPresenter(consulate.certificates()).present() }) {
                val list = awaitUntil("the approved case") { s -> s.cases.any { it.caseId == case.caseId && it.state == "APPROVED" } }
                list.eventSink(RequestListEvent.Issue(case.caseId))
                cert = awaitUntil("the certificate") { it.issued != null }.issued
                cancelAndIgnoreRemainingEvents()
            }
            cert!!
        }
        assertEquals(issued.qrWidth * issued.qrWidth, issued.qrModules.size)
        consulate.sync().sync {}

        // The QR code as the certificate screen draws it on a phone (2 px per dp, 720 px wide),
        // read by the decoder the camera uses.
        val screen = render(Lang.EN, density = 2f) { CertificateView(issued, onBack = {}) }
        val decoded = QrDecoder.decode(screen.argb(), screen.width, screen.height)
        assertEquals("the drawn QR code reads back as the core's barcode", issued.barcode, decoded)
        // A frame with no code in it reads as nothing (the officer is asked to scan again).
        val blank = IntArray(100 * 100) { -1 }
        assertNull(QrDecoder.decode(blank, 100, 100))

        border.sync().sync {}
        val tampered = issued.barcode.toCharArray().also { c ->
            val i = c.size - 10
            c[i] = if (c[i] == '0') '1' else '0'
        }.concatToString()
        testPresenter({ VerifyPresenter(border.certificates(), "MANAS").present() }) {
            awaitItem().eventSink(VerifyEvent.Scanned(decoded!!))
            val valid = awaitUntil("a verdict") { it.result != null && !it.busy }
            val v = valid.result as Verification.Valid
            assertTrue(v.holder, v.holder.startsWith("Sadykov"))
            valid.eventSink(VerifyEvent.RecordEntry)
            val entered = awaitUntil("entry") { it.entryRecorded && !it.busy }
            // The tampered one, typed by hand.
            entered.eventSink(VerifyEvent.Reset)
            val reset = awaitUntil { it.result == null }
            reset.eventSink(VerifyEvent.ManualChanged(tampered))
            awaitUntil { it.manual == tampered }.eventSink(VerifyEvent.CheckManual)
            val refused = awaitUntil("a refusal") { it.result is Verification.Refused && !it.busy }.result as Verification.Refused
            assertTrue("${refused.reason}", refused.reason == Refusal.BAD_SIGNATURE || refused.reason == Refusal.UNREADABLE)
            assertTrue(refused.explanation.isNotBlank())
            cancelAndIgnoreRemainingEvents()
        }
        // Used once: the same certificate is refused now.
        val again = border.certificates().verify(issued.barcode)
        assertEquals(Refusal.ALREADY_USED, (again as Verification.Refused).reason)
        // Worded by the core in the app's language for the guard at the barrier.
        border.setLanguage(app.homeward.ui.core.Lang.RU)
        val ru = border.certificates().verify(issued.barcode) as Verification.Refused
        assertTrue(ru.explanation, ru.explanation.startsWith("По этому свидетельству уже был въезд: MANAS"))
        val garbled = border.certificates().verify("HW1:garbled") as Verification.Refused
        assertEquals("Код повреждён или считан не полностью.", garbled.explanation)
        assertNotNull(border.certificates().device().lastCheckInUnixMs)
    }
}
