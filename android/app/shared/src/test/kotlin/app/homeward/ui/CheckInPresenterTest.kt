package app.homeward.ui

import app.homeward.ui.checkin.UnlockCodeEvent
import app.homeward.ui.checkin.UnlockCodePresenter
import app.homeward.ui.core.CoreException
import app.homeward.ui.core.ErrorKind
import app.homeward.ui.settings.InMemoryPrefs
import app.homeward.ui.settings.SettingsEvent
import app.homeward.ui.settings.SettingsPresenter
import org.junit.AfterClass
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertThrows
import org.junit.Assert.assertTrue
import org.junit.BeforeClass
import org.junit.Test

/**
 * The check-in unlock code and the PIN change, through their presenters over
 * the real core, with codes computed by a real homeward-hq.
 */
class CheckInPresenterTest {
    companion object {
        private lateinit var hq: Headquarters

        @BeforeClass @JvmStatic
        fun start() { hq = Headquarters() }

        @AfterClass @JvmStatic
        fun stop() { hq.close() }
    }

    private fun enrolled() = newVault().also { it.sync().enrol(hq.url, hq.enrollmentCode("OSH", "border_guard"), "post-phone", null) }

    @Test
    fun `a wrong unlock code says so, the right one from headquarters opens the device`() {
        val vault = enrolled()
        val id = vault.certificates().device().deviceId
        assertNotNull("an enrolled device has an id to read out", id)
        val code = hq.admin("unlock-code", id!!)
        testPresenter({ UnlockCodePresenter(vault.sync(), vault.certificates()).present() }) {
            val start = awaitUntil("device id") { it.deviceId != null }
            assertEquals(id, start.deviceId)
            assertEquals(0L, start.retryInSecs)
            assertFalse("nine characters are not a code", start.copy(code = "K7MPQ2XW9").canSubmit)
            // Typed with the dash and in lower case, as read out over a bad line.
            start.eventSink(UnlockCodeEvent.CodeChanged("aaaaa-bbbbb"))
            val typed = awaitUntil { it.code == "AAAAABBBBB" }
            assertTrue(typed.canSubmit)
            typed.eventSink(UnlockCodeEvent.Submit)
            val refused = awaitUntil("refusal") { !it.busy && it.error != null }
            assertFalse(refused.done)
            assertEquals("the typed code is cleared", "", refused.code)
            assertEquals("the first wrong codes cost no wait", 0L, refused.retryInSecs)
            refused.eventSink(UnlockCodeEvent.CodeChanged(code))
            awaitUntil { it.code.length == 10 }.eventSink(UnlockCodeEvent.Submit)
            val done = awaitUntil("unlocked") { it.done }
            assertNull(done.error)
            cancelAndIgnoreRemainingEvents()
        }
        // Each code works once.
        val reused = assertThrows(CoreException::class.java) { vault.sync().enterUnlockCode(code) }
        assertEquals(ErrorKind.InvalidInput, reused.kind)
    }

    @Test
    fun `wrong codes in a row make the next try wait, and the wait survives a restart of the screen`() {
        val vault = enrolled()
        testPresenter({ UnlockCodePresenter(vault.sync(), vault.certificates()).present() }) {
            var s = awaitUntil { it.deviceId != null }
            for (i in 1..3) {
                s.eventSink(UnlockCodeEvent.CodeChanged("WRONG${i}WRON"))
                awaitUntil { it.code == "WRONG${i}WRON" }.eventSink(UnlockCodeEvent.Submit)
                s = awaitUntil("refusal $i") { !it.busy && it.error != null && it.code.isEmpty() }
            }
            assertTrue("the third wrong code starts a wait: ${s.retryInSecs}", s.retryInSecs in 50..60)
            assertFalse(s.copy(code = "AAAAABBBBB").canSubmit)
            cancelAndIgnoreRemainingEvents()
        }
        // The app closed and opened again: the wait comes from the vault, not the screen.
        testPresenter({ UnlockCodePresenter(vault.sync(), vault.certificates()).present() }) {
            val s = awaitUntil("the wait") { it.retryInSecs > 0 }
            assertTrue(s.retryInSecs <= 60)
            cancelAndIgnoreRemainingEvents()
        }
        val e = assertThrows(CoreException::class.java) { vault.sync().enterUnlockCode("AAAAABBBBB") }
        assertEquals(ErrorKind.TooSoon, e.kind)
        assertTrue(e.reason, (e.retryAfterSecs ?: 0) > 0)
    }

    @Test
    fun `the PIN is changed after the current one is given again, and the new one opens the vault`() {
        val vault = newVault()
        val prefs = InMemoryPrefs()
        val newPin = "another long passphrase"
        testPresenter({ SettingsPresenter(vault.settings(), prefs, "saved", "differ").present() }) {
            var s = awaitItem()
            s.eventSink(SettingsEvent.ChangeCurrent(LONG_PIN))
            s = awaitUntil { it.changeCurrent == LONG_PIN }
            s.eventSink(SettingsEvent.NewPin(newPin))
            s = awaitUntil { it.newPin == newPin }
            s.eventSink(SettingsEvent.NewPinAgain("not the same"))
            s = awaitUntil { it.newPinAgain == "not the same" }
            s.eventSink(SettingsEvent.ChangePin)
            s = awaitUntil { it.error == "differ" }
            s.eventSink(SettingsEvent.NewPinAgain(newPin))
            s = awaitUntil { it.newPinAgain == newPin }
            s.eventSink(SettingsEvent.ChangePin)
            s = awaitUntil("changed") { it.message == "saved" }
            assertEquals("no PIN stays on screen", listOf("", "", ""), listOf(s.changeCurrent, s.newPin, s.newPinAgain))
            // A wrong current PIN: the core's reason, and the fields cleared.
            s.eventSink(SettingsEvent.ChangeCurrent("wrong wrong wrong"))
            s = awaitUntil { it.changeCurrent.isNotEmpty() }
            s.eventSink(SettingsEvent.NewPin("third long passphrase"))
            s = awaitUntil { it.newPin.isNotEmpty() }
            s.eventSink(SettingsEvent.NewPinAgain("third long passphrase"))
            s = awaitUntil { it.newPinAgain.isNotEmpty() }
            s.eventSink(SettingsEvent.ChangePin)
            s = awaitUntil("refused") { it.error != null && it.error != "differ" }
            assertEquals("", s.changeCurrent)
            cancelAndIgnoreRemainingEvents()
        }
        vault.lock()
        assertThrows(CoreException::class.java) { vault.unlock(LONG_PIN) }
        vault.unlock(newPin)
        assertTrue(vault.status().unlocked)
    }
}
