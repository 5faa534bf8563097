package app.homeward.ui

import app.homeward.ui.core.RustVault
import app.homeward.ui.unlock.UnlockEvent
import app.homeward.ui.unlock.UnlockMode
import app.homeward.ui.unlock.UnlockPresenter
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertTrue
import org.junit.Test
import java.io.File

class UnlockPresenterTest {
    @Test
    fun `first start creates the vault, and the PINs must match`() {
        val vault = RustVault(File(tempDir("create"), "vault").path, null, lightSettings())
        testPresenter({ UnlockPresenter(vault, "differ").present() }) {
            val first = awaitItem()
            assertEquals(UnlockMode.CREATE, first.mode)
            first.eventSink(UnlockEvent.PinChanged(LONG_PIN))
            awaitUntil { it.pin == LONG_PIN }.eventSink(UnlockEvent.PinAgainChanged("other"))
            awaitUntil { it.pinAgain == "other" }.eventSink(UnlockEvent.Submit)
            val s = awaitUntil { it.error != null }
            assertEquals("differ", s.error)
            // A weak passphrase: the core's reason, shown as it is.
            s.eventSink(UnlockEvent.PinChanged("1234"))
            awaitUntil { it.pin == "1234" }.eventSink(UnlockEvent.PinAgainChanged("1234"))
            awaitUntil { it.pinAgain == "1234" }.eventSink(UnlockEvent.Submit)
            val weak = awaitUntil { !it.busy && it.error != null && it.error != "differ" }
            assertFalse(weak.unlocked)
            assertTrue(weak.error!!.isNotBlank())
            weak.eventSink(UnlockEvent.PinChanged(LONG_PIN))
            awaitUntil { it.pin == LONG_PIN }.eventSink(UnlockEvent.PinAgainChanged(LONG_PIN))
            awaitUntil { it.pinAgain == LONG_PIN }.eventSink(UnlockEvent.Submit)
            assertTrue(awaitUntil("unlocked") { it.unlocked }.error == null)
            cancelAndIgnoreRemainingEvents()
        }
        assertTrue(vault.exists())
    }

    @Test
    fun `a wrong PIN shows attempts left and a countdown, then the right one unlocks`() {
        val vault = newVault(lightSettings(maxAttempts = 5, unlockDelayMs = 2000L))
        vault.lock()
        testPresenter({ UnlockPresenter(vault, "differ").present() }) {
            val start = awaitUntil { it.attemptsRemaining != null }
            assertEquals(UnlockMode.UNLOCK, start.mode)
            assertEquals(5, start.attemptsRemaining)
            start.eventSink(UnlockEvent.PinChanged("wrong wrong wrong"))
            awaitUntil { it.pin.isNotEmpty() }.eventSink(UnlockEvent.Submit)
            val wrong = awaitUntil("a refusal") { !it.busy && it.error != null }
            assertEquals(4, wrong.attemptsRemaining)
            assertTrue("retry in ${wrong.retryInSecs}", wrong.retryInSecs >= 1)
            assertFalse("the button waits for the countdown", wrong.canSubmit)
            // A try during the countdown is not sent (it would not count, but it would confuse).
            wrong.eventSink(UnlockEvent.PinChanged(LONG_PIN))
            val typed = awaitUntil { it.pin == LONG_PIN }
            assertFalse(typed.canSubmit)
            typed.eventSink(UnlockEvent.Submit)
            // The countdown reaches zero by itself.
            val ready = awaitUntil("the end of the countdown") { it.retryInSecs == 0L }
            assertTrue(ready.canSubmit)
            assertEquals(4, ready.attemptsRemaining)
            ready.eventSink(UnlockEvent.Submit)
            assertNotNull(awaitUntil("unlocked") { it.unlocked })
            cancelAndIgnoreRemainingEvents()
        }
    }

    @Test
    fun `the last wrong PIN wipes the vault and the screen says so`() {
        val vault = newVault(lightSettings(maxAttempts = 2))
        vault.lock()
        testPresenter({ UnlockPresenter(vault, "differ").present() }) {
            var s = awaitUntil { it.attemptsRemaining != null }
            repeat(2) {
                s.eventSink(UnlockEvent.PinChanged("wrong wrong wrong $it"))
                awaitUntil { st -> st.pin.endsWith("$it") }.eventSink(UnlockEvent.Submit)
                s = awaitUntil("refusal $it") { st -> !st.busy && st.error != null && st.pin.isEmpty() }
            }
            assertEquals(UnlockMode.WIPED, s.mode)
            assertFalse(s.canSubmit)
            s.eventSink(UnlockEvent.StartOver)
            assertEquals(UnlockMode.CREATE, awaitUntil { it.mode == UnlockMode.CREATE }.mode)
            cancelAndIgnoreRemainingEvents()
        }
    }
}
