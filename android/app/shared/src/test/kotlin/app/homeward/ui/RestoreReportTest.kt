package app.homeward.ui

import app.homeward.ui.core.RustVault
import app.homeward.ui.sync.SyncEvent
import app.homeward.ui.sync.SyncPresenter
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import java.io.File

/** A phone restored from an older copy: the sync screen lists what the copy lacked until the officer has read it. */
class RestoreReportTest {
    @Test
    fun `after a restore the sync screen lists the lost request once, until the officer acknowledges it`() {
        Headquarters().use { hq ->
            val dir = File(tempDir("restore"), "vault")
            val copy = File(tempDir("restore-copy"), "vault")
            var v = RustVault(dir.path, null, lightSettings()).also { it.create(LONG_PIN) }
            v.sync().enrol(hq.url, hq.enrollmentCode("IST", "consular_officer"), "consulate-pc", null)
            v.certificates().create(RequestPresenterTest.goodForm(office = ""), submit = true)
            v.sync().sync {}
            v.close()
            dir.copyRecursively(copy)

            // After the copy: a request reaches headquarters; then the old copy is put back.
            v = RustVault(dir.path, null, lightSettings()).also { it.unlock(LONG_PIN) }
            val lost = v.certificates().create(RequestPresenterTest.goodForm("Osmonov", office = ""), submit = true).caseId
            v.sync().sync {}
            v.close()
            dir.deleteRecursively()
            copy.copyRecursively(dir)

            v = RustVault(dir.path, null, lightSettings()).also { it.unlock(LONG_PIN) }
            assertNull("nothing to show before the sync finds the restore", v.sync().restoreReport())
            testPresenter({ SyncPresenter(v.sync()).present() }) {
                awaitItem().eventSink(SyncEvent.Start)
                val done = awaitUntil("the restore found") { it.report != null && it.lost != null }
                assertTrue(done.report!!.rollbackDetected)
                assertEquals(listOf(lost), done.lost!!.map { it.id })
                assertTrue("the pull brought the request back", done.lost!!.single().recovered)
                done.eventSink(SyncEvent.AcknowledgeRestore)
                awaitUntil("acknowledged") { it.lost == null && !it.running }
                cancelAndIgnoreRemainingEvents()
            }
            assertNull("read once, not shown again", v.sync().restoreReport())
            assertEquals(2, v.certificates().list().size)
        }
    }
}
