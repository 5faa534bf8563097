package app.homeward.ui

import app.homeward.ui.core.CarriedState
import app.homeward.ui.core.ForwardImported
import app.homeward.ui.core.QrMatrix
import app.homeward.ui.forward.ForwardEvent
import app.homeward.ui.forward.ForwardPresenter
import app.homeward.ui.forward.ForwardState
import app.homeward.ui.forward.ForwardStep
import app.homeward.ui.verify.QrDecoder
import org.junit.AfterClass
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.BeforeClass
import org.junit.Test

/**
 * Store and forward through its presenter over the real core and a real
 * homeward-hq: the post shows its outbox as QR frames, the carrier's camera
 * path (the core's QR image, decoded by the app's QrDecoder) reads them, and
 * each refusal lands at its step.
 */
class ForwardPresenterTest {
    companion object {
        private lateinit var hq: Headquarters

        @BeforeClass @JvmStatic
        fun start() { hq = Headquarters() }

        @AfterClass @JvmStatic
        fun stop() { hq.close() }
    }

    /** Enrolled and synced once (a bundle needs headquarters' sealing key). */
    private fun enrolled(label: String) = newVault().also {
        it.sync().enrol(hq.url, hq.enrollmentCode("OSH", "border_guard"), label, null)
        it.sync().sync {}
    }

    /** What a camera sees of the screen: the core's modules at 4 px each, with the quiet zone. */
    private fun decode(qr: QrMatrix): String {
        val scale = 4
        val side = (qr.width + 8) * scale
        val argb = IntArray(side * side) { i ->
            val (x, y) = (i % side) / scale - 4 to (i / side) / scale - 4
            val dark = x in 0 until qr.width && y in 0 until qr.width && qr.modules[y * qr.width + x]
            if (dark) 0xFF000000.toInt() else 0xFFFFFFFF.toInt()
        }
        return QrDecoder.decode(argb, side, side) ?: error("the frame's QR code did not decode")
    }

    private fun refusedAt(s: ForwardState) = s.refusal?.code to s.refusalAt

    @Test
    fun `the post's frames are read by the carrier's camera, carried, and every refusal has its place`() {
        val post = enrolled("post")
        screenOne(post)
        screenOne(post)
        val carrier = enrolled("carrier")

        // At the post: what waits, sealed and shown frame after frame, read off the screen.
        val texts = linkedMapOf<Int, String>()
        testPresenter({ ForwardPresenter(post.forward(), framePeriodMs = 30).present() }) {
            val start = awaitUntil("the outbox") { it.waiting != null }
            assertEquals(2, start.waiting)
            start.eventSink(ForwardEvent.Export)
            var shown = awaitUntil("frames") { it.showing && it.qr != null }
            assertTrue("repair frames beyond the needed: ${shown.frames}", shown.frames >= 2)
            while (texts.size < shown.frames) {
                shown.qr?.let { texts.getOrPut(shown.frame) { decode(it) } }
                shown = awaitItem()
            }
            shown.eventSink(ForwardEvent.StopShowing)
            awaitUntil("back to the outbox") { !it.showing && it.waiting == 2 }
            cancelAndIgnoreRemainingEvents()
        }
        assertEquals("every frame is a distinct code", texts.size, texts.values.toSet().size)

        testPresenter({ ForwardPresenter(carrier.forward()).present() }) {
            val start = awaitUntil("the outbox") { it.waiting != null }
            assertEquals("the carrier has nothing of its own", 0, start.waiting)
            // Its own empty outbox: refused at the export.
            start.eventSink(ForwardEvent.Export)
            val empty = awaitUntil("export refusal") { it.refusal != null }
            assertEquals("empty" to ForwardStep.EXPORT, refusedAt(empty))
            assertTrue("the core's reason is shown", empty.refusal!!.reason.isNotBlank())

            empty.eventSink(ForwardEvent.StartReading)
            val reading = awaitUntil("reading") { it.reading != null && it.refusal == null }
            // The camera caught something that is no frame: refused at the reading, the reading goes on.
            reading.eventSink(ForwardEvent.Scanned("IST-2026-000001 a certificate"))
            val notFrame = awaitUntil("frame refusal") { it.refusal != null && !it.busy }
            assertEquals("not_a_frame" to ForwardStep.READING, refusedAt(notFrame))
            assertTrue(notFrame.reading != null)

            // The frames in the order the screen showed them, one camera read at a time.
            var s = notFrame
            for ((i, text) in texts.values.withIndex()) {
                s.eventSink(ForwardEvent.Scanned(text))
                s = awaitUntil("frame $i") { !it.busy && (it.imported != null || (it.reading?.received ?: 0) > i) }
                if (s.imported != null) break
                assertEquals(i + 1, s.reading!!.received)
            }
            assertEquals(ForwardImported.Bundle(2), s.imported)
            assertNull(s.refusal)
            val carried = awaitUntil("carried") { it.carried.isNotEmpty() }.carried.single()
            assertEquals(CarriedState.PENDING, carried.state)
            assertEquals(2, carried.events)

            // The same frames again: the bundle is refused as replayed, at the import.
            s.eventSink(ForwardEvent.StartReading)
            s = awaitUntil("reading again") { it.reading != null && it.imported == null }
            for (text in texts.values) {
                s.eventSink(ForwardEvent.Scanned(text))
                s = awaitUntil("read") { !it.busy }
                if (s.refusal != null) break
            }
            assertEquals("replayed" to ForwardStep.IMPORTING, refusedAt(s))
            assertNull("a refused bundle ends the reading", s.reading)

            // A file that is no bundle: refused at the import too.
            s.eventSink(ForwardEvent.ImportFile("{ \"bundle\": 1"))
            s = awaitUntil("file refusal") { it.refusal?.code == "malformed" }
            assertEquals(ForwardStep.IMPORTING, s.refusalAt)
            cancelAndIgnoreRemainingEvents()
        }

        // The carrier's sync takes the bundle home.
        carrier.sync().sync {}
        assertEquals(CarriedState.DELIVERED, carrier.forward().carried().single().state)
    }
}
