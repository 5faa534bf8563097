package app.homeward.ui

import app.homeward.ui.core.RequestForm
import app.homeward.ui.request.RequestEvent
import app.homeward.ui.request.RequestPresenter
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertTrue
import org.junit.AfterClass
import org.junit.BeforeClass
import org.junit.Test
import java.time.LocalDate

class RequestPresenterTest {
    companion object {
        private lateinit var hq: Headquarters

        @BeforeClass @JvmStatic
        fun start() { hq = Headquarters() }

        @AfterClass @JvmStatic
        fun stop() { hq.close() }

        /** Not enrolled here, so the office is named (an enrolled device fills its own). */
        fun goodForm(surname: String = "Sadykov", office: String = "IST") = RequestForm(
            issuingOffice = office,
            surname = surname,
            givenName = "Bakyt",
            dateOfBirth = "1988-08-08",
            placeOfBirth = "Talas",
            sex = "M",
            oldPassport = "AN7000001",
            route = "Istanbul - Bishkek (Manas)",
            travelDate = LocalDate.now().plusDays(3).toString(),
            assessment = "identity consistent with the interview",
        )
    }

    @Test
    fun `a request from a device not enrolled says so and keeps the form`() {
        val certs = newVault().certificates()
        testPresenter({ RequestPresenter(certs).present() }) {
            awaitItem().eventSink(RequestEvent.Edit(goodForm()))
            awaitUntil { it.form == goodForm() }.eventSink(RequestEvent.Submit)
            val refused = awaitUntil("the refusal") { it.error != null && !it.busy }
            assertTrue(refused.error!!, refused.error!!.contains("enrol"))
            assertEquals("nothing typed is lost", goodForm(), refused.form)
            cancelAndIgnoreRemainingEvents()
        }
    }

    @Test
    fun `an empty request shows the core's messages under their fields, then a fixed one is submitted`() {
        val vault = newVault()
        vault.sync().enrol(hq.url, hq.enrollmentCode("IST", "consular_officer"), "consulate-pc", null)
        val certs = vault.certificates()
        testPresenter({ RequestPresenter(certs).present() }) {
            val empty = awaitItem()
            empty.eventSink(RequestEvent.Submit)
            val refused = awaitUntil("field errors") { it.fieldErrors.isNotEmpty() && !it.busy }
            assertTrue(refused.fieldErrors.toString(), "applicant.surname" in refused.fieldErrors)
            assertTrue(refused.fieldErrors.values.all { it.isNotBlank() })
            assertEquals(null, refused.saved)
            assertTrue("nothing saved", certs.list().isEmpty())
            // Fixing the surname clears its message as the officer types (validated again by the core).
            refused.eventSink(RequestEvent.Edit(refused.form.copy(surname = "Sadykov")))
            val fewer = awaitUntil("revalidated") { it.form.surname == "Sadykov" && "applicant.surname" !in it.fieldErrors && it.fieldErrors.isNotEmpty() }
            // A malformed date is a message under its field, not a crash.
            fewer.eventSink(RequestEvent.Edit(goodForm().copy(travelDate = "soon")))
            val date = awaitUntil("date error") { it.form.travelDate == "soon" && "travel_date" in it.fieldErrors }
            // The enrolled device's office fills the office.
            date.eventSink(RequestEvent.Edit(goodForm(office = "")))
            val good = awaitUntil("no errors") { it.form == goodForm(office = "") && it.fieldErrors.isEmpty() }
            good.eventSink(RequestEvent.Submit)
            val saved = awaitUntil("saved") { it.saved != null && !it.busy }
            assertEquals("SUBMITTED", saved.saved!!.state)
            cancelAndIgnoreRemainingEvents()
        }
        assertNotNull(certs.list().singleOrNull())
    }

    @Test
    fun `a file that is not a photo is refused with nothing saved, a real photo goes with the request`() {
        val vault = newVault()
        vault.sync().enrol(hq.url, hq.enrollmentCode("IST", "consular_officer"), "consulate-pc", null)
        val certs = vault.certificates()
        testPresenter({ RequestPresenter(certs).present() }) {
            awaitItem().eventSink(RequestEvent.Edit(goodForm(office = "")))
            val filled = awaitUntil { it.form == goodForm(office = "") }
            // What a camera that read garbage (or a wrong file) hands over.
            filled.eventSink(RequestEvent.PhotoTaken("GIF89a-not-a-photo".toByteArray()))
            awaitUntil { it.hasPhoto }.eventSink(RequestEvent.Submit)
            val refused = awaitUntil("refusal") { it.error != null && !it.busy }
            assertTrue(refused.error!!, refused.error!!.contains("JPEG"))
            assertEquals(null, refused.saved)
            assertTrue("nothing saved", certs.list().isEmpty())
            assertTrue("the form and the photo stay for another try", refused.hasPhoto && refused.form == goodForm(office = ""))
            refused.eventSink(RequestEvent.PhotoTaken(png()))
            awaitUntil { it.error == null }.eventSink(RequestEvent.Submit)
            val saved = awaitUntil("saved") { it.saved != null && !it.busy }
            assertEquals("SUBMITTED", saved.saved!!.state)
            cancelAndIgnoreRemainingEvents()
        }
        assertEquals(1, certs.list().size)
    }

    /** A real PNG, as a camera's picture would be after encoding. */
    private fun png(): ByteArray {
        val img = java.awt.image.BufferedImage(60, 80, java.awt.image.BufferedImage.TYPE_INT_RGB)
        for (y in 0 until 80) for (x in 0 until 60) img.setRGB(x, y, (x * 4 shl 16) or (y * 3 shl 8) or 0x80)
        val out = java.io.ByteArrayOutputStream()
        javax.imageio.ImageIO.write(img, "png", out)
        return out.toByteArray()
    }
}
